"""The stacks sidebar: one entry per target stack with status glyph, deployed short SHA,
drift marker, reachability and the age of what it shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui.stack_state import StackState, format_age

STATUS_STYLES = {
    DeployStatus.SUCCEEDED: "green",
    DeployStatus.FAILED: "bold red",
    DeployStatus.CANCELLED: "yellow",
}


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

    def __init__(self, states: Sequence[StackState], clock: Callable[[], float]) -> None:
        super().__init__(id="stacks")
        self.states = list(states)
        self.clock = clock
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
        self.add_options([Option(render_entry(s, now), id=s.name) for s in self.states])
        if self.states:
            self.highlighted = highlighted if highlighted is not None else 0


def render_entry(state: StackState, now: float) -> Text:
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
    text.append("\n  ")
    text.append(state.short_sha, style="dim" if state.short_sha.startswith("-") else "")
    text.append(" ")
    if state.checking and state.checked_at is None:
        text.append("checking…", style="dim")
    elif state.reachable is None:
        text.append("not checked", style="dim")
    elif state.reachable:
        text.append("up", style="green")
    else:
        text.append("down", style="red")
    if state.checked_at is not None:
        text.append(f" {format_age(now - state.checked_at)} ago", style="dim")
    return text
