"""What a key changes, shown in the frame that answers it (issue 14).

Textual spreads a tab key's effects over two or three frames: the tab's underline moves after
the next refresh, and a widget focused shows its :focus looks only once it has handled its
Focus event, a restyle later. Each extra frame redraws what changed again (a table, the tabs,
the footer: 15-30 ms at 160x50), and keys pressed every 100 ms queued behind them. Here the
same looks are set at once, so the first frame is also the last.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent
from textual.widgets._tabbed_content import ContentTabs  # not exported; textual is pinned exactly
from textual.widgets._tabs import Underline


class OneFrameTabs(TabbedContent):
    """TabbedContent whose underline moves with the tab, in the same frame."""

    def _watch_active(self, active: str) -> None:
        super()._watch_active(active)
        self._move_underline()

    def _move_underline(self) -> None:
        """Where Tabs puts the underline after the next refresh, now (the tabs do not move
        when one is activated: their last layout says where each is). Tabs then sets the same
        values, which repaints nothing."""
        if self.app.animation_level != "none":
            return  # Tabs slides it there
        tabs = self.get_child_by_type(ContentTabs)
        tab = tabs.active_tab
        if tab is None or not tab.region:
            return  # not laid out yet: Tabs places it after the first layout
        start, end = tab.virtual_region.shrink(tab.styles.gutter).column_span
        underline = tabs.query_one(Underline)
        underline.show_highlight = True
        underline.highlight_start = start
        underline.highlight_end = end


class FocusLooksNow(Screen[None]):
    """A screen on which a widget focused (or blurred) takes its looks in the frame that moves
    the focus."""

    def _update_focus_styles(self, focused: Widget | None = None, blurred: Widget | None = None) -> None:
        # Screen's, plus the focused and blurred widgets themselves. Textual sets has_focus
        # (which :focus rules read) when the widget handles its Focus event, after this
        # restyle, and restyles the widget then: its focus looks came a frame later. Set here
        # without its watcher, the handler later finds it set and restyles nothing.
        widgets: set[DOMNode] = set()
        for widget, focus in ((blurred, False), (focused, True)):
            if widget is None:
                continue
            if widget.has_focus != focus:
                widget.set_reactive(Widget.has_focus, focus)
                widgets.update(widget.walk_children(with_self=True))
            for node in reversed(widget.ancestors_with_self):
                if node._has_focus_within:  # :focus-within rules above it
                    widgets.update(node.walk_children(with_self=True))
                    break
        if widgets:
            self.app.stylesheet.update_nodes(widgets, animate=True)
