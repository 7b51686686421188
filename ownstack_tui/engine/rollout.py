"""Staged rollouts: waves in order, each deployed in parallel by Engine.start_deploy, a gate
between them, halt or rollback on the first failed wave, and a deploy lock with an owner.

:func:`start_rollout` returns a :class:`RunningRollout` at once. Front ends watch its
``progress`` (typed state per wave and per stack, events via ``subscribe``) and its jobs, and
steer it with ``promote()``, ``halt()`` and ``cancel()``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from ownstack_tui import clock
from ownstack_tui.backends.base import DeployRequest, RolloutBackend
from ownstack_tui.engine.deploy_lock import LockHeld, LockRequest, acquire, release
from ownstack_tui.engine.engine import Engine, RunningDeploy, finish, outlast
from ownstack_tui.engine.health import wait_healthy
from ownstack_tui.errors import InvalidInput, describe_failure
from ownstack_tui.fanout import fan_out
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import App
from ownstack_tui.model.jobs import DeployJob, Unsubscribe
from ownstack_tui.model.rollout import (
    Gate,
    OnFailure,
    Release,
    RolloutListener,
    RolloutPolicy,
    RolloutProgress,
    RolloutState,
    StackPhase,
    WaveState,
    check_waves,
)
from ownstack_tui.model.timing import JobTiming, usual_duration


@dataclass(frozen=True)
class RolloutOptions:
    request: DeployRequest
    lock: LockRequest


def rollout_backend(engine: Engine) -> RolloutBackend:
    backend = engine.backend
    if not isinstance(backend, RolloutBackend):
        raise InvalidInput(
            f"the {engine.via} backend cannot run staged rollouts; use --all-at-once or --stack"
        )
    return backend


def runs_as_rollout(via: str, policy: RolloutPolicy) -> bool:
    """Every SSH deploy is a rollout (so each takes the deploy lock); through the API a plain
    deploy (one wave, no gate) goes to the control plane as before. Both front ends ask here."""
    return via != "api" or not policy.is_plain


def start_rollout(
    engine: Engine, app: App, policy: RolloutPolicy, options: RolloutOptions
) -> RunningRollout:
    """Check the waves and start; returns at once."""
    # Waves may name stacks by selector (tag:canary): the stacks they mean now. A policy the
    # command line expanded already is all names, which resolve to themselves.
    waves = engine.fleet.expand_waves(app, policy.waves, f"the rollout of {app.name}")
    policy = dataclasses.replace(policy, waves=waves)
    check_waves(policy.waves, app.name, app.stacks, list(engine.fleet.stacks), policy.partial)
    engine.history.allocate_ids(0)  # history must be writable before anything moves
    rollout = RunningRollout(engine, rollout_backend(engine), app, policy, options)
    rollout.task = asyncio.get_running_loop().create_task(rollout._run(), name=f"rollout {app.name}")
    rollout.task.add_done_callback(rollout._ended)  # before any waiter's: they see it said
    return rollout


def usual_durations(engine: Engine, app: str, stacks: list[str]) -> dict[str, float | None]:
    """Per stack, the median of its earlier successful deploys (rollbacks aside)."""
    try:
        entries = engine.history.entries(app=app)
    except OSError:  # unreadable history costs the ETA, never the deploy
        entries = []
    return {
        name: usual_duration(
            entry.duration
            for entry in entries
            if entry.stack == name and entry.rollback_of is None
            and DeployStatus(entry.status) is DeployStatus.SUCCEEDED
        )
        for name in stacks
    }


class RunningRollout:
    def __init__(
        self,
        engine: Engine,
        backend: RolloutBackend,
        app: App,
        policy: RolloutPolicy,
        options: RolloutOptions,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.app = app
        self.options = options
        self.progress = RolloutProgress.start(app.name, policy)
        self.run_id: int | None = None  # its waves, skips and rollbacks are one run in history
        self.task: asyncio.Task[None] | None = None
        self._decision = asyncio.Event()
        self._halt_requested = False
        self._current: RunningDeploy | None = None
        self._current_rollbacks: list[RunningDeploy] = []
        self._locked: set[str] = set()
        self._usual = usual_durations(engine, app.name, list(self.progress.stacks))
        self._slow_flagged: set[int] = set()

    # -- steering and watching ------------------------------------------------------------

    @property
    def state(self) -> RolloutState:
        return self.progress.state

    @property
    def jobs(self) -> list[DeployJob]:
        return self.progress.jobs

    def subscribe(self, listener: RolloutListener) -> Unsubscribe:
        return self.progress.subscribe(listener)

    def unsubscribe(self, listener: RolloutListener) -> None:
        self.progress.unsubscribe(listener)

    def promote(self) -> None:
        """Go on to the next wave (only meaningful while awaiting promotion)."""
        self._decision.set()

    def halt(self) -> None:
        """Start nothing further: at a gate at once, while deploying once the wave ends."""
        self._halt_requested = True
        self._decision.set()

    def cancel(self) -> None:
        """Cancel running jobs and start nothing further."""
        if self.task is not None:
            self.task.cancel()

    async def wait(self) -> RolloutProgress:
        if self.task is not None:
            await outlast(self.task)
        return self.progress

    def timing(self, job: DeployJob) -> JobTiming:
        """Elapsed time, ETA from the stack's earlier runs, and whether it is slow."""
        usual = None if job.rollback_of is not None else self._usual.get(job.stack)
        return JobTiming(elapsed=job.elapsed(), usual=usual)

    # -- the run --------------------------------------------------------------------------

    async def _run(self) -> None:
        watcher = asyncio.get_running_loop().create_task(self._watch_slow_jobs())
        current_wave = 0
        try:
            if self.progress.policy.on_failure is OnFailure.ROLLBACK:
                await self._read_releases()  # only a rollback needs them: no extra wait on a sick stack
            failed = None
            for wave in self.progress.waves:
                current_wave = wave.number
                if not await self._run_wave(wave.number):
                    failed = wave.number
                    break
                if wave.number == len(self.progress.waves):
                    break
                if not await self._between_waves(wave.number):
                    self._skip_from(wave.number + 1, "halted by the operator")
                    halted = f"halted after wave {wave.number}"
                    if self.progress.policy.on_failure is OnFailure.ROLLBACK:
                        # The operator judged what went out bad: undo it, as a failure would.
                        current_wave = 0
                        await self._roll_back(wave.number, halted)
                        self.progress.set_state(RolloutState.ROLLED_BACK, halted)
                    else:
                        self.progress.set_state(RolloutState.HALTED, halted)
                    return
            if failed is None:
                self.progress.set_state(RolloutState.SUCCEEDED)
                return
            self._skip_from(failed + 1, f"wave {failed} failed")
            if self.progress.policy.on_failure is OnFailure.ROLLBACK:
                current_wave = 0
                await self._roll_back(failed, f"wave {failed} failed")
                self.progress.set_state(RolloutState.ROLLED_BACK, f"wave {failed} failed")
            else:
                self.progress.set_state(RolloutState.FAILED, f"wave {failed} failed")
        except asyncio.CancelledError:
            await self._cancelled(current_wave)
        except Exception as error:  # an engine bug must still leave honest statuses
            if self._current is not None:
                self._current.cancel()
            self._skip_from(max(1, current_wave), f"internal error: {describe_failure(error)}")
            self.progress.set_state(RolloutState.FAILED, f"internal error: {describe_failure(error)}")
        finally:
            watcher.cancel()
            await finish(asyncio.get_running_loop().create_task(self._release_locks()))

    def _ended(self, task: asyncio.Task[None]) -> None:
        """Cancelled before its first step (a console quit, a loop ended, at once), ``_run``
        never ran, not even its ``except``: nothing moved, and the statuses must say so."""
        if task.cancelled() and not self.progress.state.is_final:
            self._skip_from(1, "rollout cancelled")
            self.progress.set_state(RolloutState.CANCELLED)

    async def _read_releases(self) -> None:
        """What every stack runs before anything moves (what a rollback returns to)."""
        states = await self.engine.app_states(self.app, list(self.progress.stacks))
        for name, outcome in states.items():
            state = outcome.value
            if state is not None and state.exists and (state.deployed_sha or state.deploy_source):
                before = Release(sha=state.deployed_sha, image=state.deployed_image)
                self.progress.stacks[name].before = before

    async def _run_wave(self, number: int) -> bool:
        wave = self.progress.wave(number)
        self.progress.set_wave(number, WaveState.DEPLOYING)
        running = self.engine.start_deploy(
            self.app, wave.stacks, self.options.request, prepare=self._take_lock, run=self.run_id
        )
        if self.run_id is None and running.run.jobs:
            self.run_id = running.run.jobs[0].id
        self._current = running
        for job in running.run.jobs:
            self.progress.add_job(job.stack, job)
        await asyncio.shield(running.task)
        self._current = None
        for job in running.run.jobs:
            stack = self.progress.stacks[job.stack]
            if job.status is DeployStatus.CANCELLED:
                raise asyncio.CancelledError
            if job.status is DeployStatus.FAILED and stack.phase is not StackPhase.HELD:
                self.progress.set_stack(job.stack, StackPhase.FAILED, job.reason)
        deployed = [name for name in wave.stacks if self.progress.stacks[name].moved]
        if self.progress.policy.gate is Gate.HEALTH and deployed:
            self.progress.set_wave(number, WaveState.CHECKING)
            await fan_out(deployed, self._check_health)
        else:
            for name in deployed:
                self.progress.set_stack(name, StackPhase.PASSED)
        passed = all(self.progress.stacks[name].phase is StackPhase.PASSED for name in wave.stacks)
        soak = self.progress.policy.soak
        if passed and soak > 0 and number < len(self.progress.waves) and not self._halt_requested:
            self.progress.set_wave(number, WaveState.SOAKING, f"soaking {soak:g}s")
            await asyncio.sleep(soak)
        if passed:
            self.progress.set_wave(number, WaveState.PASSED)
        else:
            bad = [n for n in wave.stacks if self.progress.stacks[n].phase is not StackPhase.PASSED]
            self.progress.set_wave(number, WaveState.FAILED, f"failed on {', '.join(bad)}")
        return passed

    async def _take_lock(self, job: DeployJob) -> None:
        """Before a stack of a wave deploys: hold its lock (a held one fails just that job)."""
        name = job.stack
        self.progress.set_stack(name, StackPhase.LOCKING)

        def waiting(text: str) -> None:
            job.add_lines([f"-----> {text}"])
            self.progress.set_stack(name, StackPhase.LOCKING, text)

        def writing() -> None:
            self._locked.add(name)  # released at the end, even after a cancel half-way

        try:
            created = await acquire(
                self.backend, self.app, self.engine.fleet.stack(name), self.options.lock,
                waiting, writing, poll=self.engine.polls.lock,
            )
        except LockHeld as held:
            self.progress.set_stack(name, StackPhase.HELD, str(held))
            raise
        if created:
            # The lock needed the app; say so where the deploy would have.
            job.add_lines([f"-----> Created app {self.app.name} on {name}"])
        self.progress.set_stack(name, StackPhase.DEPLOYING)

    async def _check_health(self, name: str) -> None:
        stack = self.engine.fleet.stack(name)
        self.progress.set_stack(name, StackPhase.CHECKING)

        def finding(text: str) -> None:
            self.progress.stacks[name].health = text
            self.progress.set_stack(name, StackPhase.CHECKING, text)

        try:
            wanted = await self.engine.backend.read_scale(self.app, stack)
            problem = await wait_healthy(
                self.backend, self.app, stack, wanted, self.progress.policy.health_timeout, finding,
                poll=self.engine.polls.health,
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            problem = f"health check failed: {describe_failure(error)}"
        if problem is None:
            self.progress.stacks[name].health = "healthy"
            self.progress.set_stack(name, StackPhase.PASSED, "healthy")
        else:
            self.progress.stacks[name].health = problem
            self.progress.set_stack(name, StackPhase.UNHEALTHY, problem)

    async def _between_waves(self, number: int) -> bool:
        """The manual gate after a passed wave. False when the operator halted."""
        if self.progress.policy.gate is Gate.MANUAL and not self._halt_requested:
            self._decision.clear()
            self.progress.set_wave(number + 1, WaveState.AWAITING_PROMOTION)
            self.progress.set_state(
                RolloutState.AWAITING_PROMOTION, f"wave {number} passed; promote to wave {number + 1}?"
            )
            await self._decision.wait()
            if not self._halt_requested:
                self.progress.set_state(RolloutState.RUNNING, f"wave {number + 1} promoted")
                self.progress.set_wave(number + 1, WaveState.DEPLOYING)
        return not self._halt_requested

    async def _roll_back(self, failed: int, why: str) -> None:
        """Every stack this rollout moved, most recent wave first, back to its old release."""
        self.progress.set_state(RolloutState.ROLLING_BACK, why)
        for number in range(failed, 0, -1):
            starts = []
            for name in self.progress.wave(number).stacks:
                stack = self.progress.stacks[name]
                if not stack.moved or stack.job is None:
                    continue
                before = stack.before
                if before is None or not (before.sha or before.image):
                    self.progress.set_stack(name, stack.phase, "nothing ran there before: left as is")
                    continue
                request = DeployRequest(image=before.image) if before.image else DeployRequest(ref=before.sha)
                running = self.engine.start_deploy(
                    self.app, [name], request, rollback_of={name: stack.job.id}, run=self.run_id
                )
                self.progress.add_job(name, running.run.jobs[0], rollback=True)
                self.progress.set_stack(name, StackPhase.ROLLING_BACK, f"back to {before.label}")
                starts.append(running)
            self._current_rollbacks = starts
            for running in starts:
                await asyncio.shield(running.task)
            for running in starts:
                job = running.run.jobs[0]
                if job.status is DeployStatus.CANCELLED:
                    raise asyncio.CancelledError
                ok = job.status is DeployStatus.SUCCEEDED
                self.progress.set_stack(
                    job.stack, StackPhase.ROLLED_BACK if ok else StackPhase.ROLLBACK_FAILED,
                    None if ok else job.reason,
                )
            self._current_rollbacks = []

    async def _cancelled(self, current_wave: int) -> None:
        """Cancel what runs, start nothing, and say so per stack."""
        running = [self._current, *self._current_rollbacks]
        for deploy in running:
            if deploy is not None:
                deploy.cancel()
        for deploy in running:
            if deploy is not None:
                await finish(deploy.task)  # its jobs settle (bounded) before the locks go
        for stack in self.progress.stacks.values():
            for job in (stack.job, stack.rollback_job):
                if job is not None and not job.is_final:
                    job.cancel()
            if stack.phase in (StackPhase.LOCKING, StackPhase.DEPLOYING, StackPhase.CHECKING,
                               StackPhase.ROLLING_BACK):
                self.progress.set_stack(stack.name, StackPhase.CANCELLED, "rollout cancelled")
        if current_wave:
            self.progress.set_wave(current_wave, WaveState.CANCELLED, "rollout cancelled")
        self._skip_from(max(1, current_wave), "rollout cancelled")
        self.progress.set_state(RolloutState.CANCELLED)

    def _skip_from(self, number: int, reason: str) -> None:
        """Stacks of wave ``number`` on that never started end ``skipped``, with a job."""
        for wave in self.progress.waves[number - 1:]:
            for name in wave.stacks:
                stack = self.progress.stacks[name]
                if stack.job is None:
                    self.progress.add_job(name, self._skipped_job(name, reason))
                    self.progress.set_stack(name, StackPhase.SKIPPED, reason)
            if not wave.state.is_final:
                self.progress.set_wave(wave.number, WaveState.SKIPPED, reason)

    def _skipped_job(self, name: str, reason: str) -> DeployJob:
        """A job for a stack that never started, so history and the summary show it too."""
        request = self.options.request
        job_id = self.engine.history.allocate_ids(1)[0]
        if self.run_id is None:
            self.run_id = job_id
        job = DeployJob(
            id=job_id,
            app=self.app.name,
            stack=name,
            via=self.engine.via,
            ref=request.ref or (None if request.image else self.app.branch),
            image=request.image,
            run=self.run_id,
        )
        self.engine.history.track(job)
        job.skip(reason)
        return job

    async def _release_locks(self) -> None:
        holder = self.options.lock.holder

        async def free(name: str) -> None:
            await release(self.backend, self.app, self.engine.fleet.stack(name), holder)

        await fan_out(list(self._locked), free)
        self._locked.clear()

    async def _watch_slow_jobs(self) -> None:
        while True:
            await asyncio.sleep(self.engine.polls.slow)
            now = clock.now()
            for stack in self.progress.stacks.values():
                job = stack.job
                if job is None or job.is_final or job.id in self._slow_flagged:
                    continue
                if JobTiming(elapsed=job.elapsed(now), usual=self._usual.get(job.stack)).slow:
                    self._slow_flagged.add(job.id)
                    self.progress.job_slow(job.stack, job)
