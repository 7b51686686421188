"""The History tab: deploy jobs per stack, newest first; Enter opens a job's full log."""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual.widgets import DataTable

from ownstack_tui.engine.history import HistoryEntry

COLUMNS = ("Job", "Stack", "Status", "SHA", "When", "Took", "Reason")


class HistoryTable(DataTable):
    DEFAULT_CSS = """
    HistoryTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(id="history-table", cursor_type="row", zebra_stripes=True)
        self.entries: list[HistoryEntry] = []

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, entries: Sequence[HistoryEntry]) -> None:
        self.entries = list(entries)
        self.clear()
        for entry in self.entries:
            self.add_row(
                str(entry.id),
                entry.stack,
                entry.status,
                (entry.sha or "")[:7] or "-",
                time.strftime("%m-%d %H:%M:%S", time.localtime(entry.created_at)),
                f"{entry.duration:.1f}s" if entry.duration is not None else "-",
                entry.reason or "" if entry.status != "succeeded" else "",
                key=str(entry.id),
            )

    @property
    def selected(self) -> HistoryEntry | None:
        if not self.entries or self.cursor_row is None or self.cursor_row >= len(self.entries):
            return None
        return self.entries[self.cursor_row]
