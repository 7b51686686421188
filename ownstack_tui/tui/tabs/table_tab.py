"""What the Config, Scale and Fleet tabs share: a legend, one table of per-stack values read
from the stacks the first time the tab is shown, and a status line under it. Config and Scale
edit cells of a DataTable (:class:`TableTab`); Fleet shows rows (its own table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static

from ownstack_tui.tui.console import ForwardsWorkerErrors
from ownstack_tui.tui.messages import WorkFailed

if TYPE_CHECKING:
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console


class TabFrame(ForwardsWorkerErrors, Vertical):
    DEFAULT_CSS = """
    TabFrame { height: 1fr; }
    TabFrame .tab-legend { color: $text-muted; padding: 0 1; height: 1; }
    TabFrame .tab-table { height: 1fr; }
    TabFrame .tab-status { height: auto; max-height: 8; padding: 0 1; }
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

    def compose(self) -> ComposeResult:
        yield Label(self.LEGEND, id=f"{self.NAME}-legend", classes="tab-legend")
        yield self.make_table()
        yield Static("", id=f"{self.NAME}-status", classes="tab-status")

    def make_table(self) -> Widget:
        """The table, with the id NAME-table and the class tab-table."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.show()

    def ensure_loaded(self) -> None:
        """Read from the stacks the first time the tab is shown."""
        if not self.loaded:
            self.loaded = True
            self.reload()

    def main_widget(self) -> Widget:
        return self.query_one(f"#{self.NAME}-table")

    def focus_main(self) -> None:
        self.main_widget().focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        """This tab's work raised (already notified): its status says so, not "…ing"."""
        self.set_status(Text(f"✗ {message.text}", style="red"))

    def set_status(self, text: Text) -> None:
        self.query_one(f"#{self.NAME}-status", Static).update(text)

    def show(self) -> None:
        raise NotImplementedError

    def reload(self) -> object:
        raise NotImplementedError


class TableTab(TabFrame):
    """A tab whose cells are edited: a DataTable with a cell cursor."""

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.NAME}-table", DataTable)

    def make_table(self) -> Widget:
        # The first column names the row (key, process type): it stays put scrolling right.
        return DataTable(id=f"{self.NAME}-table", classes="tab-table", cursor_type="cell",
                         zebra_stripes=True, fixed_columns=1)

    def fill(self, columns: list[tuple[str, str]], rows: list[tuple[str, list[Text]]]) -> None:
        """Rebuild the table: ``columns`` as (label, key), ``rows`` as (key, cells).

        Each column is given the width of its widest cell, measured here: DataTable measures
        on idle and repaints, and a repaint asked for while a modal covers the table is lost
        (columns then stayed as narrow as their headers: ``LOG  debug ✎  — → deb``)."""
        table = self.table
        table.clear(columns=True)
        for (label, key), width in zip(columns, column_widths(columns, rows), strict=True):
            table.add_column(label, key=key, width=width)
        for key, cells in rows:
            table.add_row(*cells, key=key)


def column_widths(
    columns: list[tuple[str, str]], rows: list[tuple[str, list[Text]]], at_least: dict[str, int] | None = None
) -> list[int]:
    """Each column (label, key) as wide as its label and its widest cell, or ``at_least[key]``."""
    minimum = at_least or {}
    return [max([cell_len(label), minimum.get(key, 0),
                 *(cells[index].cell_len for _key, cells in rows if index < len(cells))])
            for index, (label, key) in enumerate(columns)]
