"""The Console: the one owner of what the console shows, and the only listener to the engine.

It holds the fleet, the selected app, each stack's state, the current run and the history.
Widgets call its intents (``deploy``, ``cancel``, ``refresh``, ``apply_config``, ...) and
render the messages it publishes (:mod:`ownstack_tui.tui.messages`) to the main screen.
Its work runs as App workers, so one App handler reports every failure; job events (which may
arrive on any thread) are re-published thread-safely, log lines gathered per ~100 ms.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from ownstack_tui.backends.base import AppState, DeployRequest
from ownstack_tui.engine.engine import Engine, RunningDeploy
from ownstack_tui.errors import HostKeyError, InvalidInput, UnknownHostKey, describe_failure
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.failure_groups import FailureGroup, failures_of, transient_stacks
from ownstack_tui.model.fleet import App as AppModel
from ownstack_tui.model.fleet import Fleet
from ownstack_tui.model.jobs import DeployJob, DeployRun, JobEvent, Unsubscribe
from ownstack_tui.model.rollout import OnFailure, RolloutPolicy, RolloutState, all_at_once
from ownstack_tui.model.selectors import parse_selector
from ownstack_tui.model.stack_groups import StackListing, parse_group_by, suggest_group_by
from ownstack_tui.tui import messages
from ownstack_tui.tui.fleet_watch import FleetWatch
from ownstack_tui.tui.line_batch import LineBatch
from ownstack_tui.tui.stack_state import StackState
from ownstack_tui.tui.throttle import CHANGES_EVERY, Throttle

if TYPE_CHECKING:
    # What only later actions use (a deploy, the history, config edits, logs) is imported by
    # them: the console's first frame does not wait for it.
    from ownstack_tui.engine.config_edits import ConfigEdit
    from ownstack_tui.engine.history import HistoryEntry, TimelineItem
    from ownstack_tui.engine.log_tail import TailEvent
    from ownstack_tui.engine.rollout import RunningRollout
    from ownstack_tui.tui.rollout_relay import RolloutRelay

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # failures are shown as notifications, not on stderr

LINES_EVERY = 0.1  # seconds: job log lines are published at most this often
REPEAT_NOTICE_AFTER = 60.0  # seconds before the same failure of the same work is shown again


@dataclasses.dataclass(frozen=True)
class DeployOrder:
    """What one console deploy was asked for: its waves, ref, rollback titles, and the command
    line the deploy lock names as its owner."""

    policy: RolloutPolicy
    request: DeployRequest | None
    rollbacks: Mapping[str, tuple[str | None, str]] | None
    command: list[str]


class Console:
    def __init__(
        self,
        app: App[Any],
        fleet_path: Path,
        fleet: Fleet,
        app_model: AppModel,
        engine: Engine,
        clock: Callable[[], float],
    ) -> None:
        self.app = app
        self.fleet_path = fleet_path
        self.fleet = fleet
        self.app_model = app_model
        self.engine = engine
        self.clock = clock
        self.states = {
            name: StackState(name=name, host=fleet.stacks[name].host, tags=fleet.stacks[name].tags)
            for name in app_model.stacks
        }
        # What the sidebar lists (filter, groups, order): what is shown, never what the
        # deploy keys deploy (d: every target, r: the failed, s: the highlighted stack).
        self.listing = StackListing(group_by=fleet.group_by)
        self._last_group_by = fleet.group_by
        self.running: RunningDeploy | None = None
        self.rollout: RunningRollout | None = None  # every SSH deploy is one (it takes the lock)
        self._relay: RolloutRelay | None = None
        self.selected_stack: str | None = next(iter(self.states), None)  # the sidebar's
        self.history: list[TimelineItem] | None = None  # None until first read
        self._receiver: MessagePump | None = None
        self._deploying = False
        self._refreshing = False
        self._refresh_again = False
        # A run ended: the next status reading to start is followed by a health reading for
        # the sidebar's marks (crashed, behind), else they stay as judged before the run.
        self._health_after_read = False
        self._asked_host_keys: set[str] = set()  # stacks asked about this session
        self._told: set[str] = set()  # host-key problems already shown once
        self._reported: dict[str, tuple[str, float]] = {}  # work -> (its error, when told)
        self._stops: list[Unsubscribe] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lines = LineBatch(lambda lines: self.publish(messages.JobLines(lines)), LINES_EVERY)
        self._stacks_changed = Throttle(lambda: self.publish(messages.StacksChanged()), CHANGES_EVERY, None)
        self._progress = Throttle(self._publish_progress, CHANGES_EVERY, None)
        self.fleet_watch = FleetWatch(self)  # fleet health: the Fleet tab, the sidebar's glyphs

    # -- wiring --------------------------------------------------------------------------

    @property
    def refresh_interval(self) -> float:
        return self.fleet.refresh_interval

    def attach(self, receiver: MessagePump) -> None:
        """Publish to ``receiver`` (the main screen) from now on."""
        self._receiver = receiver

    def start(self) -> None:
        """Read the stacks and the history now, then keep reading every refresh interval."""
        self._loop = asyncio.get_running_loop()
        self._lines.start(self._loop)
        self._stacks_changed.start(self._loop)
        self._progress.start(self._loop)
        self.app.set_interval(self.refresh_interval, self.refresh, name="auto-refresh")
        self.refresh()
        self.load_history()

    def publish(self, message: Message) -> None:
        """Safe from any thread: post_message hands the message to the receiver's loop."""
        if self._receiver is not None:
            self._receiver.post_message(message)

    @property
    def closing(self) -> bool:
        """The app is shutting down: Textual has cancelled its workers and awaits none started
        now, so none is (it would read the stacks after the engine closed, the loop ending)."""
        return not self.app.is_running

    def run_work(
        self, work: Coroutine[Any, Any, None], name: str, what: str, group: str | None = None
    ) -> None:
        """Run ``work`` in a worker (its failure goes to the App's one handler); not once closing."""
        if self.closing:
            work.close()  # never to run: closed, so Python does not warn it was never awaited
            return
        self.app.run_worker(
            work, name=name, group=group or name, description=what, exit_on_error=False
        )

    def _run_in_thread(self, work: Callable[[], None], name: str, what: str) -> None:
        if self.closing:
            return
        self.app.run_worker(
            work, name=name, group=name, description=what, exit_on_error=False, thread=True
        )

    def _on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback`` on the app's loop, whichever thread calls."""
        loop = self._loop
        if loop is None or _on_thread_of(loop):
            callback(*args)
        else:
            loop.call_soon_threadsafe(callback, *args)

    # -- failures ------------------------------------------------------------------------

    def report_failure(self, worker: Worker[Any]) -> None:
        """A worker raised: say so, and tell the widget that ran it (to show the truth)."""
        what = worker.description or worker.name or "background work"
        error = worker.error
        text = describe_failure(error) if error is not None else "stopped"
        log.error("%s failed", what, exc_info=error)
        # Repeated work (the timer's refresh, the history read) failing the same way again
        # is not news: one toast per minute for it, the status still says it every time.
        now = self.clock()
        last = self._reported.get(what)
        if last is None or last[0] != text or now - last[1] > REPEAT_NOTICE_AFTER:
            self._reported[what] = (text, now)
            self.app.notify(f"{what} failed: {text}", severity="error", timeout=15, markup=False)
        failed = messages.WorkFailed(what, text, worker.name)
        if worker.node is self.app:
            self.publish(failed)
        else:
            worker.node.post_message(failed)

    def _listener_failed(self, what: str, error: BaseException) -> None:
        log.error("%s failed", what, exc_info=error)
        text = describe_failure(error)
        self._on_loop(
            lambda: self.app.notify(f"{what} failed: {text}", severity="error", markup=False)
        )
        self.publish(messages.WorkFailed(what, text))

    # -- status --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read every stack again (one reading at a time: a request during one runs after)."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        # Taken by a reading that starts now: one in flight may have begun before the run ended.
        health, self._health_after_read = self._health_after_read, False
        self.run_work(self._refresh(health), "status", "refresh status")

    async def _refresh(self, health: bool = False) -> None:
        read = False
        try:
            for state in self.states.values():
                state.checking = True
            self._stacks_changed.request()
            outcomes = await self.engine.app_states(self.app_model)
            now = self.clock()
            for name, outcome in outcomes.items():
                if name in self.states:
                    _record_reading(self.states[name], outcome, now)
            read = True
        finally:
            for state in self.states.values():
                state.checking = False
            self._refreshing = False
            self._stacks_changed.request()
            if not read:
                # The reading raised (reported by the worker): a health reading owed after a
                # run, and a refresh asked for meanwhile, go to the next reading, not the timer.
                self._health_after_read = self._health_after_read or health
                self._refresh_soon()
        self._host_key_problems(list(outcomes.values()))
        self.load_history()  # deploys from the command line land there too
        self.fleet_watch.after_status_read(after_run=health)
        self._refresh_soon()

    def _refresh_soon(self) -> None:
        """Start the reading asked for while one was in flight, if any."""
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _host_key_problems(self, outcomes: Sequence[StackOutcome[AppState]]) -> None:
        unknown = []
        for outcome in outcomes:
            error = outcome.exception
            if isinstance(error, UnknownHostKey):
                if outcome.stack not in self._asked_host_keys:
                    self._asked_host_keys.add(outcome.stack)
                    unknown.append(error)
            elif isinstance(error, HostKeyError) and str(error) not in self._told:
                self._told.add(str(error))
                self.app.notify(str(error), severity="error", timeout=15, markup=False)
        if unknown:
            self.publish(messages.HostKeysUnknown(unknown))

    def trust_host_key(self, error: UnknownHostKey, remember: bool) -> None:
        """The user accepted the key: for this session, or (``remember``) in known_hosts."""
        self.engine.trust_host_key(error, remember)

    def record_drift(self, drift: Mapping[str, int | None]) -> None:
        for name, count in drift.items():
            if name in self.states:
                self.states[name].drift = count
        self._stacks_changed.request()

    # -- deploys -------------------------------------------------------------------------

    @property
    def is_deploying(self) -> bool:
        return self._deploying

    def failed_stacks(self) -> list[str]:
        return [name for name, state in self.states.items() if state.status is DeployStatus.FAILED]

    def failure_groups(self) -> list[FailureGroup]:
        """The console's failed jobs grouped by cause (the largest group first)."""
        return failures_of(state.job for state in self.states.values() if state.job is not None)

    def transient_failures(self) -> list[str]:
        """Stacks whose deploy failed for a passing cause (connection lost, timeout, lock busy)."""
        return transient_stacks(self.failure_groups())

    def deploy_app(self, at_once: bool = False) -> bool:
        """Deploy every target stack: in the waves of the app's ``[rollout]`` when it declares
        one (as plain ``deploy`` does), else, or ``at_once``, all at once (``--all-at-once``)."""
        app = self.app_model
        staged = app.rollout is not None and not at_once
        policy = all_at_once(app.stacks)
        if staged and app.rollout is not None:  # its waves may name tags: as stack names here
            try:
                waves = self.fleet.expand_waves(app, app.rollout.waves, f"[apps.{app.name}.rollout]")
            except InvalidInput as error:  # a selector naming nothing: say so, deploy nothing
                self.app.notify(str(error), severity="error", timeout=15, markup=False)
                return False
            policy = dataclasses.replace(app.rollout, waves=waves)
        flags = ["--all-at-once"] if at_once and app.rollout is not None else []
        return self._start(policy, None, None, ["deploy", app.name, *flags], "deploy")

    def deploy(self, stacks: Sequence[str], request: DeployRequest | None = None) -> bool:
        """Deploy just ``stacks``, all at once, no waves (the CLI's ``--stack``); False (and
        nothing started) while a run is going."""
        words = [f"--stack {name}" for name in stacks]
        policy = all_at_once(list(stacks), partial=True)
        return self._start(policy, request, None, ["deploy", self.app_model.name, *words], "deploy")

    def rollback(self, entry: HistoryEntry) -> bool:
        """Deploy the SHA of a past job again, to that job's stack alone."""
        if not entry.sha:
            return False
        rollbacks = {entry.stack: (self.states[entry.stack].deployed_sha, entry.sha)}
        request = DeployRequest(ref=entry.sha)
        command = ["deploy", self.app_model.name, f"--stack {entry.stack}", f"--ref {entry.sha[:7]}"]
        return self._start(all_at_once([entry.stack], partial=True), request, rollbacks, command,
                           "roll back")

    def _start(
        self,
        policy: RolloutPolicy,
        request: DeployRequest | None,
        rollbacks: Mapping[str, tuple[str | None, str]] | None,
        command: list[str],
        what: str,
    ) -> bool:
        if self._deploying:
            return False
        self._deploying = True
        order = DeployOrder(policy, request, rollbacks, command)
        self.run_work(self._deploy(order), "deploy", what)
        return True

    async def _deploy(self, order: DeployOrder) -> None:
        # The rollout engine (and its health waits, relay, view) is imported at the first
        # deploy: the console's first frame does not need it.
        from ownstack_tui.engine.rollout import runs_as_rollout

        try:
            if runs_as_rollout(self.engine.via, order.policy):
                await self._roll_out(order)
            else:
                await self._deploy_plain(list(order.policy.waves[0]), order.request, order.rollbacks)
        finally:
            self._deploying = False
            self._relay = None
            for stop in self._stops:
                stop()
            self._stops.clear()
            # Even when the run raised (the worker reports it): it may have changed stacks
            # before it did, so they are read again now, not at the timer's next tick.
            self.load_history()
            self._health_after_read = True
            self.refresh()

    async def _roll_out(self, order: DeployOrder) -> None:
        """As the CLI does: the deploy lock under this user's name, released at the end."""
        from ownstack_tui.engine.deploy_lock import LockRequest, new_holder
        from ownstack_tui.engine.rollout import RolloutOptions, start_rollout
        from ownstack_tui.tui.rollout_relay import RolloutRelay

        holder = new_holder([*order.command, "(console)"])
        options = RolloutOptions(order.request or DeployRequest(), LockRequest(holder))
        rollout = start_rollout(self.engine, self.app_model, order.policy, options)
        self.rollout = rollout
        self._relay = relay = RolloutRelay(rollout, self.publish, self._track_job, order.rollbacks,
                                           wave_ended=self._wave_ended, loop=self._loop)
        self._stops.append(relay.start())
        progress = await rollout.wait()
        self._changes_flushed()
        run = DeployRun(progress.app, progress.jobs)
        outcome = None
        if len(progress.waves) > 1:
            outcome = f"rollout {progress.state.value}" + (f": {progress.reason}" if progress.reason else "")
        self.publish(messages.RunFinished(run, messages.RunSummary.of(run, outcome)))

    def _wave_ended(self) -> None:
        """A wave passed or failed: its stacks changed, and a gate may wait long for the next,
        so the stacks and the sidebar's health marks are read again now, as after a run."""
        self._health_after_read = True
        self.refresh()

    def _track_job(self, job: DeployJob, usual: float | None) -> None:
        state = self.states[job.stack]
        state.job, state.usual = job, usual
        self._stops.append(job.subscribe(self._on_job_event))
        self._stacks_changed.request()

    async def _deploy_plain(
        self,
        stacks: list[str],
        request: DeployRequest | None,
        rollbacks: Mapping[str, tuple[str | None, str]] | None = None,
    ) -> None:
        """Through the API: the control plane runs the jobs (no waves, no lock there yet)."""
        from ownstack_tui.engine.rollout import usual_durations

        running = self.engine.start_deploy(self.app_model, stacks, request)
        self.running = running
        usual = usual_durations(self.engine, self.app_model.name, stacks)
        for job in running.run.jobs:
            self.states[job.stack].job = job
            self.states[job.stack].usual = usual.get(job.stack)
            self._stops.append(job.subscribe(self._on_job_event))
        self.publish(messages.RunStarted(running.run, rollbacks, usual))
        self.publish(messages.RunProgress(0, len(running.run.jobs)))
        self._stacks_changed.request()
        run = await running.wait()
        self._changes_flushed()
        self.publish(messages.RunFinished(run, messages.RunSummary.of(run)))

    @property
    def awaiting_promotion(self) -> bool:
        rollout = self.rollout
        return rollout is not None and rollout.state is RolloutState.AWAITING_PROMOTION

    @property
    def can_halt(self) -> bool:
        """A staged rollout runs and a later wave has not started."""
        rollout = self.rollout
        if rollout is None or len(rollout.progress.waves) < 2:
            return False
        return rollout.state in (RolloutState.RUNNING, RolloutState.AWAITING_PROMOTION) and any(
            stack.job is None for stack in rollout.progress.stacks.values()
        )

    @property
    def halt_rolls_back(self) -> bool:
        """The running rollout's ``on_failure = "rollback"``: a halt undoes what went out."""
        rollout = self.rollout
        return rollout is not None and rollout.progress.policy.on_failure is OnFailure.ROLLBACK

    def promote(self) -> bool:
        """Start the next wave of a rollout waiting at a manual gate; False when none waits."""
        if not self.awaiting_promotion or self.rollout is None:
            return False
        self.rollout.promote()
        return True

    def halt(self) -> bool:
        """Start no further wave (at a gate at once, else once the running wave ends); with
        ``on_failure = "rollback"`` what went out is rolled back. False when nothing to halt."""
        if not self.can_halt or self.rollout is None:
            return False
        self.rollout.halt()
        return True

    def cancel(self) -> bool:
        """Cancel the running deploy or rollout; False when none is running."""
        rollout = self.rollout
        if rollout is not None and not rollout.state.is_final:
            rollout.cancel()
            return True
        if self.running is None or self.running.run.is_finished:
            return False
        self.running.cancel()
        return True

    def _on_job_event(self, event: JobEvent) -> None:
        """Called by the backend, possibly off the loop: nothing here may raise into it."""
        try:
            if event.lines:
                self._lines.add(event.job, event.lines)
                return
            self._lines.flush()  # the lines before a status change are shown before it
            self.publish(messages.JobUpdated(event.job))
            self._stacks_changed.request()
            self._progress.request()
        except Exception as error:
            self._listener_failed(f"showing job {event.job.id}", error)

    def _publish_progress(self) -> None:
        running = self.running
        if self._relay is not None:
            self._relay.publish_progress()
        elif running is not None:
            jobs = running.run.jobs
            self.publish(messages.RunProgress(sum(j.is_final for j in jobs), len(jobs)))

    def _changes_flushed(self) -> None:
        """What is waiting in the throttles goes out now: before a RunFinished."""
        self._lines.flush()
        if self._relay is not None:
            self._relay.flush()
        self._progress.flush()
        self._stacks_changed.flush()

    # -- history -------------------------------------------------------------------------

    def load_history(self) -> None:
        """Read the history file in a thread; publishes HistoryLoaded."""
        self._run_in_thread(self._read_history, "history", "read deploy history")

    def _read_history(self) -> None:
        items = self.engine.history.timeline(app=self.app_model.name)
        self._on_loop(self._history_read, items)

    def _history_read(self, items: list[TimelineItem]) -> None:
        from ownstack_tui.engine.history import HistoryEntry

        if items == self.history:
            return  # nothing new: the History table keeps its cursor
        self.history = items
        newest: dict[str, HistoryEntry] = {}
        for item in items:  # newest first; config and scale changes are no deploys
            if isinstance(item, HistoryEntry):
                newest.setdefault(item.stack, item)
        for name, state in self.states.items():
            state.last_entry = newest.get(name)
        self.publish(messages.HistoryLoaded(items))
        self._stacks_changed.request()

    def open_job_log(self, entry: HistoryEntry) -> None:
        """Read a past job's log in a thread; publishes JobLogRead."""

        def read() -> None:
            lines = self.engine.history.log_lines(entry.id)
            self.publish(messages.JobLogRead(entry, lines))

        self._run_in_thread(read, "job-log", f"read the log of job {entry.id}")

    # -- config and scale ----------------------------------------------------------------

    async def read_configs(self) -> dict[str, StackOutcome[dict[str, str]]]:
        return await self.engine.read_configs(self.app_model)

    async def plan_config(
        self, preview: AppModel, stacks: Sequence[str], removed: Mapping[str, Sequence[str]]
    ) -> dict[str, StackOutcome[StackConfigPlan]]:
        return await self.engine.plan_config(preview, stacks, removed)

    async def write_config_edits(self, edits: Sequence[ConfigEdit]) -> None:
        """Write staged edits to the fleet file (two fsyncs: off the loop), then use it."""
        from ownstack_tui.engine import config_edits

        fleet = await asyncio.to_thread(
            config_edits.write_config_edits, self.fleet_path, self.app_model.name, list(edits)
        )
        self.fleet_changed(fleet)

    async def apply_config(
        self, plans: Mapping[str, StackConfigPlan], restart: bool
    ) -> dict[str, StackOutcome[list[str]]]:
        try:
            return await self.engine.apply_config(self.app_model, plans, restart)
        finally:
            self.refresh()

    async def read_scales(self) -> dict[str, StackOutcome[dict[str, int]]]:
        return await self.engine.read_scales(self.app_model)

    async def set_scale(
        self, changes: Mapping[str, Mapping[str, int]]
    ) -> dict[str, StackOutcome[list[str]]]:
        try:
            return await self.engine.set_scales(self.app_model, changes)
        finally:
            self.refresh()

    def fleet_changed(self, fleet: Fleet) -> None:
        """The fleet file was rewritten: every part sees the new fleet."""
        self.fleet = fleet
        self.app_model = fleet.app(self.app_model.name)
        self.engine.fleet = fleet
        for name, state in self.states.items():
            if name in fleet.stacks:  # tags may have changed (stack:tag from another shell)
                state.tags = fleet.stacks[name].tags
        self.publish(messages.FleetChanged(fleet))
        self._stacks_changed.request()

    # -- the sidebar's listing -----------------------------------------------------------

    def filter_stacks(self, text: str) -> None:
        """List only the stacks the selector ``text`` picks (empty: every stack). A selector
        that cannot be read, or names nothing here, raises SelectorError (bad input) and the
        listing stays as it was."""
        text = text.strip()
        selector = None
        if text:
            selector = parse_selector(text, f"filter {text}")
            stacks = list(self.states.values())
            selector.resolve(stacks, list(self.fleet.stacks.values()), self.app_model.name)
        self._set_listing(dataclasses.replace(self.listing, filter=selector))

    def group_stacks(self, text: str) -> None:
        """Group the sidebar by the tags in ``text`` (``prod,staging``); empty: no groups.
        A bad tag raises InvalidInput and the listing stays as it was."""
        tags = parse_group_by(text)
        if tags:
            self._last_group_by = tags
        self._set_listing(self.listing.with_group_by(tags))

    def group_suggestion(self) -> str:
        """What the grouping prompt offers: the grouping now or last used, else the fleet's
        most used tags."""
        tags = self.listing.group_by or self._last_group_by
        if not tags:
            tags = suggest_group_by(state.tags for state in self.states.values())
        return ",".join(tags)

    def toggle_group(self, group: str) -> None:
        """Collapse a group of the sidebar to its header, or expand it again."""
        self._set_listing(self.listing.toggled(group))

    def toggle_problems_first(self) -> None:
        """Failed stacks first, then running ones, then the rest; or the fleet's order again."""
        self._set_listing(dataclasses.replace(self.listing, problems_first=not self.listing.problems_first))

    def _set_listing(self, listing: StackListing) -> None:
        self.listing = listing
        self.publish(messages.StackListingChanged(listing))

    # -- logs ----------------------------------------------------------------------------

    def follow_logs(
        self, stack: str, backlog: int, first_delay: float
    ) -> AsyncIterator[TailEvent]:
        from ownstack_tui.engine.log_tail import follow_logs

        return follow_logs(
            self.engine, self.app_model, self.fleet.stack(stack), backlog=backlog,
            first_delay=first_delay,
        )

    # -- closing -------------------------------------------------------------------------

    async def close(self) -> None:
        """Quitting mid-deploy cancels it: the jobs are recorded as cancelled, not left running
        (and a rollout's locks released)."""
        rollout = self.rollout
        if rollout is not None and not rollout.state.is_final:
            rollout.cancel()
            await rollout.wait()
        running = self.running
        if running is not None and not running.run.is_finished:
            running.cancel()
            await running.wait()
        self._receiver = None
        await self.engine.close()


def _record_reading(state: StackState, outcome: StackOutcome[AppState], now: float) -> None:
    state.checked_at = now
    state.reachable = outcome.ok
    state.error = outcome.error
    if outcome.value is not None:
        state.app_exists = outcome.value.exists
        state.deployed_sha = outcome.value.deployed_sha
        state.dokku_version = outcome.value.dokku_version


def _on_thread_of(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


class ForwardsWorkerErrors:
    """Mixed into widgets that run their own workers (Textual tells only the worker's node):
    a failure is passed to the App's one handler, which notifies and reports WorkFailed."""

    app: App[Any]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
