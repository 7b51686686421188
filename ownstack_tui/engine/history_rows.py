"""History as rows of text: one formatter for the ``history`` command and the History tab.

A deploy row shows its job id, stack, status, SHA, start, duration and (unless it succeeded)
its reason. A config or scale change shows its stacks, what changed (key names only, never
values) and who made it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ownstack_tui.engine.history import ChangeEntry, ChangeKind, HistoryEntry, TimelineItem
from ownstack_tui.model.deploy import DeployStatus

# (field, heading) in the order shown.
COLUMNS = (
    ("job", "Job"), ("stack", "Stack"), ("status", "Status"), ("sha", "SHA"),
    ("when", "When"), ("took", "Took"), ("reason", "Reason"),
)


def full_time(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def short_time(at: float) -> str:
    """Month-day and minute: the History tab's width."""
    return time.strftime("%m-%d %H:%M", time.localtime(at))


def compact_time(at: float) -> str:
    """The time of day for today, the date otherwise: five characters."""
    moment = time.localtime(at)
    today = time.localtime()[:3] == moment[:3]
    return time.strftime("%H:%M" if today else "%m-%d", moment)


def took(duration: float | None) -> str:
    if duration is None:
        return "-"
    if duration < 100:
        return f"{duration:.1f}s"
    return f"{duration:.0f}s" if duration < 1000 else f"{duration / 60:.0f}m"


@dataclass(frozen=True)
class HistoryRow:
    job: str
    stack: str
    status: str
    sha: str
    when: str
    took: str
    reason: str
    entry: HistoryEntry | None  # the deploy behind the row; None for a config/scale change

    def cells(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name, _ in COLUMNS)


def history_row(item: TimelineItem, when_text: Callable[[float], str] = full_time) -> HistoryRow:
    when = when_text(item.at)
    if isinstance(item, HistoryEntry):
        return HistoryRow(
            job=str(item.id),
            stack=item.stack,
            status=item.status.value,
            sha=(item.sha or "")[:7] or "-",
            when=when,
            took=took(item.duration),
            reason="" if item.status is DeployStatus.SUCCEEDED else item.reason or "",
            entry=item,
        )
    return HistoryRow(
        job="-",
        stack=", ".join([*item.stacks, *item.failed]) or "-",
        status=item.kind.value + (" ✗" if item.failed else ""),  # the reason says where
        sha="-",
        when=when,
        took="-",
        reason=change_summary(item),
        entry=None,
    )


def change_summary(change: ChangeEntry) -> str:
    """What changed and who changed it: key names and counts, never config values."""
    if change.kind is ChangeKind.CONFIG:
        parts = []
        if change.set_keys:
            parts.append("set " + ", ".join(change.set_keys))
        if change.unset_keys:
            parts.append("unset " + ", ".join(change.unset_keys))
        what = "; ".join(parts) or "no keys"
    elif change.kind is ChangeKind.SCALE:
        what = "scale " + " ".join(f"{process}={count}" for process, count in change.counts.items())
    else:  # restart, rebuild
        what = change.kind.value + (f" {change.process}" if change.process else "")
    failures = "".join(f"; {stack} failed: {reason}" for stack, reason in change.failed.items())
    return f"{what} by {change.who}{failures}"
