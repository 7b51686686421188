"""What the console shows of a running rollout: a frozen copy of its progress, taken by the
Console at each event and handed to the screen in ``RolloutChanged``, with the one rule for
what each wave is shown as (the engine's wave state, or its rollback when one runs there).

Pure: no Textual, no I/O. The wave bar and the panes render it; nothing here steers anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ownstack_tui.model.rollout import (
    Gate,
    OnFailure,
    RolloutProgress,
    RolloutState,
    StackPhase,
    WaveState,
)


class WaveMark(Enum):
    """What the wave bar says of one wave."""

    PENDING = "pending"
    DEPLOYING = "deploying"
    CHECKING = "checking health"
    SOAKING = "soaking"
    WAITING = "waiting"  # at a manual gate: the operator promotes or halts
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    ROLLING_BACK = "rolling back"
    ROLLED_BACK = "rolled back"
    ROLLBACK_FAILED = "rollback failed"


_MARKS = {
    WaveState.PENDING: WaveMark.PENDING,
    WaveState.DEPLOYING: WaveMark.DEPLOYING,
    WaveState.CHECKING: WaveMark.CHECKING,
    WaveState.SOAKING: WaveMark.SOAKING,
    WaveState.AWAITING_PROMOTION: WaveMark.WAITING,
    WaveState.PASSED: WaveMark.PASSED,
    WaveState.FAILED: WaveMark.FAILED,
    WaveState.SKIPPED: WaveMark.SKIPPED,
    WaveState.CANCELLED: WaveMark.CANCELLED,
}


@dataclass(frozen=True)
class WaveView:
    number: int
    stacks: tuple[str, ...]
    mark: WaveMark
    reason: str | None = None


@dataclass(frozen=True)
class StackView:
    name: str
    wave: int
    phase: StackPhase
    reason: str | None = None
    health: str | None = None


@dataclass(frozen=True)
class RolloutView:
    app: str
    waves: tuple[WaveView, ...]
    stacks: Mapping[str, StackView]
    state: RolloutState
    reason: str | None
    gate: Gate
    on_failure: OnFailure

    @property
    def staged(self) -> bool:
        """More than one wave: worth a wave bar, a Promote and a Halt."""
        return len(self.waves) > 1

    @property
    def awaiting_promotion(self) -> bool:
        return self.state is RolloutState.AWAITING_PROMOTION

    @property
    def can_halt(self) -> bool:
        """A later wave has not started yet, and nothing is being undone."""
        if not self.staged or self.state.is_final or self.state is RolloutState.ROLLING_BACK:
            return False
        return any(wave.mark in (WaveMark.PENDING, WaveMark.WAITING) for wave in self.waves)

    @classmethod
    def of(cls, progress: RolloutProgress) -> RolloutView:
        stacks = {
            name: StackView(name, stack.wave, stack.phase, stack.reason, stack.health)
            for name, stack in progress.stacks.items()
        }
        waves = tuple(
            WaveView(wave.number, wave.stacks, _mark(wave.state, [stacks[n] for n in wave.stacks]),
                     wave.reason)
            for wave in progress.waves
        )
        policy = progress.policy
        return cls(progress.app, waves, stacks, progress.state, progress.reason, policy.gate,
                   policy.on_failure)


def _mark(state: WaveState, stacks: list[StackView]) -> WaveMark:
    """The engine's wave state, unless this wave's stacks are being (or were) rolled back."""
    phases = {stack.phase for stack in stacks}
    if StackPhase.ROLLING_BACK in phases:
        return WaveMark.ROLLING_BACK
    if StackPhase.ROLLBACK_FAILED in phases:
        return WaveMark.ROLLBACK_FAILED
    if StackPhase.ROLLED_BACK in phases:
        return WaveMark.ROLLED_BACK
    return _MARKS[state]
