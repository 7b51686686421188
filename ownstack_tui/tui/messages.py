"""The messages the Console publishes: what changed, for the screen to show.

None of them bubble: each is posted to the one widget it concerns (the main screen, or the
widget whose work failed), which shows what it says and passes nothing on by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from ownstack_tui.errors import UnknownHostKey
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import Fleet
from ownstack_tui.model.health import FleetHealth
from ownstack_tui.model.jobs import DeployJob, DeployRun
from ownstack_tui.model.stack_groups import StackListing
from ownstack_tui.tui.rollout_view import RolloutView
from ownstack_tui.tui.stack_state import format_elapsed

if TYPE_CHECKING:
    from ownstack_tui.engine.history import HistoryEntry, TimelineItem  # read after the first frame


class ConsoleMessage(Message, bubble=False):
    """Base of every Console message."""


class StacksChanged(ConsoleMessage):
    """Readings, drift or deploy statuses changed: the sidebar shows them again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StacksChanged)  # several queued: the sidebar is drawn once


class StackListingChanged(ConsoleMessage):
    """The sidebar's filter, grouping, collapsed groups or order changed."""

    def __init__(self, listing: StackListing) -> None:
        super().__init__()
        self.listing = listing


class RunStarted(ConsoleMessage):
    """A run began. ``rollbacks`` maps a stack being rolled back to (SHA it ran, SHA it gets);
    ``usual`` a stack to its usual deploy duration (ETA, slow); ``waiting`` names the stacks of
    a rollout that have no job yet (their wave has not started)."""

    def __init__(
        self,
        run: DeployRun,
        rollbacks: Mapping[str, tuple[str | None, str]] | None = None,
        usual: Mapping[str, float | None] | None = None,
        waiting: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.run = run
        self.rollbacks = dict(rollbacks or {})
        self.usual = dict(usual or {})
        self.waiting = list(waiting)


class JobStarted(ConsoleMessage):
    """A rollout made a job for a stack: its wave's deploy, a skipped one, or a rollback
    (``rollback``: the release it ran, the one it goes back to)."""

    def __init__(
        self, job: DeployJob, usual: float | None = None,
        rollback: tuple[str | None, str] | None = None,
    ) -> None:
        super().__init__()
        self.job = job
        self.usual = usual
        self.rollback = rollback


class RolloutChanged(ConsoleMessage):
    """A rollout's waves, stacks or state changed (a frozen copy: safe to keep)."""

    def __init__(self, view: RolloutView) -> None:
        super().__init__()
        self.view = view

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RolloutChanged)  # each view is whole: the newest is enough


class JobUpdated(ConsoleMessage):
    """A job's status changed."""

    def __init__(self, job: DeployJob) -> None:
        super().__init__()
        self.job = job


class JobLines(ConsoleMessage):
    """New log lines of several jobs, gathered over ~100 ms (never one message per line)."""

    def __init__(self, lines: dict[DeployJob, list[str]]) -> None:
        super().__init__()
        self.lines = lines


@dataclass(frozen=True)
class RunSummary:
    ok: int
    failed: int
    cancelled: int
    seconds: float
    failed_stacks: Sequence[str]
    skipped: int = 0
    rolled_back: int = 0  # rollback jobs that returned their stack
    rollback_failed: int = 0
    outcome: str | None = None  # a staged rollout's end: "rollout rolled back: wave 2 failed"

    def text(self) -> str:
        """``2 ok · 1 failed · 1 cancelled · 0:14``; a rollout adds what it skipped and rolled
        back and how it ended: ``… · 1 skipped · 1 rolled back · 0:14 · rollout rolled back: …``"""
        parts = [f"{self.ok} ok", f"{self.failed} failed", f"{self.cancelled} cancelled"]
        for count, words in ((self.skipped, "skipped"), (self.rolled_back, "rolled back"),
                             (self.rollback_failed, "rollback failed")):
            if count:
                parts.append(f"{count} {words}")
        parts.append(format_elapsed(self.seconds))
        if self.outcome:
            parts.append(self.outcome)
        return " · ".join(parts)

    @classmethod
    def of(cls, run: DeployRun, outcome: str | None = None) -> RunSummary:
        deploys = [job for job in run.jobs if job.rollback_of is None]
        rollbacks = [job for job in run.jobs if job.rollback_of is not None]

        def count(status: DeployStatus, jobs: Sequence[DeployJob] = deploys) -> int:
            return sum(1 for job in jobs if job.status is status)

        ran = [job for job in run.jobs if job.status is not DeployStatus.SKIPPED]
        starts = [job.started_at or job.created_at for job in ran]
        ends = [job.finished_at for job in ran if job.finished_at is not None]
        seconds = max(ends) - min(starts) if starts and ends else 0.0
        return cls(
            count(DeployStatus.SUCCEEDED),
            count(DeployStatus.FAILED),
            count(DeployStatus.CANCELLED) + count(DeployStatus.CANCELLED, rollbacks),
            seconds,
            run.failed_stacks(),
            skipped=count(DeployStatus.SKIPPED),
            rolled_back=count(DeployStatus.SUCCEEDED, rollbacks),
            rollback_failed=count(DeployStatus.FAILED, rollbacks),
            outcome=outcome,
        )


class RunProgress(ConsoleMessage):
    """``done`` of ``total`` jobs of the current run have finished."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgress)  # only the latest count matters


class RunFinished(ConsoleMessage):
    def __init__(self, run: DeployRun, summary: RunSummary) -> None:
        super().__init__()
        self.run = run
        self.summary = summary


class HistoryLoaded(ConsoleMessage):
    def __init__(self, entries: list[TimelineItem]) -> None:
        super().__init__()
        self.entries = entries  # deploys, config and scale changes, newest first


class JobLogRead(ConsoleMessage):
    """A past job's whole log, read off the event loop, to be shown."""

    def __init__(self, entry: HistoryEntry, lines: list[str]) -> None:
        super().__init__()
        self.entry = entry
        self.lines = lines


class FleetChanged(ConsoleMessage):
    """The fleet file was rewritten (e.g. config applied)."""

    def __init__(self, fleet: Fleet) -> None:
        super().__init__()
        self.fleet = fleet


class HostKeysUnknown(ConsoleMessage):
    """Stacks whose host key is not trusted yet: ask the user about each."""

    def __init__(self, errors: list[UnknownHostKey]) -> None:
        super().__init__()
        self.errors = errors


class WorkFailed(ConsoleMessage):
    """Some work raised: ``what`` failed with ``error`` (one line). Posted to the widget that
    started the work, so it can replace a "…ing" status with the truth."""

    def __init__(self, what: str, error: str, source: str = "") -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.source = source  # the worker's name: "deploy", "status", "history", ...

    @property
    def text(self) -> str:
        return f"{self.what} failed: {self.error}"


class FleetHealthReading(ConsoleMessage):
    """A fleet-health reading has begun (the Fleet tab says "reading…")."""


class FleetHealthRead(ConsoleMessage):
    """Every stack's health, judged (severity, outliers, problems); ``at``: the console's
    clock when it was published (rows' ages grow from there)."""

    def __init__(self, health: FleetHealth, at: float) -> None:
        super().__init__()
        self.health = health
        self.at = at

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FleetHealthRead)  # only the newest reading matters


class StackActionFinished(ConsoleMessage):
    """A restart or rebuild of the app on one stack ended: ``error`` None when it worked."""

    def __init__(self, stack: str, action: str, error: str | None = None) -> None:
        super().__init__()
        self.stack = stack
        self.action = action  # "restart" or "rebuild"
        self.error = error
