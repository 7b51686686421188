"""Confirmation before touching production-looking stacks or destroying anything."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from ownstack_tui.tui.screens.dialog import Dialog

ChangeRow = tuple[str, str | None, str | None]
"""(stack, what it runs now, what it will run): SHAs, refs or images; None when unknown."""

_SHA = re.compile(r"[0-9a-f]{40}")


def short(version: str | None) -> str:
    """A SHA as its first 7 characters; a branch, tag or image as it is."""
    if not version:
        return "-------"
    return version[:7] if _SHA.fullmatch(version) else version


class ConfirmScreen(Dialog[bool]):
    DEFAULT_CSS = """
    ConfirmScreen #detail { margin-bottom: 1; }
    ConfirmScreen #changes { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
    ]
    ESCAPE_RESULT = False
    WARNING = True
    AUTO_FOCUS = "#no"
    TYPEAHEAD = False  # a "y" typed before the question showed is not an answer to it

    def __init__(
        self,
        question: str,
        detail: str = "",
        confirm_label: str = "Yes, go ahead",
        changes: Sequence[ChangeRow] = (),
    ) -> None:
        """``changes``: one row per stack touched, shown as ``stack  current → target``."""
        super().__init__()
        self.question = question
        self.detail = detail
        self.confirm_label = confirm_label
        self.changes = list(changes)

    @property
    def title_text(self) -> str:
        return self.question

    def compose_body(self) -> Iterable[Widget]:
        if self.detail:
            yield Label(self.detail, id="detail")
        if self.changes:
            table = Table.grid(padding=(0, 2))
            for stack, current, target in self.changes:
                table.add_row(stack, f"{short(current)} → {short(target)}")
            yield Static(table, id="changes")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.button("Cancel (n)", False, id="no")
        yield self.button(f"{self.confirm_label} (y)", True, id="yes", variant="warning")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
