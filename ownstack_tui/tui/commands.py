"""Command palette entries built from the bindings, so every action that has a key is also one
search away (and stays in sync when keys are remapped).

Entries come from the current screen's bindings and from every tab on it that declares
``palette_tab`` (its bindings only fire while focus is inside the tab, so running one from the
palette first shows that tab). A tab not built yet (see ``LazyTabPane``) contributes its
class's bindings; its actions run on the tab once shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from ownstack_tui.tui.tabs.lazy_pane import LazyTabPane

if TYPE_CHECKING:
    from textual.binding import BindingsMap


@runtime_checkable
class PaletteTab(Protocol):
    """A tab whose bindings the palette offers; running one first shows tab ``palette_tab``."""

    palette_tab: str


@runtime_checkable
class RemappedKeys(Protocol):
    """An app whose keys the user remapped (the fleet's ``[keys]``): binding id -> keys."""

    keymap: Mapping[str, str]


@dataclass(frozen=True)
class PaletteAction:
    description: str
    action: str
    keys: str
    namespace: DOMNode | None  # None: the tab's content, once shown (it may not exist yet)
    tab: str | None  # the tab to show first, for a tab's own actions


def palette_actions(screen: DOMNode, app: object) -> list[PaletteAction]:
    """Every described binding of ``screen`` and of its tabs, once per action."""
    sources: list[tuple[DOMNode | None, BindingsMap, str | None]] = [
        (screen, screen._bindings, None)
    ]
    for node in screen.query("*"):
        if isinstance(node, LazyTabPane) and node.content is None:
            content = node.content_class()
            if isinstance(content, PaletteTab) and content._merged_bindings is not None:
                sources.append((None, content._merged_bindings, content.palette_tab))
        elif isinstance(node, PaletteTab):
            sources.append((node, node._bindings, node.palette_tab))
    entries = []
    for node, node_bindings, tab in sources:
        seen: set[str] = set()
        bindings = node_bindings.copy()
        if isinstance(app, RemappedKeys) and app.keymap:  # keys as the fleet's [keys] remaps them
            bindings.apply_keymap(dict(app.keymap))
        for _key, binding in bindings:
            if binding.action in seen or not binding.description:
                continue
            seen.add(binding.action)
            keys = app.get_key_display(binding)  # type: ignore[attr-defined]
            entries.append(PaletteAction(binding.description, binding.action, keys, node, tab))
    # The focused widget and the app have keys of their own (a pane's wrap, help): those that
    # work right now (already remapped), unless listed above.
    listed = {(entry.namespace, entry.action) for entry in entries}
    for node, binding, enabled, _tooltip in screen.active_bindings.values():  # type: ignore[attr-defined]
        if not enabled or not binding.description or binding.system or binding.priority:
            continue
        if (node, binding.action) not in listed and node is not screen:
            listed.add((node, binding.action))
            keys = app.get_key_display(binding)  # type: ignore[attr-defined]
            entries.append(PaletteAction(binding.description, binding.action, keys, node, None))
    return entries


class ScreenActions(Provider):
    def _actions(self) -> list[PaletteAction]:
        return palette_actions(self.screen, self.app)

    async def discover(self) -> Hits:
        for entry in self._actions():
            yield DiscoveryHit(entry.description, partial(self._run, entry),
                               help=f"key: {entry.keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._actions():
            score = matcher.match(entry.description)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.description), partial(self._run, entry),
                          help=f"key: {entry.keys}")

    async def _run(self, entry: PaletteAction) -> None:
        namespace = entry.namespace
        if entry.tab is not None:
            await self.screen.run_action(f"show_tab({entry.tab!r})")
            if namespace is None:  # the tab was built just now
                namespace = self.screen.query_one(f"#{entry.tab}", LazyTabPane).content
        await self.app.run_action(entry.action, namespace)
