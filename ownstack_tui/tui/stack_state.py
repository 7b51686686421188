"""What the sidebar and pane titles show about each stack, with the age of that knowledge."""

from __future__ import annotations

from dataclasses import dataclass

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob


@dataclass
class StackState:
    name: str
    host: str
    reachable: bool | None = None  # None until the first check answers
    dokku_version: str | None = None
    deployed_sha: str | None = None
    app_exists: bool | None = None
    error: str | None = None
    checked_at: float | None = None
    checking: bool = False
    drift: int | None = None
    job: DeployJob | None = None

    @property
    def status(self) -> DeployStatus | None:
        return self.job.status if self.job else None

    @property
    def short_sha(self) -> str:
        """What the stack runs: a failed attempt's SHA is not deployed, so it never shows here."""
        succeeded = self.job is not None and self.job.status is DeployStatus.SUCCEEDED
        sha = self.job.sha if succeeded and self.job and self.job.sha else self.deployed_sha
        return sha[:7] if sha else "-------"


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
