"""The form for one config value: a key and a multi-line value, at the app level or as one
stack's override. Invalid and reserved keys are refused here, with the reason, before anything
is staged."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.errors import InvalidInput


class ConfigEditScreen(ModalScreen[ConfigEdit | None]):
    DEFAULT_CSS = """
    ConfigEditScreen { align: center middle; }
    ConfigEditScreen > Vertical {
        width: 80; max-width: 98%; height: auto; max-height: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ConfigEditScreen #scope { text-style: bold; margin-bottom: 1; }
    ConfigEditScreen TextArea { height: 8; }
    ConfigEditScreen #error { color: $error; height: auto; }
    ConfigEditScreen #hint { color: $text-muted; }
    ConfigEditScreen Horizontal { height: auto; align-horizontal: right; }
    ConfigEditScreen Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Stage", id="config_edit.save"),
        Binding("escape", "cancel", "Cancel", id="config_edit.cancel"),
    ]

    def __init__(self, stack: str | None, key: str = "", value: str = "") -> None:
        """``stack`` None edits the app level; an empty ``key`` adds a new one."""
        super().__init__()
        self.stack = stack
        self.key = key
        self.value = value

    @property
    def scope(self) -> str:
        return "app level (every stack)" if self.stack is None else f"override on {self.stack}"

    def compose(self) -> ComposeResult:
        verb = f"Edit {self.key}" if self.key else "Add a key"
        with Vertical():
            yield Label(f"{verb} · {self.scope}", id="scope")
            yield Input(self.key, placeholder="KEY", id="key", disabled=bool(self.key))
            yield TextArea(self.value, id="value", soft_wrap=True, show_line_numbers=False)
            yield Label("", id="error")
            yield Label("enter: new line · ctrl+s: stage · esc: cancel", id="hint")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Stage (ctrl+s)", id="save", variant="primary")

    def on_mount(self) -> None:
        if self.key:
            self.query_one(TextArea).focus()
        else:
            self.query_one("#key", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        key = self.query_one("#key", Input).value.strip()
        value = self.query_one(TextArea).text
        try:
            edit = ConfigEdit(key, value, self.stack).check()
        except InvalidInput as error:
            self.query_one("#error", Label).update(str(error))
            return
        self.dismiss(edit)

    def action_cancel(self) -> None:
        self.dismiss(None)
