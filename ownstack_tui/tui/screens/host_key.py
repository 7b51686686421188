"""Asked when a stack presents an SSH host key we have never seen: never a silent accept."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

HostKeyAnswer = Literal["once", "always", "refuse"]


class HostKeyScreen(ModalScreen[HostKeyAnswer]):
    DEFAULT_CSS = """
    HostKeyScreen { align: center middle; }
    HostKeyScreen > Vertical {
        width: 76; max-width: 98%; height: auto;
        border: thick $warning; background: $panel; padding: 1 2;
    }
    HostKeyScreen .title { text-style: bold; margin-bottom: 1; }
    HostKeyScreen .fingerprint { text-style: bold; color: $warning; margin: 1 0; }
    HostKeyScreen Horizontal { height: auto; margin-top: 1; }
    HostKeyScreen Button { margin-right: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer('once')", "Accept once", id="host_key.once"),
        Binding("a", "answer('always')", "Accept always", id="host_key.always"),
        Binding("r,escape", "answer('refuse')", "Refuse", id="host_key.refuse"),
    ]

    def __init__(self, stack: str, host: str, port: int, key_type: str, fingerprint: str) -> None:
        super().__init__()
        self.stack = stack
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Unknown SSH host key for stack {self.stack}", classes="title")
            yield Label(
                f"{self.host} port {self.port} presented a {self.key_type} key that is not in "
                "your known_hosts. Compare its fingerprint with the one the host's owner gives you "
                "before you accept it."
            )
            yield Label(self.fingerprint, classes="fingerprint")
            with Horizontal():
                yield Button("Refuse (r)", id="refuse", variant="error")
                yield Button("Accept once (o)", id="once")
                yield Button("Accept and remember (a)", id="always", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#refuse", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_answer(self, answer: HostKeyAnswer) -> None:
        self.dismiss(answer)
