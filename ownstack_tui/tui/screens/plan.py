"""The plan before an apply: exactly what will change on each stack, then apply or cancel.

The body is built by the tab that asks (config or scale); this screen only shows it and
returns the choice: a PlanChoice, or None to cancel.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Static

from ownstack_tui.tui.screens.dialog import Dialog


class PlanChoice(Enum):
    APPLY = "apply"  # for config: and restart the app
    APPLY_NO_RESTART = "apply-no-restart"  # config only


class PlanScreen(Dialog[PlanChoice | None]):
    DEFAULT_CSS = """
    PlanScreen > #dialog { width: 100; }
    PlanScreen #dialog-title { margin-bottom: 0; }
    PlanScreen VerticalScroll { height: auto; max-height: 30; margin: 1 0 0 0; }
    PlanScreen #dialog-buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('apply')", "Apply", id="plan.apply"),
        Binding("w", "choose('apply-no-restart')", "Apply, no restart", id="plan.apply_no_restart"),
        Binding("n", "close", "Cancel", id="plan.cancel"),
    ]
    WARNING = True
    AUTO_FOCUS = "#cancel"

    def __init__(self, title: str, body: Text, can_apply: bool, no_restart: bool = False) -> None:
        super().__init__(id="plan-screen")
        self.plan_title = title
        self.body = body
        self.can_apply = can_apply
        self.no_restart = no_restart

    @property
    def title_text(self) -> str:
        return self.plan_title

    def compose_body(self) -> Iterable[Widget]:
        with VerticalScroll():
            yield Static(self.body, id="plan-body")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.button("Cancel (esc)", None, id="cancel")
        if self.can_apply and self.no_restart:
            yield self.button("Apply, no restart (w)", PlanChoice.APPLY_NO_RESTART)
        if self.can_apply:
            label = "Apply and restart (a)" if self.no_restart else "Apply (a)"
            yield self.button(label, PlanChoice.APPLY, variant="warning")

    def allows(self, choice: PlanChoice) -> bool:
        return self.can_apply and (choice is PlanChoice.APPLY or self.no_restart)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters:
            return self.allows(PlanChoice(parameters[0]))
        return True

    def action_choose(self, choice: str) -> None:
        self.dismiss(PlanChoice(choice))
