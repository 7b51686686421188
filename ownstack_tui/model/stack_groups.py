"""What the console's stacks sidebar lists, and in what order: the live filter (a selector),
grouping by tags (collapsible), and failed/running stacks first on demand.

Pure: it looks at each stack's name, tags and deploy status only. Each stack goes in the first
group whose tag it has; the rest under ``other``. Header counts are of the stacks listed (the
filter applied), from the same status the entries show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from ownstack_tui.model import validation
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.selectors import Selector

OTHER = "other"  # the group of stacks that have none of the grouping's tags
SUGGESTED_AT_MOST = 4  # tags in a suggested grouping


class Listed(Protocol):
    """A stack as the sidebar sees it (tui.stack_state.StackState has all of these)."""

    @property
    def name(self) -> str: ...

    @property
    def tags(self) -> tuple[str, ...]: ...

    @property
    def status(self) -> DeployStatus | None: ...


L = TypeVar("L", bound=Listed)


@dataclass(frozen=True)
class StackListing:
    """How the sidebar lists the stacks. It never changes what a deploy key deploys."""

    filter: Selector | None = None
    group_by: tuple[str, ...] = ()
    problems_first: bool = False  # failed, then running, then the rest (within each group)
    collapsed: frozenset[str] = field(default_factory=frozenset)

    def with_group_by(self, tags: tuple[str, ...]) -> StackListing:
        """Grouped by ``tags``; groups that stay keep their collapsed state."""
        keep = frozenset(self.collapsed & (set(tags) | {OTHER})) if tags else frozenset()
        return replace(self, group_by=tags, collapsed=keep)

    def toggled(self, group: str) -> StackListing:
        return replace(self, collapsed=self.collapsed ^ {group})


@dataclass(frozen=True)
class GroupCounts:
    total: int
    succeeded: int
    failed: int
    running: int

    @property
    def text(self) -> str:
        """``120: ✓118 ✗2 ⟳3`` (the kinds with none left out)."""
        parts = [f"{glyph}{count}" for glyph, count in
                 (("✓", self.succeeded), ("✗", self.failed), ("⟳", self.running)) if count]
        return f"{self.total}: {' '.join(parts)}" if parts else str(self.total)


@dataclass(frozen=True)
class Group:
    name: str
    counts: GroupCounts
    collapsed: bool


@dataclass(frozen=True)
class Arranged:
    """The sidebar's rows, top to bottom: a Group header, or a stack listed under it."""

    rows: list[Group | Listed]
    shown: int  # stacks the filter lets through (listed or in a collapsed group)
    total: int


def parse_group_by(text: str) -> tuple[str, ...]:
    """The prompt's text (``prod,staging`` or ``us eu ap``) as tags; empty clears."""
    names = [part for part in text.replace(",", " ").split() if part]
    return validation.group_tags(names, "group by")


def group_of(stack: Listed, group_by: Sequence[str]) -> str:
    return next((tag for tag in group_by if tag in stack.tags), OTHER)


def counts_of(stacks: Iterable[Listed]) -> GroupCounts:
    kinds = Counter(_kind(stack.status) for stack in stacks)
    total = sum(kinds.values())
    return GroupCounts(total, kinds["succeeded"], kinds["failed"], kinds["running"])


def arrange(stacks: Sequence[L], listing: StackListing) -> Arranged:
    """The filter applied, then groups (in ``group_by``'s order, ``other`` last, empty ones
    left out), then failed/running first within each when asked; the fleet's order otherwise."""
    chosen = [s for s in stacks if listing.filter is None or listing.filter.matches(s)]
    if listing.problems_first:
        chosen.sort(key=_problem_rank)  # stable: the fleet's order within a rank
    if not listing.group_by:
        return Arranged(list(chosen), len(chosen), len(stacks))
    groups: dict[str, list[L]] = {name: [] for name in (*listing.group_by, OTHER)}
    for stack in chosen:
        groups[group_of(stack, listing.group_by)].append(stack)
    rows: list[Group | Listed] = []
    for name, members in groups.items():
        if not members:
            continue
        collapsed = name in listing.collapsed
        rows.append(Group(name, counts_of(members), collapsed))
        if not collapsed:
            rows.extend(members)
    return Arranged(rows, len(chosen), len(stacks))


def suggest_group_by(tag_lists: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """A grouping to offer when none was chosen: the fleet's most used tags that some stack
    lacks (a tag on every stack groups nothing), at most a few, the most used first."""
    lists = list(tag_lists)
    used = Counter(tag for tags in lists for tag in set(tags))
    useful = [(tag, n) for tag, n in used.items() if n < len(lists)]
    useful.sort(key=lambda item: (-item[1], item[0]))
    return tuple(tag for tag, _n in useful[:SUGGESTED_AT_MOST])


def _kind(status: DeployStatus | None) -> str:
    if status is None:
        return "none"
    if status is DeployStatus.SUCCEEDED:
        return "succeeded"
    if status is DeployStatus.FAILED:
        return "failed"
    return "running" if not status.is_final else "other"


def _problem_rank(stack: Listed) -> int:
    return {"failed": 0, "running": 1}.get(_kind(stack.status), 2)
