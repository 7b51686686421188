"""One past deploy job's full log, opened from the History tab."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from ownstack_tui.engine.history import HistoryEntry
from ownstack_tui.tui.screens.dialog import Dialog
from ownstack_tui.tui.widgets.key_footer import KeyFooter
from ownstack_tui.tui.widgets.log_pane import LogPane


class JobLogScreen(Dialog[None]):
    DEFAULT_CSS = """
    JobLogScreen > #dialog { width: 100%; max-width: 100%; height: 1fr; max-height: 100%;
                             border: none; padding: 0; }
    JobLogScreen LogPane { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "close", "Back", id="job_log.back"),
    ]
    AUTO_FOCUS = "#job-log"

    def __init__(self, entry: HistoryEntry, lines: list[str]) -> None:
        super().__init__()
        self.entry = entry
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield KeyFooter()

    def compose_body(self) -> Iterable[Widget]:
        pane = LogPane(id="job-log")
        pane.append(self.lines or ["(no log was recorded for this job)"])
        yield pane

    def on_mount(self) -> None:
        entry = self.entry
        self.query_one(LogPane).set_title(
            f"job {entry.id} · {entry.stack} · {entry.status} · {(entry.sha or '-------')[:7]}",
            entry.reason or "",
        )
