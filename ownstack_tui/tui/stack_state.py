"""What the console knows about each stack: its last reading, the newest deploy on it, and
the age of that knowledge. The one place that decides which of them the sidebar believes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.health import Severity, StackHealth, compact_marks, lock_holder
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.model.timing import JobTiming

if TYPE_CHECKING:
    from ownstack_tui.engine.history import HistoryEntry  # read after the first frame

# A reading older than this many refresh intervals is marked stale.
STALE_AFTER_INTERVALS = 3


class LatestDeploy(NamedTuple):
    id: int
    status: DeployStatus
    sha: str | None
    at: float  # when it last changed


@dataclass
class StackState:
    name: str
    host: str
    tags: tuple[str, ...] = ()  # the fleet file's (the sidebar's filter and groups)
    reachable: bool | None = None  # None until the first check answers
    dokku_version: str | None = None
    deployed_sha: str | None = None
    app_exists: bool | None = None
    error: str | None = None
    checked_at: float | None = None  # when the last reading answered (or failed)
    checking: bool = False
    drift: int | None = None
    job: DeployJob | None = None  # the console's own latest job here
    usual: float | None = None  # that job's stack's usual deploy duration (from history)
    last_entry: HistoryEntry | None = None  # the newest history record here, from any front end
    health: StackHealth | None = None  # the newest fleet-health row (the sidebar's health glyphs)

    def latest_deploy(self) -> LatestDeploy | None:
        """The newest deploy on this stack: the console's job or a history record (the CLI's
        too), whichever has the higher job id (ids increase across processes)."""
        candidates = []
        if self.job is not None:
            job = self.job
            at = job.finished_at or job.started_at or job.created_at
            candidates.append(LatestDeploy(job.id, job.status, job.sha, at))
        entry = self.last_entry
        if entry is not None and (self.job is None or entry.id > self.job.id):
            status = _status_of(entry.status)
            if status is not None:
                at = entry.finished_at or entry.started_at or entry.created_at
                candidates.append(LatestDeploy(entry.id, status, entry.sha, at))
        return max(candidates, default=None, key=lambda deploy: deploy.id)

    @property
    def status(self) -> DeployStatus | None:
        """The glyph's status: the newest deploy's, unless a newer reading of the stack
        contradicts it (the stack runs another SHA, or no longer has the app)."""
        latest = self.latest_deploy()
        if latest is None:
            return None
        live = self.job is not None and self.job.id == latest.id and not self.job.is_final
        if live:
            return latest.status
        reading_newer = self.checked_at is not None and self.checked_at > latest.at
        if reading_newer and self.reachable:
            if self.app_exists is False:
                return None
            if not latest.status.is_final:
                return None  # another process's record that never finished: the stack answers
            moved_on = self.deployed_sha and latest.sha and self.deployed_sha != latest.sha
            if latest.status is DeployStatus.SUCCEEDED and moved_on:
                return None
        return latest.status

    def slow(self, now: float) -> bool:
        """The console's job here still runs, past twice its stack's usual duration."""
        job = self.job
        return job is not None and not job.is_final and JobTiming(job.elapsed(now), self.usual).slow

    @property
    def short_sha(self) -> str:
        """What the stack reported it runs, never what the console remembers deploying."""
        return self.deployed_sha[:7] if self.deployed_sha else "-------"

    def health_marks(self) -> list[tuple[str, Severity]]:
        """What the newest health reading adds to the sidebar's second line, worst first
        (:func:`compact_marks`); nothing from a reading the stack has since contradicted
        (another SHA deployed, or down now)."""
        health = self.health
        if health is None or not health.reachable or self.reachable is False:
            return []
        return compact_marks(health, self.deployed_sha)

    def lock_holder(self) -> str | None:
        """Who holds the app's deploys here, per the newest health reading (:func:`lock_holder`)."""
        return None if self.health is None else lock_holder(self.health)

    def is_stale(self, now: float, interval: float) -> bool:
        return self.checked_at is not None and now - self.checked_at > STALE_AFTER_INTERVALS * interval


def _status_of(text: object) -> DeployStatus | None:
    """A history record's status (a string, or an enum of the same values)."""
    try:
        return DeployStatus(text.value if isinstance(text, Enum) else str(text))
    except ValueError:
        return None


def format_age(seconds: float) -> str:
    """Compact ages for narrow screens: 4s, 3m, 2h, 5d."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def format_elapsed(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
