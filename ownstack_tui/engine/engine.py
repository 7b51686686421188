"""What both front ends call: deploys, status, config and scale across an app's stacks.

The engine owns one backend (SSH or API) for its lifetime, so every command and stream
shares the backend's connections. Work on several stacks always goes through
:func:`fan_out`: parallel, bounded, one stack's failure kept to that stack.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ownstack_tui.backends.base import AppState, Backend, DeployRequest
from ownstack_tui.engine.polls import PRODUCTION_POLLS, PollIntervals
from ownstack_tui.errors import AppNotOnStack, HostKeyError, describe_failure
from ownstack_tui.fanout import DEFAULT_PARALLELISM, READ_PARALLELISM, StackOutcome, fan_out
from ownstack_tui.model.config import StackConfigPlan, effective_config, plan_stack_config
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.health import FleetHealth
from ownstack_tui.model.jobs import DeployJob, DeployRun

if TYPE_CHECKING:
    # The history file and the health reader are first used after the console's first frame
    # (and by some commands not at all): imported then.
    from ownstack_tui.engine.fleet_health import HealthReader
    from ownstack_tui.engine.history import ChangeKind, History

# A step run for one job before its stack deploys (a rollout takes its deploy lock there).
StackStep = Callable[[DeployJob], Awaitable[None]]

# After a cancel, how long the stacks get to say what they now run. Bounded, because quitting
# the console waits for it; past it a job says its stack's state is unknown.
CANCEL_CHECK_TIMEOUT = 5.0


async def outlast(task: asyncio.Task[Any]) -> None:
    """Wait until ``task`` ends, whether it ended cancelled or not, without cancelling it when
    the caller is cancelled. The caller's own cancel still raises: swallowing it let a
    console worker cancelled at quit carry on as if the run had ended, and start readings
    that nobody awaited, run after the engine closed (one starting git hung the loop's end)."""
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():  # the cancel was the caller's, not the task's own end
            raise


async def finish(task: asyncio.Task[Any]) -> None:
    """Wait until ``task`` ends, through any cancel of the caller: cleanup that must end before
    the caller does (a rollout's locks released before the CLI closes the connections under a
    second Ctrl-C). ``task`` is bounded itself, and the event loop's end cancels it too."""
    while not task.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)


