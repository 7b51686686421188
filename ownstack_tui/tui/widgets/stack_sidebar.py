"""The stacks sidebar: one entry per target stack with status glyph, the short SHA the stack
reported, drift marker, reachability and the age of that reading; above ~20 stacks (or when
three lines each do not fit) one line each. The Console's listing filters it (a selector),
groups it by tags under collapsible headers with counts, and can put failed/running first.

:class:`StackColumn` holds the list and its one-line prompt bar (``/`` filter, ``g`` group by
tags) and passes what is typed to the Console's intents; the list is told the listing back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Span, Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.health import Severity
from ownstack_tui.model.stack_groups import Group, StackListing, arrange
from ownstack_tui.tui.stack_state import StackState, format_age
from ownstack_tui.tui.widgets.entry_list import EntryList, Prompt

if TYPE_CHECKING:
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console

STATUS_STYLES = {
    DeployStatus.SUCCEEDED: "green",
    DeployStatus.FAILED: "bold red",
    DeployStatus.CANCELLED: "yellow",
}
MARK_STYLES = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.OK: ""}
ENTRY_WIDTH = 22  # cells inside the sidebar's border and padding, before it is measured
COMPACT_ABOVE = 20  # stacks listed: more than this, one line per stack
ENTRY_LINES = 3
GROUP_PREFIX = "group:"  # a header's option id (stack names never hold a colon)


class StackSidebar(EntryList):
    BINDING_GROUP_TITLE = "Stacks"
    DEFAULT_CSS = """
    StackSidebar {
        width: 1fr;
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text;
        &:focus { border: round $accent; }
    }
    """

    def __init__(
        self,
        states: Sequence[StackState],
        clock: Callable[[], float],
        refresh_interval: float,
        listing: StackListing | None = None,
    ) -> None:
        super().__init__(id="stacks")
        self.states = list(states)
        self.clock = clock
        self.refresh_interval = refresh_interval
        self.listing = listing or StackListing()
        self.border_title = "Stacks"
        self._drawn_lines: dict[str, tuple[tuple[Parts, int], Text]] = {}  # one-line entries drawn

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    def on_mount(self) -> None:
        self.refresh_states()

    def on_resize(self) -> None:
        self.refresh_states()  # the height decides between three lines and one per stack

    @property
    def selected(self) -> StackState | None:
        """The highlighted stack (None on a group's header)."""
        key = self.highlighted_key
        if key is None:
            return None
        return next((state for state in self.states if state.name == key), None)

    def show_listing(self, listing: StackListing) -> None:
        self.listing = listing
        self.refresh_states()

    def refresh_states(self) -> None:
        """Show the states again. Same rows as before (the usual second's redraw): only the
        prompts whose text changed are replaced, highlight and scroll untouched."""
        now = self.clock()
        arranged = arrange(self.states, self.listing)
        width = self.scrollable_content_region.width or ENTRY_WIDTH
        entries = sum(not isinstance(row, Group) for row in arranged.rows)
        height = self.scrollable_content_region.height
        # By the stacks the filter lets through (a collapse does not change the layout).
        compact = arranged.shown > COMPACT_ABOVE or (
            height > 0 and entries * ENTRY_LINES + len(arranged.rows) - entries > height
        )
        rows: list[tuple[str, Prompt]] = []
        for row in arranged.rows:
            if isinstance(row, Group):
                rows.append((GROUP_PREFIX + row.name, render_header(row, width)))
            else:
                state = cast(StackState, row)
                if compact:
                    # Made when drawn: of 200 stacks ~20 are on screen (the list asks for the
                    # others when they are scrolled to).
                    rows.append((state.name, partial(self._line, state, now, width)))
                else:
                    rows.append((state.name, render_entry(state, now, self.refresh_interval, width)))
        title = self._title(arranged.shown, arranged.total)
        if title != self.border_title:  # setting it repaints the whole sidebar, even unchanged
            self.border_title = title
        if self.entry_keys == [name for name, _prompt in rows]:
            for index, (_name, prompt) in enumerate(rows):
                self.update_entry(index, prompt)  # its changed lines only, if on screen
            return
        self.set_entries(rows)  # the same stack stays highlighted, the list scrolled where it was

    def _line(self, state: StackState, now: float, width: int) -> Text:
        """A one-line entry, the same Text as last time when nothing in it changed (no new
        prompt, no re-render: a 200-stack redraw costs the comparisons)."""
        parts = line_parts(state, now, self.refresh_interval)
        cached = self._drawn_lines.get(state.name)
        if cached is not None and cached[0] == (parts, width):
            return cached[1]
        text = assemble_line(parts, width)
        self._drawn_lines[state.name] = ((parts, width), text)
        return text

    def _title(self, shown: int, total: int) -> str:
        title = "Stacks"
        if self.listing.filter is not None:
            title += f" {shown}/{total}"
        if self.listing.problems_first:
            title += " ✗ first"
        return title

    def action_toggle_group(self) -> None:
        key = self.highlighted_key
        if key is not None and key.startswith(GROUP_PREFIX):
            self.controller.toggle_group(key.removeprefix(GROUP_PREFIX))

    def on_entry_list_entry_highlighted(self, event: EntryList.EntryHighlighted) -> None:
        if event.key.startswith(GROUP_PREFIX):
            event.stop()  # a header is no stack: the selected stack stays the last one

    def on_entry_list_entry_selected(self, event: EntryList.EntrySelected) -> None:
        """Enter on a header collapses or expands its group (on a stack: the screen's)."""
        if event.key.startswith(GROUP_PREFIX):
            event.stop()
            self.controller.toggle_group(event.key.removeprefix(GROUP_PREFIX))


class StackColumn(Vertical):
    """The sidebar and, under it, its prompt bar: ``/`` a selector filter, ``g`` the tags to
    group by. Enter applies (a bad value says why in red and keeps what was); Esc closes the
    bar (the filter stays); an empty value clears."""

    BINDING_GROUP_TITLE = "Stacks"
    # Not in the footer: at 80 columns it keeps room for the deploy keys (help and palette
    # list these).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "open_bar('filter')", "Filter stacks", show=False, id="stacks.filter"),
        Binding("g", "open_bar('group')", "Group by tags", show=False, id="stacks.group"),
        Binding("o", "toggle_order", "Failed first on/off", show=False, id="stacks.order"),
        Binding("space", "toggle_group", "Collapse/expand group", show=False, id="stacks.toggle_group"),
        Binding("escape", "close_bar", "Close stacks bar", show=False, id="stacks.close_bar"),
    ]
    DEFAULT_CSS = """
    StackColumn { width: 26; height: 1fr; }
    StackColumn #stacks-bar { height: auto; display: none; padding: 0 1; }
    StackColumn #stacks-bar.-open { display: block; }
    StackColumn #stacks-prompt { color: $text-muted; width: 1fr; }
    StackColumn #stacks-input { border: none; height: 1; padding: 0; width: 1fr; }
    StackColumn #stacks-error { color: $error; width: 1fr; height: auto; max-height: 8; }
    """
    PROMPTS: ClassVar[dict[str, str]] = {"filter": "Filter stacks:", "group": "Group by tags:"}
    PLACEHOLDERS: ClassVar[dict[str, str]] = {"filter": "tag:prod,prod-*,!tag:x", "group": "prod,staging"}

    def __init__(self, sidebar: StackSidebar) -> None:
        super().__init__(id="stacks-column")
        self.sidebar = sidebar
        self.mode = "filter"
        self.filter_text = ""  # as typed, offered again when the bar opens

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    def compose(self) -> ComposeResult:
        yield self.sidebar
        # The prompt bar (an Input, two Labels) is mounted the first time it opens: hidden
        # until then, it only cost the first frame its styling and mounting.

    @property
    def bar_open(self) -> bool:
        bars = self.query_children("#stacks-bar")
        return bool(bars) and bars.first().has_class("-open")

    async def _bar(self) -> Vertical:
        """The prompt bar, mounted under the list the first time it is asked for."""
        bars = self.query_children("#stacks-bar")
        if bars:
            return cast(Vertical, bars.first())
        bar = Vertical(
            Label("", id="stacks-prompt"),
            Input(id="stacks-input", select_on_focus=False),
            Label("", id="stacks-error"),
            id="stacks-bar",
        )
        await self.mount(bar)
        return bar

    async def open_bar(self, mode: str) -> None:
        bar = await self._bar()
        self.mode = mode
        value = self.filter_text if mode == "filter" else self.controller.group_suggestion()
        self.query_one("#stacks-prompt", Label).update(self.PROMPTS[mode])
        self.query_one("#stacks-error", Label).update("")
        field = self.query_one("#stacks-input", Input)
        field.value = value
        field.placeholder = self.PLACEHOLDERS[mode]
        field.cursor_position = len(value)
        bar.add_class("-open")
        field.focus()

    async def action_open_bar(self, mode: str) -> None:
        await self.open_bar(mode)

    def action_close_bar(self) -> None:
        for bar in self.query_children("#stacks-bar"):
            bar.remove_class("-open")
        self.sidebar.focus()

    def action_toggle_group(self) -> None:
        self.sidebar.action_toggle_group()

    def action_toggle_order(self) -> None:
        self.controller.toggle_problems_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_bar":
            return self.is_mounted and self.bar_open  # else Esc is someone else's
        return True

    @on(Input.Submitted, "#stacks-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            if self.mode == "filter":
                self.controller.filter_stacks(event.value)
                self.filter_text = event.value.strip()
            else:
                self.controller.group_stacks(event.value)
        except InvalidInput as error:
            self.query_one("#stacks-error", Label).update(str(error))
            return
        self.action_close_bar()


def render_entry(
    state: StackState, now: float, refresh_interval: float, width: int | None = None
) -> Text:
    """Three lines: glyph, name and drift; the SHA the stack reported, whether it answered and
    the health marks; how old that reading is (marked stale past a few refresh intervals).
    With ``width``, each line is cut there with "…" (the list would wrap it onto a fourth)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    _glyph(text, state)
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


def render_line(state: StackState, now: float, refresh_interval: float, width: int | None = None) -> Text:
    """One line, for big fleets: glyph, name, then the marks (drift, slow, down, health)."""
    return assemble_line(line_parts(state, now, refresh_interval), width)


Parts = tuple[tuple[str, str], ...]  # (text, style) pieces of a one-line entry


def line_parts(state: StackState, now: float, refresh_interval: float) -> Parts:
    status = state.status
    if status is not None:
        parts = [(status.glyph + " ", STATUS_STYLES.get(status, "cyan"))]
    elif state.reachable is False:
        parts = [("! ", "bold red")]
    else:
        parts = [("· ", "dim")]
    parts.append((state.name, "bold"))
    if state.drift:
        parts.append((f" ≠{state.drift}", "yellow"))
    if state.slow(now):
        parts.append((" slow", "bold yellow"))
    if state.reachable is False:
        parts.append((" down", "red"))
    parts.extend((" " + mark, MARK_STYLES[severity]) for mark, severity in state.health_marks())
    if state.lock_holder() is not None:
        parts.append((" 🔒", "yellow"))
    if state.checked_at is None:
        parts.append((" …", "dim"))  # not answered yet (checking, or not asked)
    elif state.is_stale(now, refresh_interval):
        parts.append((" stale", "bold yellow"))
    return tuple(parts)


def assemble_line(parts: Parts, width: int | None = None) -> Text:
    # One Text built from its pieces at once: rich strips control codes per append, which was
    # most of a 200-stack redraw.
    spans, offset = [], 0
    for piece, style in parts:
        if style:
            spans.append(Span(offset, offset + len(piece), style))
        offset += len(piece)
    text = Text("".join(piece for piece, _style in parts), no_wrap=True, overflow="ellipsis", spans=spans)
    if width is not None:
        text.truncate(width, overflow="ellipsis")
    return text


def render_header(group: Group, width: int | None = None) -> Text:
    """``▾ prod 120: ✓118 ✗2 ⟳3`` (▸ when collapsed)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("▸ " if group.collapsed else "▾ ", style="bold")
    text.append(group.name, style="bold underline")
    text.append(" " + group.counts.text, style="bold")
    if width is not None:
        text.truncate(width, overflow="ellipsis")
    return text


def _glyph(text: Text, state: StackState) -> None:
    status = state.status
    if status is not None:
        text.append(status.glyph + " ", style=STATUS_STYLES.get(status, "cyan"))
    elif state.reachable is False:
        text.append("! ", style="bold red")
    else:
        text.append("· ", style="dim")
