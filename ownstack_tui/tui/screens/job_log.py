"""One past deploy job's full log, opened from the History tab."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from ownstack_tui.engine.history import HistoryEntry
from ownstack_tui.tui.widgets.log_pane import LogPane


class JobLogScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="job_log.back"),
    ]

    def __init__(self, entry: HistoryEntry, lines: list[str]) -> None:
        super().__init__()
        self.entry = entry
        self.lines = lines

    def compose(self) -> ComposeResult:
        entry = self.entry
        pane = LogPane(id="job-log", title=f"job {entry.id} · {entry.stack} · {entry.status}")
        pane.append(self.lines or ["(no log was recorded for this job)"])
        yield pane
        yield Footer()

    def on_mount(self) -> None:
        pane = self.query_one(LogPane)
        pane.set_title(
            f"job {self.entry.id} · {self.entry.stack} · {self.entry.status} · "
            f"{(self.entry.sha or '-------')[:7]}",
            self.entry.reason or "",
        )
        pane.focus()
