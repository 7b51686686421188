"""The stacks sidebar: one entry per target stack with status glyph, the short SHA the stack
reported, drift marker, reachability and the age of that reading."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.health import Severity
from ownstack_tui.tui.stack_state import StackState, format_age

STATUS_STYLES = {
    DeployStatus.SUCCEEDED: "green",
    DeployStatus.FAILED: "bold red",
    DeployStatus.CANCELLED: "yellow",
}
MARK_STYLES = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.OK: ""}
ENTRY_WIDTH = 22  # cells inside the sidebar's border and padding, before it is measured


class StackSidebar(OptionList):
    BINDING_GROUP_TITLE = "Stacks"
    DEFAULT_CSS = """
    StackSidebar {
        width: 26;
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text;
        &:focus { border: round $accent; }
    }
    """

    def __init__(
        self, states: Sequence[StackState], clock: Callable[[], float], refresh_interval: float
    ) -> None:
        super().__init__(id="stacks")
        self.states = list(states)
        self.clock = clock
        self.refresh_interval = refresh_interval
        self.border_title = "Stacks"

    def on_mount(self) -> None:
        self.refresh_states()

    @property
    def selected(self) -> StackState | None:
        index = self.highlighted
        return self.states[index] if index is not None and index < len(self.states) else None

    def refresh_states(self) -> None:
        highlighted = self.highlighted
        now = self.clock()
        self.clear_options()
        width = self.scrollable_content_region.width or ENTRY_WIDTH
        self.add_options(
            [Option(render_entry(s, now, self.refresh_interval, width), id=s.name) for s in self.states]
        )
        if self.states:
            self.highlighted = highlighted if highlighted is not None else 0


def render_entry(
    state: StackState, now: float, refresh_interval: float, width: int | None = None
) -> Text:
    """Three lines: glyph, name and drift; the SHA the stack reported, whether it answered and
    the health marks; how old that reading is (marked stale past a few refresh intervals).
    With ``width``, each line is cut there with "…" (the list would wrap it onto a fourth)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    status = state.status
    if status is not None:
        text.append(status.glyph + " ", style=STATUS_STYLES.get(status, "cyan"))
    elif state.reachable is False:
        text.append("! ", style="bold red")
    else:
        text.append("· ", style="dim")
    text.append(state.name, style="bold")
    if state.drift:
        text.append(f" ≠{state.drift}", style="yellow")
    if state.slow(now):  # past twice its usual deploy time: "is it stuck?" without the log
        text.append(" slow", style="bold yellow")
    holder = state.lock_holder()
    if holder is not None:  # the lock and its owner by the name: the second line is full
        text.append(f" 🔒{holder}", style="yellow")
    text.append("\n  ")
    text.append(state.short_sha, style="dim" if state.short_sha.startswith("-") else "")
    if state.reachable is True:
        text.append(" up", style="green")
    elif state.reachable is False:
        text.append(" down", style="red")
    for mark, severity in state.health_marks():  # crashed, TLS, behind (worst first)
        text.append(" " + mark, style=MARK_STYLES[severity])
    text.append("\n  ")
    if state.checked_at is None:
        text.append("checking…" if state.checking else "not checked", style="dim")
    elif state.is_stale(now, refresh_interval):
        text.append(f"stale · checked {format_age(now - state.checked_at)}", style="bold yellow")
    else:
        text.append(f"checked {format_age(now - state.checked_at)} ago", style="dim")
    if width is None:
        return text
    lines = text.split("\n")
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return Text("\n", no_wrap=True).join(lines)
