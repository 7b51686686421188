"""The History tab: deploy jobs and config/scale changes, newest first; Enter opens a job's log.

Every column but Reason has a fixed width and Reason takes the rest (cut with "…"), so Took
and Reason stay on screen however narrow the tab is; below ~100 columns the columns get
compact (no cell padding, the time of day only). The selected row's whole reason is on the
table's bottom edge, and Enter opens the job's log with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import events
from textual.widgets import DataTable

from ownstack_tui.engine.history import HistoryEntry, TimelineItem
from ownstack_tui.engine.history_rows import COLUMNS, compact_time, history_row, short_time


@dataclass(frozen=True)
class Layout:
    widths: tuple[int, ...]  # every column but Reason, in COLUMNS order
    padding: int  # DataTable's cell padding, each side
    gap: int  # spaces we leave between columns ourselves
    when: Callable[[float], str]


WIDE = Layout((5, 12, 11, 7, 11, 6), padding=1, gap=0, when=short_time)
COMPACT = Layout((4, 10, 9, 7, 5, 5), padding=0, gap=1, when=compact_time)
WIDE_FROM = 100  # table width where the wide layout leaves Reason enough room
MIN_REASON_WIDTH = 8
SCROLLBAR = 2  # kept free for the vertical scrollbar, so nothing scrolls sideways


class HistoryTable(DataTable):
    DEFAULT_CSS = """
    HistoryTable {
        height: 1fr;
        border-bottom: solid $panel-lighten-2;
        border-subtitle-align: left;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="history-table", cursor_type="row", zebra_stripes=True)
        self.entries: list[TimelineItem] = []  # one per row
        self._built_for: tuple[Layout, int] | None = None

    def on_mount(self) -> None:
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        if self._fit() != self._built_for:
            self._rebuild()

    def show(self, entries: Sequence[TimelineItem]) -> None:
        self.entries = list(entries)
        self._rebuild()

    @property
    def selected(self) -> HistoryEntry | None:
        """The deploy on the cursor's row (None on a config or scale change)."""
        item = self._item_at(self.cursor_row)
        return item if isinstance(item, HistoryEntry) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        item = self._item_at(event.cursor_row)
        row = history_row(item) if item is not None else None
        self.border_subtitle = f"{row.stack}: {row.reason}" if row and row.reason else ""

    def _item_at(self, row: int | None) -> TimelineItem | None:
        if row is None or not 0 <= row < len(self.entries):
            return None
        return self.entries[row]

    def _fit(self) -> tuple[Layout, int]:
        """The layout for the current width and the room it leaves for Reason."""
        layout = WIDE if self.size.width >= WIDE_FROM else COMPACT
        fixed = sum(width + layout.gap for width in layout.widths)
        padding = 2 * layout.padding * len(COLUMNS)
        return layout, max(MIN_REASON_WIDTH, self.size.width - fixed - padding - SCROLLBAR)

    def _rebuild(self) -> None:
        row = self.cursor_row
        layout, reason_width = self._built_for = self._fit()
        self.clear(columns=True)
        self.cell_padding = layout.padding
        shown = (*layout.widths, reason_width)
        for index, ((name, heading), width) in enumerate(zip(COLUMNS, shown, strict=True)):
            gap = layout.gap if index < len(COLUMNS) - 1 else 0
            self.add_column(heading, width=width + gap, key=name)
        for index, item in enumerate(self.entries):
            cells = history_row(item, layout.when).cells()
            self.add_row(*(_fit(cell, width) for cell, width in zip(cells, shown, strict=True)),
                         key=str(index))
        if self.entries:
            self.move_cursor(row=min(row, len(self.entries) - 1))


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())  # a reason may hold newlines; a cell is one line
    return text if len(text) <= width else text[: width - 1] + "…"
