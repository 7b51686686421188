"""Widgets of our own (no stack or engine knowledge in here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ownstack_tui.tui.widgets.log_pane import LogPane

__all__ = ["LogPane"]


def __getattr__(name: str) -> Any:
    # LogPane on first use (PEP 562): importing any widget module runs this package first,
    # and the console's first frame shows no log pane.
    if name == "LogPane":
        from ownstack_tui.tui.widgets.log_pane import LogPane

        return LogPane
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
