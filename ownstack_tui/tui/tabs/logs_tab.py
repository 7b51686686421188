"""The Logs tab: runtime log tails (``logs -t``) of the app's stacks, side by side or merged.

Each stack's tail is a TailPane running its own worker; the merged view is one more pane fed
by every tail with a stack column. The filter (substring, or /regex/) keeps context lines
around each match and applies to every pane; pause holds new lines until resumed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label

from ownstack_tui.errors import InvalidInput
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.pane_grid import shape_grid
from ownstack_tui.tui.widgets.tail_pane import TailPane

if TYPE_CHECKING:
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console

PANE_MIN_WIDTH = 40
DEFAULT_CONTEXT = 2


def parse_filter(text: str) -> tuple[str, bool]:
    """(pattern, is_regex): "/re/" is a regular expression, anything else a substring."""
    stripped = text.strip()
    if len(stripped) > 2 and stripped.startswith("/") and stripped.endswith("/"):
        return stripped[1:-1], True
    # Spaces around a substring are meant: " 404 " is not "1404".
    return (text if stripped else ""), False


class LogsTab(Vertical):
    BINDING_GROUP_TITLE = "Logs tab"
    DEFAULT_CSS = """
    LogsTab { height: 1fr; }
    LogsTab #logs-bar { height: 1; padding: 0 1; color: $text-muted; }
    LogsTab #logs-filter-bar { height: auto; display: none; }
    LogsTab #logs-filter-bar.-open { display: block; }
    /* A row inside an auto-height bar must be auto too: 1fr there took every pane's rows. */
    LogsTab #logs-filter-row { height: auto; }
    LogsTab #logs-filter { width: 1fr; }
    LogsTab #logs-context { width: 12; }
    LogsTab #logs-filter-error { color: $error; height: auto; padding: 0 1; }
    LogsTab #logs-grid { height: 1fr; grid-gutter: 0 1; }
    LogsTab #logs-merged { height: 1fr; display: none; }
    LogsTab.-merged #logs-grid { display: none; }
    LogsTab.-merged #logs-merged { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "open_filter", "Filter logs", id="logs.filter"),
        Binding("m", "toggle_merged", "Merged/side by side", id="logs.merge"),
        Binding("space", "toggle_pause", "Pause/resume logs", id="logs.pause"),
        Binding("t", "toggle_stack", "Tail selected stack", id="logs.toggle_stack"),
        Binding("R", "restart_stopped", "Restart stopped tails", show=False, id="logs.restart"),
        Binding("escape", "close_filter", "Close filter bar", show=False, id="logs.close_filter"),
        # Priority, in the filter bar only: Tab moves on the moment it arrives, so what is
        # typed after it in one burst lands in the next field (see Dialog).
        Binding("tab", "filter_field(1)", "Next field", show=False, priority=True,
                id="logs.next_field"),
        Binding("shift+tab", "filter_field(-1)", "Previous field", show=False, priority=True,
                id="logs.previous_field"),
    ]
    palette_tab = "logs"

    def __init__(self, backlog: int = 100) -> None:
        super().__init__(id="logs-tab")
        self.backlog = backlog
        self.started = False
        self.paused = False
        self.merged = False
        self.filter_text = ""
        self.context = DEFAULT_CONTEXT

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    def compose(self) -> ComposeResult:
        yield Label(self._bar_text(), id="logs-bar")
        with Vertical(id="logs-filter-bar"):
            with Horizontal(id="logs-filter-row"):
                yield Input(placeholder="filter: text or /regex/ (enter)", id="logs-filter")
                yield Input(str(DEFAULT_CONTEXT), placeholder="context", id="logs-context",
                            type="integer")
            yield Label("", id="logs-filter-error")
        yield Grid(id="logs-grid")
        yield LogPane(id="logs-merged", title="all stacks · merged")

    # -- tails ---------------------------------------------------------------------------

    @property
    def panes(self) -> list[TailPane]:
        return list(self.query_one("#logs-grid", Grid).query(TailPane))

    @property
    def merged_pane(self) -> LogPane:
        return self.query_one("#logs-merged", LogPane)

    def ensure_loaded(self) -> None:
        """Start the tails the first time the tab is shown (they cost a channel each)."""
        if not self.started:
            self.started = True
            for stack in self.controller.app_model.stacks:
                self.start_tail(stack)

    def start_tail(self, stack: str) -> TailPane:
        pane = TailPane(stack, backlog=self.backlog, forward=self._forward)
        pane.paused = self.paused
        order = list(self.controller.app_model.stacks)
        rank = order.index(stack) if stack in order else len(order)
        later = [p for p in self.panes if p.stack in order and order.index(p.stack) > rank]
        # Keep the fleet's order of stacks, whatever order tails are started in.
        self.query_one("#logs-grid", Grid).mount(pane, before=later[0] if later else None)
        self.call_after_refresh(self._apply_filter_to, pane)
        self.call_after_refresh(self._layout)
        return pane

    async def stop_tail(self, stack: str) -> None:
        for pane in self.panes:
            if pane.stack == stack:
                await pane.remove()  # cancels its worker, which closes the stream
        self.call_after_refresh(self._layout)

    def show_stack(self, stack: str) -> None:
        """Focus ``stack``'s tail, starting it if it was stopped (Enter on a Fleet row)."""
        if self.merged:
            self.action_toggle_merged()
        pane = next((p for p in self.panes if p.stack == stack), None) or self.start_tail(stack)
        self.call_after_refresh(pane.focus)

    def tailed(self) -> list[str]:
        return [pane.stack for pane in self.panes]

    def _forward(self, stack: str, lines: list[str]) -> None:
        width = max((len(name) for name in self.controller.app_model.stacks), default=0)
        prefix = f"{stack:<{width}} │ "
        self.merged_pane.append([prefix + line for line in lines])

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        shape_grid(self.query_one("#logs-grid", Grid), len(self.panes), PANE_MIN_WIDTH)

    def main_widget(self) -> Widget | None:
        if self.merged:
            return self.merged_pane
        return self.panes[0] if self.panes else None

    def focus_main(self) -> None:
        widget = self.main_widget()
        if widget is not None:
            widget.focus()

    # -- actions -------------------------------------------------------------------------

    def _bar_text(self) -> str:
        mode = "merged" if self.merged else "side by side"
        state = "PAUSED" if self.paused else "live"
        shown = f"filter {self.filter_text!r} ±{self.context}" if self.filter_text else "no filter"
        keys = "/ filter · m merge · space pause · t tail stack · R restart stopped"
        return f"{state} · {mode} · {shown} · {keys}"

    def _refresh_bar(self) -> None:
        self.query_one("#logs-bar", Label).update(self._bar_text())

    def action_toggle_merged(self) -> None:
        self.merged = not self.merged
        self.set_class(self.merged, "-merged")
        self._refresh_bar()
        self.focus_main()

    def action_toggle_pause(self) -> None:
        self.set_paused(not self.paused)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        for pane in self.panes:
            pane.set_paused(paused)
        self._refresh_bar()

    async def action_toggle_stack(self) -> None:
        selected = self.controller.selected_stack
        if selected is None:
            return
        if selected in self.tailed():
            await self.stop_tail(selected)
            self.notify(f"Stopped the log tail of {selected}")
        else:
            self.start_tail(selected)
            self.notify(f"Tailing {selected}")

    async def action_restart_stopped(self) -> None:
        """Start again the tails that ended or were refused (e.g. after a first deploy)."""
        stopped = [pane.stack for pane in self.panes if pane.state.is_over]
        for stack in stopped:
            await self.stop_tail(stack)
            self.start_tail(stack)
        if not stopped:
            self.notify("Every tail is running")

    def action_open_filter(self) -> None:
        self.query_one("#logs-filter-bar").add_class("-open")
        self.query_one("#logs-filter", Input).focus()

    def action_close_filter(self) -> None:
        """Hide the bar; the filter stays applied (an empty one shows every line)."""
        self.query_one("#logs-filter-bar").remove_class("-open")
        self.focus_main()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc belongs to others (e.g. leaving a maximised pane) while the bar is closed.
        if action == "close_filter":
            return self.query_one("#logs-filter-bar").has_class("-open")
        if action == "filter_field":
            return isinstance(self.screen.focused, Input) and self.screen.focused in self.query(Input)
        return True

    def action_filter_field(self, step: int) -> None:
        self.screen.focus_next() if step > 0 else self.screen.focus_previous()

    @on(Input.Submitted, "#logs-filter, #logs-context")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#logs-filter", Input).value
        context_text = self.query_one("#logs-context", Input).value.strip() or "0"
        self.set_filter(text, int(context_text) if context_text.isdigit() else DEFAULT_CONTEXT)
        if not text.strip():
            self.query_one("#logs-filter-bar").remove_class("-open")
        self.focus_main()

    def set_filter(self, text: str, context: int = DEFAULT_CONTEXT) -> None:
        """Show only lines matching ``text`` (substring or /regex/) with ``context`` lines
        around each match, in every pane; "" shows everything again."""
        error = self.query_one("#logs-filter-error", Label)
        pattern, regex = parse_filter(text)
        try:
            for pane in [*self.panes, self.merged_pane]:
                pane.set_filter(pattern or None, regex=regex, context=max(0, context))
        except InvalidInput as problem:
            error.update(str(problem))
            return
        error.update("")
        self.filter_text = text if pattern else ""
        self.context = max(0, context)
        self._refresh_bar()

    def _apply_filter_to(self, pane: LogPane) -> None:
        if self.filter_text and pane.is_mounted:
            pattern, regex = parse_filter(self.filter_text)
            pane.set_filter(pattern, regex=regex, context=self.context)