@dataclass
class RunningDeploy:
    run: DeployRun
    task: asyncio.Task[None]

    async def wait(self) -> DeployRun:
        await outlast(self.task)
        return self.run

    def cancel(self) -> None:
        self.task.cancel()

    async def detach(self) -> None:
        """Stop watching jobs someone else runs (the control plane); they are not cancelled."""
        self.run.detached = True
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class Engine:
    def __init__(
        self,
        fleet: Fleet,
        backend: Backend,
        history: History | None = None,
        parallelism: int = READ_PARALLELISM,
        polls: PollIntervals = PRODUCTION_POLLS,
    ) -> None:
        self.fleet = fleet
        self.polls = polls  # how often a rollout re-checks health and a held lock
        self.backend = backend
        self._history = history
        self.parallelism = parallelism

    @property
    def history(self) -> History:
        """The deploy history (the default one, under the data folder, made on first use)."""
        if self._history is None:
            from ownstack_tui.engine.history import History

            self._history = History()
        return self._history

    @cached_property
    def _health(self) -> HealthReader:
        from ownstack_tui.engine.fleet_health import HealthReader

        return HealthReader(self.backend, self.parallelism)

    @property
    def via(self) -> str:
        return self.backend.via

    async def close(self) -> None:
        if self._history is not None:  # none opened: nothing to close
            self._history.close()
        await self.backend.close()

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def trust_host_key(self, error: HostKeyError, remember: bool) -> None:
        """Trust a key the user accepted: for this session, or (``remember``) in known_hosts."""
        trust = getattr(self.backend, "trust_host_key", None)
        if trust is not None:
            trust(error, remember)

    async def sync_target(self, app: App, stack: Stack, present: bool) -> None:
        """Tell a control plane that ``stack`` is (or no longer is) a target of ``app``.
        Direct to dokku there is nothing to tell: targets live in the fleet file alone."""
        method = getattr(self.backend, "add_target" if present else "remove_target", None)
        if method is not None:
            await method(app, stack)

    # -- status --------------------------------------------------------------------------

    async def probe_stacks(self, names: Sequence[str]) -> dict[str, StackOutcome[str]]:
        """Reachability of stacks (not tied to an app): each one's dokku version or error."""
        return await fan_out(
            names, lambda name: self.backend.probe(self.fleet.stack(name)), self.parallelism
        )

    async def app_states(
        self, app: App, only: Sequence[str] = ()
    ) -> dict[str, StackOutcome[AppState]]:
        stacks = self.fleet.target_stacks(app, only)
        by_name = {stack.name: stack for stack in stacks}
        return await fan_out(
            by_name, lambda name: self.backend.app_state(app, by_name[name]), self.parallelism
        )

    async def fleet_health(self, app: App, only: Sequence[str] = ()) -> FleetHealth:
        """Every target stack's health at once: typed cells with severities and outliers,
        each stack's problems, and the age of the reading each row shows."""
        return await self._health.read(self.fleet, app, only)

    async def restart(
        self, app: App, stack: Stack, process: str | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        """``ps:restart`` on one stack, recorded in history (worked or not)."""
        from ownstack_tui.engine.history import ChangeKind

        await self._recorded(ChangeKind.RESTART, app, stack, process,
                             self.backend.restart(app, stack, process, on_line))

    async def rebuild(self, app: App, stack: Stack, on_line: Callable[[str], None] | None = None) -> None:
        """``ps:rebuild`` on one stack, recorded in history (worked or not)."""
        from ownstack_tui.engine.history import ChangeKind

        await self._recorded(ChangeKind.REBUILD, app, stack, None, self.backend.rebuild(app, stack, on_line))

    async def _recorded(
        self, kind: ChangeKind, app: App, stack: Stack, process: str | None, work: Awaitable[None]
    ) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.history.record_action(app.name, kind, stack.name, describe_failure(error), process)
            raise
        self.history.record_action(app.name, kind, stack.name, None, process)

    # -- deploys -------------------------------------------------------------------------

    def start_deploy(
        self,
        app: App,
        only: Sequence[str] = (),
        request: DeployRequest | None = None,
        rollback_of: Mapping[str, int] | None = None,
        prepare: StackStep | None = None,
        run: int | None = None,
    ) -> RunningDeploy:
        """Create one job per target stack and start them all; returns at once.
        ``rollback_of`` maps a stack to the job whose change its new job undoes. ``prepare``
        runs for each job (connecting) before its stack deploys, each stack on its own: when
        it raises, that job fails with the reason and the others go on. ``run`` names the run
        the jobs belong to (a rollout's waves are one run); by default their first job's id."""
        request = request or DeployRequest()
        stacks = self.fleet.target_stacks(app, only)
        ids = self.history.allocate_ids(len(stacks))
        jobs = [
            DeployJob(
                id=job_id,
                app=app.name,
                stack=stack.name,
                via=self.via,
                ref=request.ref or (None if request.image else app.branch),
                image=request.image,
                rollback_of=(rollback_of or {}).get(stack.name),
                run=run if run is not None else ids[0],
            )
            for job_id, stack in zip(ids, stacks, strict=True)
        ]
        for job in jobs:
            self.history.track(job)
        run = DeployRun(app.name, jobs)
        desired = {stack.name: effective_config(app, stack.name) for stack in stacks}
        by_name = {stack.name: stack for stack in stacks}
        task = asyncio.get_running_loop().create_task(
            self._drive(app, run, by_name, request, desired, prepare), name=f"deploy {app.name}"
        )
        return RunningDeploy(run, task)

    async def _drive(
        self,
        app: App,
        run: DeployRun,
        stacks: Mapping[str, Stack],
        request: DeployRequest,
        desired: Mapping[str, Mapping[str, str]],
        prepare: StackStep | None = None,
    ) -> None:
        async def prepared(job: DeployJob) -> None:
            assert prepare is not None
            job.set_status(DeployStatus.CONNECTING)
            try:
                await prepare(job)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                job.fail(describe_failure(error))
                return
            await self.backend.deploy(
                app, [job], {job.stack: stacks[job.stack]}, request, {job.stack: desired[job.stack]}
            )

        try:
            if prepare is None:
                await self.backend.deploy(app, run.jobs, stacks, request, desired)
            else:
                by_stack = {job.stack: job for job in run.jobs}
                await fan_out(by_stack, lambda name: prepared(by_stack[name]), DEFAULT_PARALLELISM)
        except asyncio.CancelledError:
            if not run.detached:
                await self._settle_cancelled(app, run, stacks)
            raise
        except Exception as error:  # a backend bug must still leave honest statuses
            for job in run.jobs:
                if not job.is_final:
                    job.fail(f"internal error: {type(error).__name__}: {error}")
        for job in run.jobs:
            if not job.is_final:
                job.fail("the backend stopped without a result for this stack")

    async def _settle_cancelled(self, app: App, run: DeployRun, stacks: Mapping[str, Stack]) -> None:
        """Record what a cancel really left: a push may have gone through, and via the API
        only our watching stops. The backend re-reads the stacks; what it cannot settle in
        time is cancelled with the reason that the stack's state is unknown."""
        jobs = [job for job in run.jobs if not job.is_final]
        try:
            async with asyncio.timeout(CANCEL_CHECK_TIMEOUT):
                await self.backend.settle_cancelled(app, jobs, stacks)
        except (Exception, asyncio.CancelledError):  # a second cancel or a failure: say so below
            pass
        for job in jobs:
            if not job.is_final:
                job.set_status(
                    DeployStatus.CANCELLED,
                    f"cancelled; {job.stack} could not be re-read within "
                    f"{CANCEL_CHECK_TIMEOUT:g} s, so what it runs now is unknown",
                )

    # -- config --------------------------------------------------------------------------

    async def read_configs(
        self, app: App, only: Sequence[str] = ()
    ) -> dict[str, StackOutcome[dict[str, str]]]:
        from ownstack_tui.model.deploy_lock import without_lock_key

        stacks = {stack.name: stack for stack in self.fleet.target_stacks(app, only)}

        async def read(name: str) -> dict[str, str]:
            # The deploy-lock record is ours, not the app's: no display, plan or drift shows it.
            return without_lock_key(await self.backend.read_config(app, stacks[name]))

        return await fan_out(stacks, read, self.parallelism)

    async def plan_config(
        self,
        app: App,
        only: Sequence[str] = (),
        removed: Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, StackOutcome[StackConfigPlan]]:
        """Per stack: what the fleet wants against what the stack has. ``removed`` maps a stack
        to keys the user just unset there (only those are ever unset)."""
        actual = await self.read_configs(app, only)
        plans: dict[str, StackOutcome[StackConfigPlan]] = {}
        for name, outcome in actual.items():
            if isinstance(outcome.exception, AppNotOnStack):
                plans[name] = StackOutcome(name, value=StackConfigPlan(name, app_missing=True))
                continue
            if outcome.value is None:
                plans[name] = StackOutcome(name, error=outcome.error, exception=outcome.exception)
                continue
            plan = plan_stack_config(
                name,
                effective_config(app, name),
                outcome.value,
                (removed or {}).get(name, ()),
            )
            plans[name] = StackOutcome(name, value=plan)
        return plans

    async def apply_config(
        self, app: App, plans: Mapping[str, StackConfigPlan], restart: bool
    ) -> dict[str, StackOutcome[list[str]]]:
        stacks = {name: self.fleet.stack(name) for name in plans}

        async def apply(name: str) -> list[str]:
            plan = plans[name]
            if plan.is_empty:
                return []
            return await self.backend.apply_config(app, stacks[name], plan, restart)

        outcomes = await fan_out(stacks, apply, self.parallelism)
        self.history.record_config(app.name, plans, outcomes)
        return outcomes

    # -- scale and logs ------------------------------------------------------------------

    async def read_scales(
        self, app: App, only: Sequence[str] = ()
    ) -> dict[str, StackOutcome[dict[str, int]]]:
        stacks = {stack.name: stack for stack in self.fleet.target_stacks(app, only)}
        return await fan_out(
            stacks, lambda name: self.backend.read_scale(app, stacks[name]), self.parallelism
        )

    async def set_scales(
        self, app: App, changes: Mapping[str, Mapping[str, int]]
    ) -> dict[str, StackOutcome[list[str]]]:
        stacks = {stack.name: stack for stack in self.fleet.target_stacks(app, list(changes))}
        outcomes = await fan_out(
            stacks,
            lambda name: self.backend.set_scale(app, stacks[name], changes[name]),
            self.parallelism,
        )
        self.history.record_scale(app.name, changes, outcomes)
        return outcomes

    def logs(
        self, app: App, stack: Stack, num: int = 100, process: str | None = None,
        follow: bool = False,
    ) -> AsyncIterator[str]:
        return self.backend.logs(app, stack, num, process, follow)

    async def replicate(self, source: App, new_name: str, stack: Stack) -> list[str]:
        return await self.backend.replicate(source, new_name, stack)
