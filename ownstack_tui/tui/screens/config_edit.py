"""The form for one config value: a key and a multi-line value, at the app level or as one
stack's override. Invalid and reserved keys are refused here, with the reason, before anything
is staged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Button, Input, Label, TextArea

from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.errors import InvalidInput
from ownstack_tui.tui.screens.dialog import Dialog


class ConfigEditScreen(Dialog[ConfigEdit | None]):
    DEFAULT_CSS = """
    ConfigEditScreen > #dialog { width: 80; }
    ConfigEditScreen #dialog-title { margin-bottom: 1; }
    ConfigEditScreen TextArea { height: 8; }
    ConfigEditScreen #error { color: $error; height: auto; }
    ConfigEditScreen #hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Stage", id="config_edit.save"),
        # Enter in the key field moves on at once (priority), like Tab: the value typed right
        # after it in the same burst then lands in the value, not in the key.
        Binding("enter", "to_value", "Next field", show=False, priority=True,
                id="config_edit.to_value"),
    ]
    # The key field, or the value when the key is fixed (a disabled field takes no focus).
    AUTO_FOCUS = "#key, #value"

    def __init__(self, stack: str | None, key: str = "", value: str = "") -> None:
        """``stack`` None edits the app level; an empty ``key`` adds a new one."""
        super().__init__()
        self.stack = stack
        self.key = key
        self.value = value

    @property
    def scope(self) -> str:
        return "app level (every stack)" if self.stack is None else f"override on {self.stack}"

    @property
    def title_text(self) -> str:
        verb = f"Edit {self.key}" if self.key else "Add a key"
        return f"{verb} · {self.scope}"

    def compose_body(self) -> Iterable[Widget]:
        yield Input(self.key, placeholder="KEY", id="key", disabled=bool(self.key))
        yield TextArea(self.value, id="value", soft_wrap=True, show_line_numbers=False)
        yield Label("", id="error")
        yield Label("enter: new line · ctrl+s: stage · esc: cancel", id="hint")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.button("Cancel", None, id="cancel")
        yield Button("Stage (ctrl+s)", id="save", variant="primary")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_value":
            return self.focused is self.query_one("#key", Input)
        return True

    def action_to_value(self) -> None:
        self.set_focus(self.query_one(TextArea))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            super().on_button_pressed(event)

    def action_save(self) -> None:
        key = self.query_one("#key", Input).value.strip()
        value = self.query_one(TextArea).text
        try:
            edit = ConfigEdit(key, value, self.stack).check()
        except InvalidInput as error:
            self.query_one("#error", Label).update(str(error))
            return
        self.dismiss(edit)
