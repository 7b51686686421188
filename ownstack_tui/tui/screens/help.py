"""`?`: every key that works here, with what it does (built from the bindings, remaps shown)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ownstack_tui.tui.help import HelpSection
from ownstack_tui.tui.screens.dialog import Dialog


def sections_table(sections: Sequence[HelpSection]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    for index, section in enumerate(sections):
        if index:
            table.add_row("", "")
        table.add_row("", Text(section.title, style="bold underline"))
        for keys, description in section.rows:
            table.add_row(keys, description)
    return table


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > #dialog { width: 72; height: 95%; }
    HelpScreen VerticalScroll { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,q", "close", "Close help", show=False, id="help.close"),
    ]
    TITLE_TEXT = "Keys (esc closes)"
    AUTO_FOCUS = "#help-keys"

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__(id="help")
        self.sections = list(sections)

    def compose_body(self) -> Iterable[Widget]:
        with VerticalScroll(id="help-keys"):
            yield Static(sections_table(self.sections), id="help-table")
