"""Staged config edits: what the console's Config tab collects before a plan.

An edit sets or removes one key at the app level (``stack`` None) or as one stack's override.
From a list of edits this module derives the app as it would be (to plan against what the
stacks have), the stacks the edits touch, the keys to unset on each, and writes the edits to
the fleet file (the desired state) once the user applies them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model import validation
from ownstack_tui.model.fleet import App, Fleet


@dataclass(frozen=True)
class ConfigEdit:
    key: str
    value: str | None  # None removes the key from its layer
    stack: str | None = None  # None: the app level (every stack)

    @property
    def is_removal(self) -> bool:
        return self.value is None

    def check(self) -> ConfigEdit:
        """Raise InvalidInput (with the reason) for a key or value dokku or the fleet refuses."""
        validation.writable_config_key(self.key)
        if self.value is not None:
            validation.config_value(self.key, self.value)
        return self


def stage(edits: Sequence[ConfigEdit], edit: ConfigEdit) -> list[ConfigEdit]:
    """The edits with ``edit`` added; a later edit of the same key and layer replaces it."""
    kept = [e for e in edits if (e.key, e.stack) != (edit.key, edit.stack)]
    return [*kept, edit.check()]


def preview(app: App, edits: Sequence[ConfigEdit]) -> App:
    """``app`` as it would be with the edits written to the fleet."""
    config = dict(app.config)
    overrides = {stack: dict(values) for stack, values in app.stack_config.items()}
    for edit in edits:
        layer = config if edit.stack is None else overrides.setdefault(edit.stack, {})
        if edit.value is None:
            layer.pop(edit.key, None)
        else:
            layer[edit.key] = edit.value
    return dataclasses.replace(app, config=config, stack_config=overrides)


def touched_stacks(app: App, edits: Sequence[ConfigEdit]) -> list[str]:
    """The stacks whose desired config the edits may change, in the app's order."""
    if any(edit.stack is None for edit in edits):
        return list(app.stacks)
    named = {edit.stack for edit in edits}
    return [stack for stack in app.stacks if stack in named]


def removed_keys(app: App, edits: Sequence[ConfigEdit]) -> dict[str, list[str]]:
    """Per stack, the keys the user removed there (a plan unsets only these, and only where
    the fleet no longer wants them)."""
    removed: dict[str, list[str]] = {}
    for edit in edits:
        if not edit.is_removal:
            continue
        stacks = app.stacks if edit.stack is None else (edit.stack,)
        for stack in stacks:
            removed.setdefault(stack, []).append(edit.key)
    return removed


def write_config_edits(path: Path, app: str, edits: Sequence[ConfigEdit]) -> Fleet:
    """Write the edits to the fleet file at ``path`` (atomically; refused if the file changed
    on disk meanwhile) and return the fleet as now written."""
    fleet_file = FleetFile.load(path)
    for edit in edits:
        if edit.value is None:
            fleet_file.unset_config(app, edit.stack, [edit.key])
        else:
            fleet_file.set_config(app, edit.stack, {edit.key: edit.value})
    fleet_file.save()
    return fleet_file.fleet
