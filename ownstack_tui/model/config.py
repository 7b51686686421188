"""Config layering and plans: the one place that decides what a stack's config should be.

Desired config for a stack = the app-level vars, overridden by that stack's own vars.
A plan compares it with what the stack reports and lists only the difference. Keys the
fleet does not manage (DOKKU_*, service-link URLs, anything set by hand and never put in
the fleet) are reported as "set on stack" and never unset by a plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from ownstack_tui.model import validation
from ownstack_tui.model.fleet import App


class Layer(Enum):
    APP = "app"
    STACK = "stack"


def effective_config(app: App, stack: str) -> dict[str, str]:
    """What the fleet wants on ``stack``: app-level vars, then that stack's overrides."""
    merged = dict(app.config)
    merged.update(app.stack_config.get(stack, {}))
    return merged


def layer_of(app: App, stack: str, key: str) -> Layer | None:
    """Where the desired value of ``key`` on ``stack`` comes from."""
    if key in app.stack_config.get(stack, {}):
        return Layer.STACK
    if key in app.config:
        return Layer.APP
    return None


@dataclass(frozen=True)
class StackConfigPlan:
    """The difference between what the fleet wants on one stack and what it has."""

    stack: str
    to_add: dict[str, str] = field(default_factory=dict)
    to_change: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (old, new)
    to_unset: dict[str, str] = field(default_factory=dict)  # key -> old value
    unmanaged: dict[str, str] = field(default_factory=dict)  # set on stack, not in the fleet
    app_missing: bool = False  # the app is not on the stack yet: its first deploy sets the config

    @property
    def is_empty(self) -> bool:
        return not (self.to_add or self.to_change or self.to_unset)

    @property
    def to_set(self) -> dict[str, str]:
        """Every key whose value must be written, with its new value."""
        values = dict(self.to_add)
        values.update({key: new for key, (_old, new) in self.to_change.items()})
        return values


def plan_stack_config(
    stack: str,
    desired: Mapping[str, str],
    actual: Mapping[str, str],
    removed: Iterable[str] = (),
) -> StackConfigPlan:
    """Plan one stack. ``removed`` are keys the user asked to unset on this stack: they are
    unset only where the fleet no longer wants them and the stack still has them."""
    to_add: dict[str, str] = {}
    to_change: dict[str, tuple[str, str]] = {}
    for key, value in desired.items():
        if key not in actual:
            to_add[key] = value
        elif actual[key] != value:
            to_change[key] = (actual[key], value)
    removed_set = set(removed)
    to_unset = {
        key: actual[key]
        for key in sorted(removed_set)
        if key in actual and key not in desired and _may_unset(key)
    }
    unmanaged = {
        key: value
        for key, value in actual.items()
        if key not in desired and key not in to_unset
    }
    return StackConfigPlan(stack, to_add, to_change, to_unset, unmanaged)


def _may_unset(key: str) -> bool:
    # An explicit unset may remove an external DATABASE_URL the fleet set, never dokku's keys.
    return not key.startswith(validation.READ_ONLY_PREFIX) and key not in validation.RESERVED_KEYS


def drift(desired: Mapping[str, str], actual: Mapping[str, str]) -> dict[str, tuple[str | None, str]]:
    """Managed keys whose value on the stack differs from the fleet's: key -> (on stack, wanted).
    A missing key shows as None on the stack side."""
    return {
        key: (actual.get(key), value)
        for key, value in desired.items()
        if actual.get(key) != value
    }


SECRET_HINTS = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "PRIVATE", "CREDENTIAL", "AUTH")


def looks_secret(key: str, value: str) -> bool:
    """Values masked until revealed. URLs with credentials count too."""
    upper = key.upper()
    if any(hint in upper for hint in SECRET_HINTS):
        return True
    return "://" in value and "@" in value.split("://", 1)[1].split("/", 1)[0]


def mask(value: str) -> str:
    return "••••••" if value else ""
