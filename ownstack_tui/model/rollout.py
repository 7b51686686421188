"""Staged rollouts as plain data: the policy (waves, gate, on_failure, soak, health timeout) and
the typed progress of a running rollout, per wave and per stack, that front ends watch.

The policy comes from ``[apps.NAME.rollout]`` in the fleet file and is overridden by the command
line; :func:`check_waves` is the one rule for which stacks the waves may name. The engine
(``engine/rollout.py``) drives a :class:`RolloutProgress`; this module does no I/O.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.model.jobs import DeployJob, Unsubscribe
from ownstack_tui.model.selectors import option_label, parse_selector

log = logging.getLogger(__name__)

DEFAULT_HEALTH_TIMEOUT = 120.0
POLICY_KEYS = ("waves", "gate", "on_failure", "soak", "health_timeout")


class Gate(Enum):
    """What lets a rollout go on to the next wave."""

    HEALTH = "health"  # every stack deployed and healthy within health_timeout
    MANUAL = "manual"  # every stack deployed, then the operator promotes
    NONE = "none"  # every stack deployed


class OnFailure(Enum):
    HALT = "halt"  # stop; later waves are skipped
    ROLLBACK = "rollback"  # stop, and return every stack this rollout moved to its old release


Waves = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RolloutPolicy:
    waves: Waves = ()
    gate: Gate = Gate.HEALTH
    on_failure: OnFailure = OnFailure.HALT
    soak: float = 0.0  # seconds to wait after a wave passed, before the next
    health_timeout: float = DEFAULT_HEALTH_TIMEOUT
    partial: bool = False  # only some of the app's stacks (--stack): the others are not missing

    @property
    def is_plain(self) -> bool:
        """Today's deploy: one wave and nothing to wait for (what the control plane also runs)."""
        return len(self.waves) == 1 and self.gate is Gate.NONE

    @property
    def has_gates(self) -> bool:
        """True when the operator must promote (a manual gate between two waves)."""
        return self.gate is Gate.MANUAL and len(self.waves) > 1

    def overridden(
        self,
        waves: Sequence[Sequence[str]] | None = None,
        gate: str | None = None,
        on_failure: str | None = None,
        soak: object = None,
        health_timeout: object = None,
    ) -> RolloutPolicy:
        """This policy with whatever the command line gave instead (None keeps the policy's)."""
        changes: dict[str, Any] = {}
        if waves:
            changes["waves"] = tuple(tuple(wave) for wave in waves)
        if gate is not None:
            changes["gate"] = parse_gate(gate)
        if on_failure is not None:
            changes["on_failure"] = parse_on_failure(on_failure)
        if soak is not None:
            changes["soak"] = validation.duration(soak, "soak")
        if health_timeout is not None:
            changes["health_timeout"] = validation.duration(health_timeout, "health_timeout")
        return dataclasses.replace(self, **changes)


def all_at_once(stacks: Sequence[str], partial: bool = False) -> RolloutPolicy:
    """Today's deploy: the stacks in one wave, nothing to wait for afterwards."""
    return RolloutPolicy(waves=(tuple(stacks),), gate=Gate.NONE, partial=partial)


def parse_gate(value: object) -> Gate:
    try:
        return Gate(value)
    except ValueError:
        raise InvalidInput(
            f"invalid gate {value!r}: use one of {', '.join(g.value for g in Gate)}"
        ) from None


def parse_on_failure(value: object) -> OnFailure:
    try:
        return OnFailure(value)
    except ValueError:
        raise InvalidInput(
            f"invalid on_failure {value!r}: use one of {', '.join(o.value for o in OnFailure)}"
        ) from None


def parse_wave_option(text: str) -> tuple[str, ...]:
    """One ``--wave SELECTOR`` value (``tag:canary``, ``'tag:prod,!tag:canary'``, ``a,b``): its
    terms, checked for syntax; the fleet resolves them (Fleet.expand_waves) at deploy time."""
    selector = parse_selector(text, option_label("--wave", [text]))
    return tuple(term.text for term in selector.terms)


