"""Shown when there is no fleet file yet: how to add a stack, or try the demo."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Markdown

from ownstack_tui.tui.widgets.key_footer import KeyFooter


class WelcomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "app.exit('demo')", "Start the demo", id="welcome.demo"),
        Binding("q", "app.quit", "Quit", id="welcome.quit"),
    ]
    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen > Vertical { width: 80; max-width: 100%; height: auto; padding: 1 2; }
    WelcomeScreen #welcome-title { text-style: bold; }
    """

    def __init__(self, fleet_path: str) -> None:
        super().__init__()
        self.fleet_path = fleet_path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Welcome to ownstack-tui", id="welcome-title")
            yield Markdown(
                f"There is no fleet file at `{self.fleet_path}` yet.\n\n"
                "* Press **d** to start the demo: three sandbox stacks on this machine "
                "(staging, prod-east, prod-west) with a demo app to deploy.\n"
                "* Or describe your own dokku hosts and app:\n\n"
                "```\n"
                "ownstack-tui stack:add prod-east --host 203.0.113.10\n"
                "ownstack-tui app create shop --repo ~/src/shop --stack prod-east\n"
                "ownstack-tui\n"
                "```"
            )
        yield KeyFooter()
