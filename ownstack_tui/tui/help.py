"""What the help screen lists: every key that works where the user is, read from the bindings
(so remapped keys show as remapped), then the other tabs' keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

from ownstack_tui.tui.commands import palette_actions


@dataclass
class HelpSection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (keys, what they do)

    def add(self, keys: str, description: str) -> None:
        for index, (shown, existing) in enumerate(self.rows):
            if existing == description:  # one action on several keys: "k/↑"
                if keys not in shown.split("/"):
                    self.rows[index] = (f"{shown}/{keys}", existing)
                return
        self.rows.append((keys, description))


def section_title(node: DOMNode) -> str:
    return node.BINDING_GROUP_TITLE or type(node).__name__


def help_sections(screen: Screen[object], app: App[object]) -> list[HelpSection]:
    """The focused widget's keys first, out to the screen's and the app's; then the keys of
    tabs not focused now (they work once that tab is shown)."""
    sections: dict[DOMNode, HelpSection] = {}
    for namespace, binding, _enabled, _tooltip in screen.active_bindings.values():
        if not binding.description or binding.system:
            continue
        section = sections.setdefault(namespace, HelpSection(section_title(namespace)))
        section.add(app.get_key_display(binding), binding.description)
    shown = {section.title for section in sections.values()}
    active = {(node, binding.action) for node, binding, _on, _tip in screen.active_bindings.values()}
    # The screen's keys that work only at times (Promote at a manual gate, History's keys).
    later = HelpSection(f"{section_title(screen)}, when they apply")
    others: dict[str, HelpSection] = {}
    for entry in palette_actions(screen, app):
        if entry.tab is None:
            if entry.namespace is screen and (screen, entry.action) not in active:
                later.add(entry.keys, entry.description)
            continue
        title = f"{entry.tab.capitalize()} tab"
        if title in shown:
            continue
        others.setdefault(title, HelpSection(title)).add(entry.keys, entry.description)
    # The app's own keys (quit, help) read best last.
    chain = list(sections.items())
    ordered = [s for node, s in chain if not isinstance(node, App)]
    ordered += [s for node, s in chain if isinstance(node, App)]
    return ordered + ([later] if later.rows else []) + list(others.values())