def policy_from_table(table: Mapping[str, Any], where: str) -> RolloutPolicy:
    """``[apps.NAME.rollout]`` checked for shape; which stacks it names is checked at deploy time
    (:func:`check_waves`), so adding a target never makes the whole fleet file unreadable."""
    unknown = sorted(set(table) - set(POLICY_KEYS))
    if unknown:
        raise InvalidInput(
            f"[{where}] has unknown key(s) {', '.join(unknown)}; known: {', '.join(POLICY_KEYS)}"
        )
    waves = table.get("waves", [])
    if not isinstance(waves, list) or not all(
        isinstance(wave, list) and wave and all(isinstance(name, str) for name in wave) for wave in waves
    ):
        raise InvalidInput(
            f"{where}.waves must be a list of lists of stack selectors, "
            "e.g. [[\"staging\"], [\"tag:prod\"]]"
        )
    for number, wave in enumerate(waves, start=1):
        parse_selector(wave, f"[{where}] wave {number} ({','.join(wave)})")
    policy = RolloutPolicy(waves=tuple(tuple(wave) for wave in waves))
    return policy.overridden(
        gate=table.get("gate"),
        on_failure=table.get("on_failure"),
        soak=table.get("soak"),
        health_timeout=table.get("health_timeout"),
    )


def check_waves(
    waves: Waves, app: str, targets: Sequence[str], known: Sequence[str], partial: bool = False
) -> Waves:
    """Every target stack (``partial``: some) in exactly one wave, and nothing else. Raises
    naming the offenders."""
    if not waves:
        raise InvalidInput(f"the rollout of {app} has no waves; give --wave SELECTOR (a stack, tag:TAG, ...)")
    named = [name for wave in waves for name in wave]
    unknown = sorted({name for name in named if name not in known})
    if unknown:
        raise InvalidInput(f"the rollout of {app} names unknown stack(s): {', '.join(unknown)}")
    others = sorted({name for name in named if name not in targets})
    if others:
        raise InvalidInput(
            f"the rollout of {app} names stack(s) that are not its targets: {', '.join(others)}"
        )
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        raise InvalidInput(f"the rollout of {app} names stack(s) more than once: {', '.join(twice)}")
    missing = [name for name in targets if name not in named]
    if missing and not partial:
        raise InvalidInput(
            f"stack(s) of {app} not in any wave: {', '.join(missing)}; add them to a wave "
            "(or deploy them with --stack)"
        )
    return waves


# -- progress of a running rollout ---------------------------------------------------------------


class RolloutState(Enum):
    RUNNING = "running"
    AWAITING_PROMOTION = "awaiting promotion"
    ROLLING_BACK = "rolling back"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a wave failed; later waves skipped
    ROLLED_BACK = "rolled back"  # a wave failed and the moved stacks were returned
    HALTED = "halted"  # the operator stopped it at a gate
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_ROLLOUT


_FINAL_ROLLOUT = frozenset(
    {RolloutState.SUCCEEDED, RolloutState.FAILED, RolloutState.ROLLED_BACK,
     RolloutState.HALTED, RolloutState.CANCELLED}
)


class WaveState(Enum):
    PENDING = "pending"
    DEPLOYING = "deploying"
    CHECKING = "checking health"
    SOAKING = "soaking"
    AWAITING_PROMOTION = "awaiting promotion"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_WAVE


_FINAL_WAVE = frozenset({WaveState.PASSED, WaveState.FAILED, WaveState.SKIPPED, WaveState.CANCELLED})


class StackPhase(Enum):
    WAITING = "waiting"  # its wave has not started
    LOCKING = "locking"  # taking the deploy lock
    DEPLOYING = "deploying"  # its job runs
    CHECKING = "checking health"
    PASSED = "passed"
    FAILED = "failed"  # its deploy failed
    HELD = "held"  # another rollout (or dokku's own lock) holds the stack: not deployed
    UNHEALTHY = "unhealthy"  # deployed, but not healthy within health_timeout
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    ROLLING_BACK = "rolling back"
    ROLLED_BACK = "rolled back"
    ROLLBACK_FAILED = "rollback failed"


@dataclass(frozen=True)
class Release:
    """What a stack ran before the rollout: a commit, or an image (``git:from-image``)."""

    sha: str | None = None
    image: str | None = None

    @property
    def label(self) -> str:
        return self.image or (self.sha[:7] if self.sha else "nothing")


class RolloutEventKind(Enum):
    ROLLOUT = "rollout"  # the rollout's state changed
    WAVE = "wave"  # a wave's state changed
    STACK = "stack"  # a stack's phase changed
    JOB_ADDED = "job added"  # a deploy, rollback or skipped job now exists for a stack
    JOB_SLOW = "job slow"  # a job runs past twice its usual duration


