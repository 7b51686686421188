"""Widgets of our own (no stack or engine knowledge in here)."""

from __future__ import annotations

from ownstack_tui.tui.widgets.log_pane import LogPane

__all__ = ["LogPane"]
