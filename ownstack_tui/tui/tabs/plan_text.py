"""The text of a plan screen: per stack, exactly what an apply would change."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.text import Text

from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model import validation
from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.tui.tabs.config_view import one_line

PLAN_VALUE_WIDTH = 60


def _stack_heading(text: Text, stack: str) -> None:
    text.append(stack, style="bold")
    if validation.is_production_name(stack):
        text.append("  (production)", style="bold yellow")
    text.append("\n")


def config_plan_text(
    plans: Mapping[str, StackOutcome[StackConfigPlan]], shown: Callable[[str, str], str]
) -> Text:
    """``shown(key, value)`` masks secrets the user has not revealed."""
    text = Text()
    for stack, outcome in plans.items():
        _stack_heading(text, stack)
        plan = outcome.value
        if plan is None:
            text.append(f"  ✗ cannot plan: {outcome.error}\n", style="red")
            continue
        if plan.is_empty:
            text.append("  no change\n", style="dim")
        for key, value in sorted(plan.to_add.items()):
            text.append(f"  + {key} = {one_line(shown(key, value), PLAN_VALUE_WIDTH)}\n",
                        style="green")
        for key, (old, new) in sorted(plan.to_change.items()):
            text.append(
                f"  ~ {key}: {one_line(shown(key, old), PLAN_VALUE_WIDTH // 2)} → "
                f"{one_line(shown(key, new), PLAN_VALUE_WIDTH // 2)}\n",
                style="yellow",
            )
        for key in sorted(plan.to_unset):
            text.append(f"  - {key}\n", style="red")
    return text


def scale_plan_text(
    changes: Mapping[str, Mapping[str, tuple[int, int]]],
) -> Text:
    """``changes`` maps stack -> process type -> (now, wanted)."""
    text = Text()
    for stack, counts in changes.items():
        _stack_heading(text, stack)
        if not counts:
            text.append("  no change\n", style="dim")
        for process, (old, new) in sorted(counts.items()):
            text.append(f"  {process}: {old} → {new}\n", style="yellow")
    return text


def has_changes(plans: Mapping[str, StackOutcome[StackConfigPlan]]) -> bool:
    return any(o.value is not None and not o.value.is_empty for o in plans.values())
