"""A long text shown whole and wrapped (e.g. why a deploy failed), with a key to copy it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Static

from ownstack_tui.tui.screens.dialog import Dialog


class MessageScreen(Dialog[None]):
    DEFAULT_CSS = """
    MessageScreen > #dialog { width: 90; }
    MessageScreen VerticalScroll { height: auto; max-height: 20; }
    MessageScreen #message { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "copy", "Copy", id="message.copy"),
        Binding("enter,q", "close", "Close", show=False, id="message.close"),
    ]
    AUTO_FOCUS = "#close"

    def __init__(self, title: str, text: str, *, warning: bool = False) -> None:
        super().__init__()
        self.message_title = title
        self.text = text
        self.set_class(warning, "-warning")

    @property
    def title_text(self) -> str:
        return self.message_title

    def compose_body(self) -> Iterable[Widget]:
        with VerticalScroll():
            # markup=False: the text is whatever a stack said, brackets included.
            yield Static(self.text, id="message", markup=False)

    def compose_buttons(self) -> Iterable[Button]:
        yield self.button("Copy (y)", None, id="copy")
        yield self.button("Close (esc)", None, id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            event.stop()
            self.action_copy()
        else:
            super().on_button_pressed(event)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the message", timeout=2)
