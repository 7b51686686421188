"""Asked when a stack presents an SSH host key we have never seen: never a silent accept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Literal

from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Button, Label

from ownstack_tui.tui.screens.dialog import Dialog

HostKeyAnswer = Literal["once", "always", "refuse"]


class HostKeyScreen(Dialog[HostKeyAnswer]):
    DEFAULT_CSS = """
    HostKeyScreen > #dialog { width: 76; padding: 1 2; }
    HostKeyScreen .fingerprint { text-style: bold; color: $warning; margin: 1 0; }
    HostKeyScreen #dialog-buttons { align-horizontal: left; }
    HostKeyScreen #dialog-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer('once')", "Accept once", id="host_key.once"),
        Binding("a", "answer('always')", "Accept always", id="host_key.always"),
        Binding("r", "answer('refuse')", "Refuse", id="host_key.refuse"),
    ]
    ESCAPE_RESULT = "refuse"
    WARNING = True
    AUTO_FOCUS = "#refuse"
    TYPEAHEAD = False  # "a" typed for the Config tab behind must not accept a host key

    def __init__(self, stack: str, host: str, port: int, key_type: str, fingerprint: str) -> None:
        super().__init__()
        self.stack = stack
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint

    @property
    def title_text(self) -> str:
        return f"Unknown SSH host key for stack {self.stack}"

    def compose_body(self) -> Iterable[Widget]:
        yield Label(
            f"{self.host} port {self.port} presented a {self.key_type} key that is not in "
            "your known_hosts. Compare its fingerprint with the one the host's owner gives you "
            "before you accept it."
        )
        yield Label(self.fingerprint, classes="fingerprint")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.button("Refuse (r)", "refuse", id="refuse", variant="error")
        yield self.button("Accept once (o)", "once", id="once")
        yield self.button("Accept and remember (a)", "always", id="always", variant="warning")

    def action_answer(self, answer: HostKeyAnswer) -> None:
        self.dismiss(answer)
