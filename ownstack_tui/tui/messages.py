"""The messages the Console publishes: what changed, for the screen to show.

None of them bubble: each is posted to the one widget it concerns (the main screen, or the
widget whose work failed), which shows what it says and passes nothing on by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual.message import Message

from ownstack_tui.engine.history import HistoryEntry, TimelineItem
from ownstack_tui.errors import UnknownHostKey
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import Fleet
from ownstack_tui.model.health import FleetHealth
from ownstack_tui.model.jobs import DeployJob, DeployRun
from ownstack_tui.tui.stack_state import format_elapsed


class ConsoleMessage(Message, bubble=False):
    """Base of every Console message."""


class StacksChanged(ConsoleMessage):
    """Readings, drift or deploy statuses changed: the sidebar shows them again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StacksChanged)  # several queued: the sidebar is drawn once


class RunStarted(ConsoleMessage):
    """A run began. ``rollbacks`` maps a stack being rolled back to (SHA it ran, SHA it gets)."""

    def __init__(
        self, run: DeployRun, rollbacks: Mapping[str, tuple[str | None, str]] | None = None
    ) -> None:
        super().__init__()
        self.run = run
        self.rollbacks = dict(rollbacks or {})


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

    def text(self) -> str:
        """``2 ok · 1 failed · 1 cancelled · 0:14``"""
        took = format_elapsed(self.seconds)
        return f"{self.ok} ok · {self.failed} failed · {self.cancelled} cancelled · {took}"

    @classmethod
    def of(cls, run: DeployRun) -> RunSummary:
        def count(status: DeployStatus) -> int:
            return sum(1 for job in run.jobs if job.status is status)

        starts = [job.started_at or job.created_at for job in run.jobs]
        ends = [job.finished_at for job in run.jobs if job.finished_at is not None]
        seconds = max(ends) - min(starts) if starts and ends else 0.0
        return cls(
            count(DeployStatus.SUCCEEDED),
            count(DeployStatus.FAILED),
            count(DeployStatus.CANCELLED),
            seconds,
            run.failed_stacks(),
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
