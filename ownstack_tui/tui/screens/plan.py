"""The plan before an apply: exactly what will change on each stack, then apply or cancel.

The body is built by the tab that asks (config or scale); this screen only shows it and
returns the choice: "restart", "no-restart" (config only) or None.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class PlanScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PlanScreen { align: center middle; }
    PlanScreen > Vertical {
        width: 100; max-width: 98%; height: auto; max-height: 95%;
        border: thick $warning; background: $panel; padding: 0 1;
    }
    PlanScreen #plan-title { text-style: bold; }
    PlanScreen VerticalScroll { height: auto; max-height: 30; margin: 1 0; }
    PlanScreen Horizontal { height: auto; align-horizontal: right; }
    PlanScreen Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('restart')", "Apply", id="plan.apply"),
        Binding("w", "choose('no-restart')", "Apply, no restart", id="plan.apply_no_restart"),
        Binding("escape,n", "choose(None)", "Cancel", id="plan.cancel"),
    ]

    def __init__(self, title: str, body: Text, can_apply: bool, no_restart: bool = False) -> None:
        super().__init__(id="plan-screen")
        self.plan_title = title
        self.body = body
        self.can_apply = can_apply
        self.no_restart = no_restart

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.plan_title, id="plan-title")
            with VerticalScroll():
                yield Static(self.body, id="plan-body")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel")
                if self.can_apply and self.no_restart:
                    yield Button("Apply, no restart (w)", id="no-restart")
                if self.can_apply:
                    label = "Apply and restart (a)" if self.no_restart else "Apply (a)"
                    yield Button(label, id="restart", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and parameters[0] is not None:
            if not self.can_apply:
                return False
            if parameters[0] == "no-restart" and not self.no_restart:
                return False
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
