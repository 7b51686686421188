"""What the Config tab's table shows, computed from the fleet, the staged edits and what the
stacks reported. Pure: no widgets, no I/O, so the marks are easy to test and to read.

Marks: ◆ an override on that stack, ≠ drift (the stack's value is not what the fleet wants),
✎ a staged edit changes this value, — not set. Secrets show as •••••• until revealed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from rich.text import Text

from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.model.config import Layer, effective_config, layer_of, looks_secret, mask
from ownstack_tui.model.fleet import App

SEPARATOR_ROW = "__set_on_stack__"
APP_COLUMN = "@app"
CELL_WIDTH = 18
OVERRIDE = "◆"
DRIFT = "≠"
STAGED = "✎"
MISSING = "—"


def one_line(value: str, width: int = CELL_WIDTH) -> str:
    """A value on one table line: newlines as ↵, cut to ``width`` cells with an ellipsis."""
    flat = value.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass
class ConfigView:
    committed: App  # the fleet as written
    preview: App  # with the staged edits
    edits: list[ConfigEdit]
    actual: Mapping[str, Mapping[str, str] | None]  # None: the stack did not answer
    revealed: Collection[str] = ()
    reveal_all: bool = False

    @property
    def stacks(self) -> list[str]:
        return list(self.committed.stacks)

    def managed_keys(self) -> list[str]:
        keys = set(self.committed.config) | set(self.preview.config)
        for app in (self.committed, self.preview):
            for values in app.stack_config.values():
                keys |= set(values)
        return sorted(keys)

    def unmanaged_keys(self) -> list[str]:
        """Keys some stack has that the fleet does not manage there ("set on stack")."""
        keys: set[str] = set()
        for stack in self.stacks:
            on_stack = self.actual.get(stack)
            if on_stack:
                desired = effective_config(self.preview, stack)
                keys |= {key for key in on_stack if key not in desired}
        return sorted(keys - set(self.managed_keys()))

    def is_unmanaged_on(self, key: str, stack: str) -> bool:
        on_stack = self.actual.get(stack) or {}
        return key in on_stack and key not in effective_config(self.preview, stack)

    def drift_count(self, stack: str) -> int | None:
        on_stack = self.actual.get(stack)
        if on_stack is None:
            return None
        desired = effective_config(self.committed, stack)
        return sum(1 for key, value in desired.items() if on_stack.get(key) != value)

    # -- cells ---------------------------------------------------------------------------

    def shown(self, key: str, value: str) -> str:
        if self.reveal_all or key in self.revealed or not looks_secret(key, value):
            return one_line(value)
        return mask(value)

    def staged_at(self, key: str, stack: str | None) -> ConfigEdit | None:
        for edit in self.edits:
            if edit.key == key and edit.stack == stack:
                return edit
        return None

    def app_cell(self, key: str) -> Text:
        text = Text(no_wrap=True)
        value = self.preview.config.get(key)
        if value is None:
            text.append(MISSING, style="dim")
        else:
            text.append(self.shown(key, value))
        if self.staged_at(key, None) is not None:
            text.append(f" {STAGED}", style="bold cyan")
        return text

    def stack_cell(self, key: str, stack: str) -> Text:
        text = Text(no_wrap=True)
        on_stack = self.actual.get(stack)
        if on_stack is None:
            text.append("?", style="dim red")
            return text
        if layer_of(self.preview, stack, key) is Layer.STACK:
            text.append(f"{OVERRIDE} ", style="bold magenta")
        value = on_stack.get(key)
        if value is None:
            text.append(MISSING, style="dim")
        else:
            text.append(self.shown(key, value))
        wanted = effective_config(self.committed, stack).get(key)
        if wanted is not None and wanted != value:
            text.append(f" {DRIFT}", style="bold yellow")
        staged = effective_config(self.preview, stack).get(key)
        if staged != wanted or self.staged_at(key, stack) is not None:
            # What an apply would make of it.
            shown = MISSING if staged is None else self.shown(key, staged)
            text.append(f" → {shown} {STAGED}", style="bold cyan")
        return text

    def unmanaged_cell(self, key: str, stack: str) -> Text:
        on_stack = self.actual.get(stack)
        if on_stack is None:
            return Text("?", style="dim red")
        value = on_stack.get(key)
        if value is None:
            return Text("")
        text = Text(self.shown(key, value), style="dim", no_wrap=True)
        if self.staged_at(key, stack) is not None:
            text.append(f" {STAGED}", style="bold cyan")
        return text

    def rows(self) -> list[tuple[str, list[Text]]]:
        """(row key, cells) for the table: managed keys, then the "set on stack" section."""
        rows = []
        for key in self.managed_keys():
            cells = [Text(key, style="bold"), self.app_cell(key)]
            cells += [self.stack_cell(key, stack) for stack in self.stacks]
            rows.append((key, cells))
        unmanaged = self.unmanaged_keys()
        if unmanaged:
            label = Text("set on stack:", style="italic dim")
            rows.append((SEPARATOR_ROW, [label, Text("(not in fleet)", style="italic dim")]
                         + [Text("") for _ in self.stacks]))
            for key in unmanaged:
                cells = [Text(key, style="dim"), Text("")]
                cells += [self.unmanaged_cell(key, stack) for stack in self.stacks]
                rows.append((key, cells))
        return rows


def describe_edits(edits: list[ConfigEdit]) -> str:
    """One line naming the staged edits, e.g. "+LOG_LEVEL (app) ~REGION (prod-east)"."""
    parts = []
    for edit in edits:
        where = "app" if edit.stack is None else edit.stack
        sign = "-" if edit.is_removal else "±"
        parts.append(f"{sign}{edit.key} ({where})")
    return " ".join(parts)
