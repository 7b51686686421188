"""Dialog: the one way the console asks or shows something in a modal.

One look (a bordered box in the middle, the screen behind still visible), one way out (Esc
dismisses with ``ESCAPE_RESULT``), buttons that dismiss with the result they were made with,
and focus and Tab that keep up with keys arriving in one burst (a paste, or typing over SSH).

    class AskName(Dialog[str | None]):
        TITLE_TEXT = "Name?"
        def compose_body(self): yield Input(id="name")
        def compose_buttons(self): yield self.button("Cancel (esc)", None)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label

from ownstack_tui.tui.typeahead import Awaited, Typeahead

ResultT = TypeVar("ResultT")


class KeysBehindCaughtUp(Message):
    """Posted behind the keys queued for the screen behind a dialog: it reaches the app
    after all of them (see Typeahead)."""

    def __init__(self, dialog: Dialog[object]) -> None:
        super().__init__()
        self.dialog = dialog


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 64; max-width: 98%; height: auto; max-height: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    Dialog.-warning > #dialog { border: thick $warning; }
    Dialog #dialog-title { text-style: bold; margin-bottom: 1; width: 1fr; }
    Dialog #dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    Dialog #dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False, id="dialog.close"),
        # Priority: handled when the key arrives, so the keys typed after it in the same
        # burst already go to the next field (else they were queued for the first one).
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True,
                id="dialog.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True,
                id="dialog.focus_previous"),
    ]
    TITLE_TEXT: ClassVar[str] = ""
    ESCAPE_RESULT: ClassVar[object] = None
    WARNING: ClassVar[bool] = False  # a yellow border: this touches something that matters
    # The widget focused when the dialog opens (a CSS selector); set as it is composed, so a
    # key arriving right after the dialog opened does not find nothing focused.
    AUTO_FOCUS: ClassVar[str | None] = "#dialog-buttons Button"
    # Keys typed while it comes up are its (a form filled in one burst). False: they are
    # dropped, for a question whose answer must be typed after it was shown.
    TYPEAHEAD: ClassVar[bool] = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-warning" if self.WARNING else None)
        self._results: dict[str, object] = {}
        # Keys typed while this comes up, replayed through the app once it has focus.
        self.typeahead = Typeahead(lambda key: self.app.post_message(key), keep=self.TYPEAHEAD)

    @property
    def title_text(self) -> str:
        return self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            if self.title_text:
                yield Label(self.title_text, id="dialog-title")
            yield from self.compose_body()
            buttons = list(self.compose_buttons())
            if buttons:
                with Horizontal(id="dialog-buttons"):
                    yield from buttons

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def compose_buttons(self) -> Iterable[Button]:
        return ()

    def button(self, label: str, result: object, *, variant: str = "default",
               id: str | None = None) -> Button:
        """A button that dismisses the dialog with ``result``."""
        button = Button(label, id=id or f"button-{len(self._results)}", variant=variant)  # type: ignore[arg-type]
        self._results[button.id or ""] = result
        return button

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in self._results:
            event.stop()
            self.dismiss(self._results[event.button.id])  # type: ignore[arg-type]

    @on(events.Mount)
    def _wait_for_the_keys_behind(self) -> None:
        # The marker follows the keys queued for the widget focused behind, up the same
        # parents to the app: when it arrives, they all have.
        stack = self.app.screen_stack
        position = stack.index(self)
        below = stack[position - 1] if position > 0 else None
        target = None if below is None else below.focused or below
        if target is None or not target.post_message(KeysBehindCaughtUp(self)):
            self.typeahead.ready(Awaited.BEHIND)
        # Should the marker be lost (the widget behind removed meanwhile), hold no longer.
        self.set_timer(3.0, lambda: self.typeahead.ready(Awaited.BEHIND))

    @on(events.ScreenResume)
    def _focused(self) -> None:
        self.typeahead.ready(Awaited.FOCUS)

    def action_close(self) -> None:
        self.dismiss(self.ESCAPE_RESULT)  # type: ignore[arg-type]
