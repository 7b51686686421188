"""The footer, with Help, Quit and the palette key pinned at its right end: at 80 columns the
footer cuts off the keys that do not fit, and those must never be the ones cut."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; textual is pinned exactly

PINNED_ACTIONS = ("help", "quit", "command_palette")  # at the right, in this order
HIDDEN_KEPT = 24  # hidden keys kept for their return; past this many, dropped


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter #footer-pinned {
        dock: right; width: auto; height: 1; background: $footer-background;
        border-left: vkey $foreground 20%;  /* a key cut off on its left reads as cut */
    }
    KeyFooter #footer-pinned FooterKey { dock: none; }
    """
    PINNED: ClassVar[frozenset[str]] = frozenset(PINNED_ACTIONS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._composed: tuple[object, ...] | None = None

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything compose() reads: the same tuple means the same footer. Hidden bindings
        (show=False: the sidebar's and tables' own keys) change with every focus move and show
        nothing, so they are left out; the palette key is shown though it is hidden."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        return (
            self._bindings_ready, self.compact, self.show_command_palette,
            *(
                (binding.key, app.get_key_display(binding), binding.action, binding.description,
                 enabled, tooltip, binding.group)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )

    def bindings_changed(self, screen: Screen) -> None:
        # At once, not after the next refresh as Footer does: the keys change in the layout
        # and frame of what changed them (a focus move: Screen refreshes the bindings as it
        # sets `focused`). A tab key laid the screen out and drew it twice, for the tab and
        # then for the footer (issue 14).
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._show_keys():
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        # Textual recomposes the footer, one call per ask, on every focus move, tab switch and
        # refresh_bindings: ~40 keys mounted and styled each time (40% of the main thread
        # with 9 stacks streaming and keys pressed, issue 14). Most asks change nothing shown;
        # the others mostly add or drop the focused pane's few keys, done in place.
        if not self._show_keys():
            self._composed = self._keys_shown()
            await super().recompose()

    def _show_keys(self) -> bool:
        """Show the keys now; False when only a recompose can (the first time, or see
        _update_in_place)."""
        if self.lock.is_locked:
            return False  # a recompose is replacing the children: another after it
        shown = self._keys_shown()
        if shown == self._composed:
            return True
        if self._composed is None or not self._update_in_place():
            return False
        self._composed = shown
        return True

    def _update_in_place(self) -> bool:
        """Show the keys by hiding those that went and mounting only those that came (a key
        that comes back is shown again); False when that cannot be done (the pinned keys
        changed, keys reordered, grouped keys): the caller then recomposes."""
        if not self.is_attached or not self._bindings_ready:
            return False
        if any(binding.show and binding.group is not None
               for _node, binding, _enabled, _tooltip in self.screen.active_bindings.values()):
            return False  # Footer.compose nests grouped keys: only a recompose builds them
        self._set_columns()
        wanted, pinned = self._split(super().compose())
        holders = self.query_children("#footer-pinned")
        holder = holders.first() if holders else None
        now_pinned = list(holder.children) if holder is not None else []
        if [_look(key) for key in now_pinned] != [_look(key) for key in pinned]:
            return False
        present = [child for child in self.children if isinstance(child, FooterKey)]
        by_look: dict[tuple[object, ...], FooterKey] = {}
        for key in present:
            by_look.setdefault(_look(key), key)
        reused = [by_look.pop(_look(key), None) for key in wanted]
        order = [present.index(key) for key in reused if key is not None]
        if order != sorted(order):
            return False
        with self.app.batch_update():
            # Shown and hidden by their rule, laid out by the footer's own layout request:
            # `display = ...` has each key ask for a layout on its own, and those arriving
            # after the screen's layout laid it out again (issue 14).
            toggled = [key.styles.set_rule("display", "none") for key in by_look.values()]
            for index, (new, old) in enumerate(zip(wanted, reused, strict=True)):
                if old is not None:
                    toggled.append(old.styles.set_rule("display", "block"))
                    continue
                after = next((key for key in reused[index + 1:] if key is not None), holder)
                # Not awaited: the key is in the footer now, in this layout; its mount
                # finishes on its own.
                self.mount(new) if after is None else self.mount(new, before=after)
            if len(by_look) > HIDDEN_KEPT:  # keys that came and went once, long ago
                self.remove_children(list(by_look.values()))
            if any(toggled):
                self._clear_arrangement_cache()  # a key's own request would have cleared it
                self.refresh(layout=True)
        return True

    def _set_columns(self) -> None:
        """The grid's columns as Footer.compose sets them, set first: compose then finds them
        set. It sets them with a layout request from every key, each sent on its own and
        arriving, often, after the screen's layout, which then lays the screen out again (the
        footer's own request lays its keys out)."""
        bindings = self.screen.active_bindings.values()
        actions = {binding.action for _node, binding, _enabled, _tooltip in bindings if binding.show}
        if self.styles.set_rule("grid_size_columns", len(actions)):
            self.refresh(layout=True)

    def _split(self, widgets: Iterable[Widget]) -> tuple[list[Widget], list[FooterKey]]:
        """Footer's widgets, the pinned keys apart (in their order)."""
        rest: list[Widget] = []
        pinned: list[FooterKey] = []
        for widget in widgets:
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
            rest.append(widget)
        pinned.sort(key=lambda key: PINNED_ACTIONS.index(key.action.removeprefix("app.")))
        return rest, pinned

    def compose(self) -> ComposeResult:
        rest, pinned = self._split(super().compose())
        yield from rest
        if pinned:
            with Horizontal(id="footer-pinned"):
                yield from pinned


def _look(key: Widget) -> tuple[object, ...]:
    """What a footer key shows and does: two keys with the same look are interchangeable."""
    if not isinstance(key, FooterKey):
        return (type(key),)
    return (key.key, key.key_display, key.description, key.action, key.tooltip,
            tuple(sorted(key.classes - {"-compact"})))  # -compact: follows the footer's
