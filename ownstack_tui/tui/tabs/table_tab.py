"""What the Config and Scale tabs share: a legend, one DataTable of per-stack values read from
the stacks the first time the tab is shown, and a status line under it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from ownstack_tui.tui.console import ForwardsWorkerErrors
from ownstack_tui.tui.messages import WorkFailed

if TYPE_CHECKING:
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console


class TableTab(ForwardsWorkerErrors, Vertical):
    DEFAULT_CSS = """
    TableTab { height: 1fr; }
    TableTab .tab-legend { color: $text-muted; padding: 0 1; height: 1; }
    TableTab DataTable { height: 1fr; }
    TableTab .tab-status { height: auto; max-height: 8; padding: 0 1; }
    """
    NAME: ClassVar[str]  # "config", "scale": the tab's widget ids are NAME-tab, NAME-table, ...
    LEGEND: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(id=f"{self.NAME}-tab")
        self.loaded = False
        self.reads = 0  # completed reads, so callers can wait for a fresh one

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.NAME}-table", DataTable)

    def compose(self) -> ComposeResult:
        yield Label(self.LEGEND, id=f"{self.NAME}-legend", classes="tab-legend")
        yield DataTable(id=f"{self.NAME}-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id=f"{self.NAME}-status", classes="tab-status")

    def on_mount(self) -> None:
        self.show()

    def ensure_loaded(self) -> None:
        """Read from the stacks the first time the tab is shown."""
        if not self.loaded:
            self.loaded = True
            self.reload()

    def focus_main(self) -> None:
        self.table.focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        """This tab's work raised (already notified): its status says so, not "…ing"."""
        self.set_status(Text(f"✗ {message.text}", style="red"))

    def set_status(self, text: Text) -> None:
        self.query_one(f"#{self.NAME}-status", Static).update(text)

    def show(self) -> None:
        raise NotImplementedError

    def reload(self) -> object:
        raise NotImplementedError
