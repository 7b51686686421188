"""Type a process count for one process type on one stack (checked before it is staged)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation


class ScaleCountScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    ScaleCountScreen { align: center middle; }
    ScaleCountScreen > Vertical {
        width: 50; max-width: 95%; height: auto;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ScaleCountScreen #count-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="scale_count.cancel"),
    ]

    def __init__(self, stack: str, process: str, current: int) -> None:
        super().__init__()
        self.stack = stack
        self.process = process
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.process} on {self.stack}: how many? (enter to stage)")
            yield Input(str(self.current), id="count")
            yield Label("", id="count-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            count = validation.scale_count(self.process, event.value)
        except InvalidInput as error:
            self.query_one("#count-error", Label).update(str(error))
            return
        self.dismiss(count)

    def action_cancel(self) -> None:
        self.dismiss(None)
