"""Type a process count for one process type on one stack (checked before it is staged)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Input, Label

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.tui.screens.dialog import Dialog


class ScaleCountScreen(Dialog[int | None]):
    DEFAULT_CSS = """
    ScaleCountScreen > #dialog { width: 50; }
    ScaleCountScreen #dialog-title { text-style: none; margin-bottom: 0; }
    ScaleCountScreen #count-error { color: $error; height: auto; }
    """
    AUTO_FOCUS = "#count"

    def __init__(self, stack: str, process: str, current: int) -> None:
        super().__init__()
        self.stack = stack
        self.process = process
        self.current = current

    @property
    def title_text(self) -> str:
        return f"{self.process} on {self.stack}: how many? (enter to stage)"

    def compose_body(self) -> Iterable[Widget]:
        yield Input(str(self.current), id="count")
        yield Label("", id="count-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            count = validation.scale_count(self.process, event.value)
        except InvalidInput as error:
            self.query_one("#count-error", Label).update(str(error))
            return
        self.dismiss(count)
