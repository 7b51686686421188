"""Where each screen row of a wrapped log pane comes from.

With wrapping on, a line of N cells in a pane W cells wide takes ceil(N / W) rows (at least
one). WrapIndex holds the first screen row of every pane row (line, or filter row) so a screen
row is found by bisection: rendering a row costs O(log n), whatever the number of lines.
Appending rows (the streaming case) extends the index; anything else rebuilds it, which for
10,000 rows is about a millisecond.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


def rows_for(cells: int, width: int) -> int:
    return max(1, -(-cells // max(1, width)))


class WrapIndex:
    def __init__(self) -> None:
        self.width = 0
        self._starts: list[int] = []  # screen row where pane row i starts
        self.total = 0  # screen rows in all

    def rebuild(self, cells: Iterable[int], width: int) -> None:
        """Index pane rows of the given widths (in cells) for a text area ``width`` wide."""
        self.width = max(1, width)
        self._starts = []
        self.total = 0
        self.extend(cells)

    def extend(self, cells: Iterable[int]) -> int:
        """Add pane rows at the end; returns the screen rows they take."""
        before = self.total
        starts = self._starts
        total = self.total
        width = self.width
        for count in cells:
            starts.append(total)
            total += max(1, -(-count // width))
        self.total = total
        return total - before

    @property
    def rows(self) -> int:
        """Pane rows indexed."""
        return len(self._starts)

    def locate(self, screen_row: int) -> tuple[int, int]:
        """(pane row, which of its wrapped pieces) shown at ``screen_row``."""
        row = bisect_right(self._starts, screen_row) - 1
        return row, screen_row - self._starts[row]

    def start_of(self, row: int) -> int:
        """The screen row where pane row ``row`` starts."""
        return self._starts[row] if row < len(self._starts) else self.total
