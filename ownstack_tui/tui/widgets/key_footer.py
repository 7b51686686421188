"""The footer, with Help, Quit and the palette key pinned at its right end: at 80 columns the
footer cuts off the keys that do not fit, and those must never be the ones cut."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; textual is pinned exactly

PINNED_ACTIONS = frozenset({"help", "quit", "command_palette"})


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter #footer-pinned {
        dock: right; width: auto; height: 1; background: $footer-background;
        border-left: vkey $foreground 20%;  /* a key cut off on its left reads as cut */
    }
    KeyFooter #footer-pinned FooterKey { dock: none; }
    """
    PINNED: ClassVar[frozenset[str]] = PINNED_ACTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._composed: tuple[object, ...] | None = None

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything compose() reads: the same tuple means the same footer."""
        app = self.app
        return (
            self._bindings_ready, self.compact, self.show_command_palette,
            *(
                (binding.key, app.get_key_display(binding), binding.action, binding.description,
                 binding.show, enabled, tooltip, binding.group)
                for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )

    async def recompose(self) -> None:
        # Textual recomposes the footer, one call per ask, on every focus move, tab switch and
        # refresh_bindings: ~40 keys mounted and styled each time (40% of the main thread
        # with 9 stacks streaming and keys pressed, issue 14). Most asks change nothing shown.
        shown = self._keys_shown()
        if shown == self._composed:
            return
        self._composed = shown
        await super().recompose()

    def compose(self) -> ComposeResult:
        pinned: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born in the footer's style: a FooterKey starts compact, then its binding to
                # the footer's `compact` unsets that, two style updates per key on every
                # recompose (each focus change, each screen): a fifth of a busy console's CPU.
                # (The palette key is not bound: it keeps its own default.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            if (
                isinstance(widget, FooterKey)
                and not widget.has_class("-grouped")
                and widget.action.removeprefix("app.") in self.PINNED
            ):
                pinned.append(widget)
                continue
            yield widget
        if pinned:
            order = ["help", "quit", "command_palette"]
            pinned.sort(key=lambda key: order.index(key.action.removeprefix("app.")))
            with Horizontal(id="footer-pinned"):
                yield from pinned