@dataclass(frozen=True)
class RolloutEvent:
    kind: RolloutEventKind
    wave: int | None = None
    stack: str | None = None
    job: DeployJob | None = None


RolloutListener = Callable[[RolloutEvent], None]


@dataclass(eq=False)
class StackProgress:
    name: str
    wave: int  # 1-based
    phase: StackPhase = StackPhase.WAITING
    reason: str | None = None
    job: DeployJob | None = None
    rollback_job: DeployJob | None = None
    before: Release | None = None  # read before the rollout started
    health: str | None = None  # the last health finding ("healthy", or what is wrong)

    @property
    def moved(self) -> bool:
        """This rollout changed what the stack runs (its deploy succeeded)."""
        return self.job is not None and self.job.status.value == "succeeded"


@dataclass(eq=False)
class WaveProgress:
    number: int  # 1-based
    stacks: tuple[str, ...]
    state: WaveState = WaveState.PENDING
    reason: str | None = None


@dataclass(eq=False)
class RolloutProgress:
    """Everything a front end shows about one rollout; changed only by the engine."""

    app: str
    policy: RolloutPolicy
    waves: list[WaveProgress] = field(default_factory=list)
    stacks: dict[str, StackProgress] = field(default_factory=dict)
    state: RolloutState = RolloutState.RUNNING
    reason: str | None = None
    _listeners: list[RolloutListener] = field(default_factory=list, repr=False)

    @classmethod
    def start(cls, app: str, policy: RolloutPolicy) -> RolloutProgress:
        progress = cls(app, policy)
        for number, stacks in enumerate(policy.waves, start=1):
            progress.waves.append(WaveProgress(number, tuple(stacks)))
            for name in stacks:
                progress.stacks[name] = StackProgress(name, number)
        return progress

    def wave(self, number: int) -> WaveProgress:
        return self.waves[number - 1]

    @property
    def jobs(self) -> list[DeployJob]:
        """Every job of the rollout: deploys (and skipped ones) in wave order, then rollbacks in
        the order they ran."""
        ordered = [s.job for s in self.stacks.values() if s.job is not None]
        rollbacks = [s.rollback_job for s in self.stacks.values() if s.rollback_job is not None]
        return ordered + sorted(rollbacks, key=lambda job: job.id)

    # -- driven by the engine --------------------------------------------------------------

    def set_state(self, state: RolloutState, reason: str | None = None) -> None:
        if self.state.is_final or state is self.state:
            return
        self.state, self.reason = state, reason
        self._emit(RolloutEvent(RolloutEventKind.ROLLOUT))

    def set_wave(self, number: int, state: WaveState, reason: str | None = None) -> None:
        wave = self.wave(number)
        if wave.state.is_final or wave.state is state:
            return
        wave.state, wave.reason = state, reason or wave.reason
        self._emit(RolloutEvent(RolloutEventKind.WAVE, wave=number))

    def set_stack(self, name: str, phase: StackPhase, reason: str | None = None) -> None:
        stack = self.stacks[name]
        if stack.phase is phase and not reason:
            return
        stack.phase, stack.reason = phase, reason or stack.reason
        self._emit(RolloutEvent(RolloutEventKind.STACK, wave=stack.wave, stack=name))

    def add_job(self, name: str, job: DeployJob, rollback: bool = False) -> None:
        stack = self.stacks[name]
        if rollback:
            stack.rollback_job = job
        else:
            stack.job = job
        self._emit(RolloutEvent(RolloutEventKind.JOB_ADDED, wave=stack.wave, stack=name, job=job))

    def job_slow(self, name: str, job: DeployJob) -> None:
        self._emit(RolloutEvent(RolloutEventKind.JOB_SLOW, wave=self.stacks[name].wave, stack=name, job=job))

    # -- watched by front ends -------------------------------------------------------------

    def subscribe(self, listener: RolloutListener) -> Unsubscribe:
        """Call ``listener`` at every event from now on; the returned callable stops that."""
        self._listeners.append(listener)
        return lambda: self.unsubscribe(listener)

    def unsubscribe(self, listener: RolloutListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: RolloutEvent) -> None:
        for listener in list(self._listeners):
            try:  # a front end's bug must not stop the rollout that called us
                listener(event)
            except Exception:
                log.exception("rollout of %s: a listener failed", self.app)
