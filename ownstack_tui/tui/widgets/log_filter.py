"""Which log lines a filtered pane shows: the matches, N lines of context around each, and a
separator between groups that are not adjacent (like `grep -C N`).

Lines are fed in as they arrive, so filtering a live tail costs one search per new line.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

from ownstack_tui.errors import InvalidInput
from ownstack_tui.text import strip_escapes

SEPARATOR = -1
"""A row that stands for the gap between two groups of matches."""


def compile_filter(pattern: str, *, regex: bool = False, case_sensitive: bool = False) -> re.Pattern[str]:
    """The pattern as a compiled regex; a substring is escaped first."""
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        return re.compile(pattern if regex else re.escape(pattern), flags)
    except re.error as exc:
        raise InvalidInput(f"invalid filter regex {pattern!r}: {exc}") from None


class LineFilter:
    """Rows of a filtered view: absolute line ids (ascending) and SEPARATOR markers."""

    def __init__(self, pattern: re.Pattern[str], context: int = 0) -> None:
        if context < 0:
            raise InvalidInput(f"filter context must be 0 or more, not {context}")
        self.pattern = pattern
        self.context = context
        self.rows: deque[int] = deque()
        self.matches = 0
        self._last_shown = -1
        self._after_left = 0
        # The latest lines not shown yet: the "before" context of the next match.
        self._recent: deque[int] = deque(maxlen=context or 1)

    def feed(self, first_id: int, lines: Iterable[str]) -> int:
        """Consider lines with ids first_id, first_id + 1, ...; returns rows added."""
        rows = self.rows
        before = len(rows)
        search = self.pattern.search
        for line_id, line in enumerate(lines, first_id):
            if search(strip_escapes(line)):
                self.matches += 1
                context = [i for i in self._recent if i > self._last_shown] if self.context else []
                first = context[0] if context else line_id
                if self._last_shown >= 0 and first > self._last_shown + 1:
                    rows.append(SEPARATOR)
                rows.extend(context)
                rows.append(line_id)
                self._recent.clear()
                self._after_left = self.context
                self._last_shown = line_id
            elif self._after_left > 0:
                rows.append(line_id)
                self._after_left -= 1
                self._last_shown = line_id
            elif self.context:
                self._recent.append(line_id)
        return len(rows) - before

    def prune(self, first_live_id: int) -> int:
        """Forget rows for lines the pane no longer holds; returns rows removed."""
        rows = self.rows
        removed = 0
        while rows and (rows[0] == SEPARATOR or rows[0] < first_live_id):
            rows.popleft()
            removed += 1
        return removed
