"""A list of keyed, multi-line entries with a highlight, drawn line by line (the Line API).

Textual's OptionList clears its whole render cache when any one prompt is replaced and repaints
the whole widget on every highlight or hover move: at 200 stacks the sidebar drew ~46 lines per
frame and re-rendered every entry each second. Here each line of each entry is cached as a
Strip against what it is made of (its text, the width, highlight or hover, the widget's looks);
:meth:`EntryList.update_entry` repaints only the lines of that entry whose text changed, and
only while they are on screen; a highlight or hover move repaints the two entries concerned.
An entry's prompt may be given as a function that makes a one-line ``Text``: it is called
when the entry is first drawn (or asked for), so a 200-entry list builds the ~20 lines it
shows, not 200 (issue 14: a tenth of the sidebar's first showing).

It looks and behaves as an OptionList of ``Text`` prompts without separators, disabled options
or option padding: the same component styles (renamed), keys (up/down wrap around, home/end,
page up/down), a click highlights and selects, the wheel scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple, cast

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, clamp
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual, visualize

from ownstack_tui.tui.widgets.line_view import CachedLineView, drawn_line

LazyPrompt = Callable[[], Text]  # makes a one-line prompt, called when it is first needed
Prompt = Text | LazyPrompt


@dataclass
class _Entry:
    key: str
    source: Prompt
    built: list[Text] | None  # the prompt's lines; None until a lazy prompt is made
    # Per line, the Strips last drawn, by what they were drawn for (see drawn_line).
    drawn: list[dict[tuple[object, ...], Strip]] = field(default_factory=list, repr=False)
    versions: list[int] = field(default_factory=list)  # per line, bumped when its text changes

    @property
    def lines(self) -> list[Text]:
        if self.built is None:
            self.built = [cast(LazyPrompt, self.source)()]
        return self.built

    @property
    def prompt(self) -> Text:
        source = self.source
        return source if isinstance(source, Text) else self.lines[0]

    @property
    def line_count(self) -> int:
        return len(self.drawn)


class _Looks(NamedTuple):
    plain: Style
    highlighted: Style
    hover: Style


def split_lines(prompt: Text) -> list[Text]:
    """The prompt's lines, each drawn on its own (never wrapped: cut with "…")."""
    if "\n" not in prompt.plain:
        return [prompt]
    lines = prompt.split("\n", allow_blank=True)
    for line in lines:
        line.no_wrap = True
        line.overflow = prompt.overflow or "ellipsis"
    return lines


class EntryList(CachedLineView[_Looks], can_focus=True):
    """Keyed entries of one or more lines; Enter (or a click) posts :class:`EntrySelected`, a
    highlight move :class:`EntryHighlighted`."""

    ALLOW_SELECT = False
    # OptionList's keys, with its descriptions (the help screen lists them).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "entry-list--option",
        "entry-list--option-highlighted",
        "entry-list--option-hover",
    }
    # OptionList's looks, its component classes renamed, so the sidebar it replaced reads the same.
    DEFAULT_CSS = """
    EntryList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .entry-list--option-highlighted {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .entry-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .entry-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        & > .entry-list--option-hover {
            background: $block-hover-background;
        }
    }
    """

    class _EntryMessage(Message):
        def __init__(self, entry_list: EntryList, key: str, index: int) -> None:
            super().__init__()
            self.entry_list = entry_list
            self.key = key
            self.index = index

        @property
        def control(self) -> EntryList:
            return self.entry_list

    class EntryHighlighted(_EntryMessage):
        """The highlight moved to an entry (by key, click or a new set of entries)."""

    class EntrySelected(_EntryMessage):
        """Enter on the highlighted entry, or a click on an entry."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: list[_Entry] = []
        self._index: dict[str, int] = {}
        self._lines: list[tuple[int, int]] = []  # per content line: (entry index, its line)
        self._first_line: list[int] = []  # per entry: its first content line
        self._highlighted: int | None = None
        self._hover: int | None = None

    # -- what the caller gives -----------------------------------------------------------------

    @property
    def entries(self) -> list[tuple[str, Text]]:
        """Every entry as (key, prompt), top to bottom, scrolled into view or not."""
        return [(entry.key, entry.prompt) for entry in self._entries]

    @property
    def entry_count(self) -> int:
        return len(self._entries)

    @property
    def entry_keys(self) -> list[str]:
        return [entry.key for entry in self._entries]

    def set_entries(self, rows: Sequence[tuple[str, Prompt]]) -> None:
        """New entries (keys unique): the same key stays highlighted (else the same index, the
        last at most), the list scrolled where it was. A prompt given as a function is made
        when first drawn."""
        previous = self.highlighted_key
        index, scroll = self._highlighted, self.scroll_y
        self._entries = [self._entry(key, prompt) for key, prompt in rows]
        self._index = {entry.key: number for number, entry in enumerate(self._entries)}
        self._hover = None
        self._layout_lines()
        self.refresh()
        if not self._entries:
            self._highlighted = None
            self.scroll_y = 0
            return
        if previous is not None and previous in self._index:
            index = self._index[previous]
        self.scroll_y = scroll
        self._highlighted = None
        self.highlighted = min(index or 0, len(self._entries) - 1)

    def update_entry(self, index: int, prompt: Prompt) -> None:
        """Entry ``index`` shows ``prompt`` from now on (as many lines as before: else give
        every entry again with :meth:`set_entries`). Only its lines whose text changed are
        drawn again, now if on screen, else when scrolled to (a function's prompt is made
        then, and now only if the entry is on screen)."""
        entry = self._entries[index]
        lazy = not isinstance(prompt, Text)
        if lazy and entry.line_count == 1 and not self._on_screen(self._first_line[index]):
            entry.source, entry.built = prompt, None
            entry.versions[0] += 1  # drawn again when scrolled to
            return
        lines = [cast(LazyPrompt, prompt)()] if lazy else split_lines(cast(Text, prompt))
        if len(lines) != entry.line_count:
            rows: list[tuple[str, Prompt]] = [(each.key, each.source) for each in self._entries]
            rows[index] = (entry.key, prompt)
            self.set_entries(rows)
            return
        if entry.built is None:  # never made: nothing drawn from it to compare with
            entry.source, entry.built = prompt, lines
            entry.versions[0] += 1
            self._refresh_line(self._first_line[index])
            return
        entry.source = prompt
        for number, (old, new) in enumerate(zip(entry.lines, lines, strict=True)):
            if old is not new and old != new:
                entry.lines[number] = new
                entry.versions[number] += 1
                self._refresh_line(self._first_line[index] + number)

    @staticmethod
    def _entry(key: str, prompt: Prompt) -> _Entry:
        if not isinstance(prompt, Text):
            return _Entry(key, prompt, None, [{}], [0])
        lines = split_lines(prompt)
        return _Entry(key, prompt, lines, [{} for _ in lines], [0] * len(lines))

    def _layout_lines(self) -> None:
        self._lines, self._first_line = [], []
        for number, entry in enumerate(self._entries):
            self._first_line.append(len(self._lines))
            self._lines.extend((number, line) for line in range(entry.line_count))
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        self._set_virtual_size(Size(self.scrollable_content_region.width, len(self._lines)))

    def _on_resize(self, _event: events.Resize) -> None:
        self._resize_virtual()
        self.refresh()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    # -- the highlight -------------------------------------------------------------------------

    @property
    def highlighted(self) -> int | None:
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        """Highlight entry ``index`` (clamped to the entries), scroll it into view and post
        :class:`EntryHighlighted` if it moved."""
        if index is not None:
            index = clamp(index, 0, len(self._entries) - 1) if self._entries else None
        if index == self._highlighted:
            return
        old, self._highlighted = self._highlighted, index
        self._refresh_entry(old)
        self._refresh_entry(index)
        if index is not None:
            self.scroll_to_highlight()
            self.post_message(self.EntryHighlighted(self, self._entries[index].key, index))

    @property
    def highlighted_key(self) -> str | None:
        index = self._highlighted
        return self._entries[index].key if index is not None else None

    def scroll_to_highlight(self, top: bool = False) -> None:
        index = self._highlighted
        if index is None or not self.is_mounted:
            return
        self.scroll_to_region(
            Region(0, self._first_line[index], self.scrollable_content_region.width,
                   self._entries[index].line_count),
            force=True, animate=False, top=top, immediate=True,
        )

    def action_cursor_up(self) -> None:
        if self._entries:  # wraps round, as OptionList's
            count, current = len(self._entries), self._highlighted
            self.highlighted = count - 1 if current is None else (current - 1) % count

    def action_cursor_down(self) -> None:
        if self._entries:
            current = self._highlighted
            self.highlighted = 0 if current is None else (current + 1) % len(self._entries)

    def action_first(self) -> None:
        if self._entries:
            self.highlighted = 0

    def action_last(self) -> None:
        if self._entries:
            self.highlighted = len(self._entries) - 1

    def _move_page(self, direction: int) -> None:
        """The entry a page of lines away from the highlighted one's first line."""
        if not self._entries:
            return
        height = self.scrollable_content_region.height
        y = clamp(self._first_line[self._highlighted or 0] + direction * height, 0, len(self._lines) - 1)
        self.highlighted = self._lines[y][0]

    def action_page_up(self) -> None:
        if self._highlighted is None:
            self.action_first()
        else:
            self._move_page(-1)

    def action_page_down(self) -> None:
        if self._highlighted is None:
            self.action_last()
        else:
            self._move_page(1)

    def action_select(self) -> None:
        index = self._highlighted
        if index is not None:
            self.post_message(self.EntrySelected(self, self._entries[index].key, index))

    # -- the mouse -----------------------------------------------------------------------------

    def _entry_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        line = offset.y + self.scroll_offset.y
        return self._lines[line][0] if 0 <= line < len(self._lines) else None

    async def _on_click(self, event: events.Click) -> None:
        index = self._entry_at(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._entry_at(event))

    def _on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            old, self._hover = self._hover, index
            self._refresh_entry(old)
            self._refresh_entry(index)

    # -- drawing -------------------------------------------------------------------------------

    def _refresh_entry(self, index: int | None) -> None:
        if index is not None and index < len(self._entries):
            first = self._first_line[index]
            for line in range(first, first + self._entries[index].line_count):
                self._refresh_line(line)

    def _on_screen(self, line: int) -> bool:
        return 0 <= line - self.scroll_offset.y < self.size.height

    def _refresh_line(self, line: int) -> None:
        """Repaint content line ``line`` if it is on screen (off screen, nothing to do)."""
        if self._on_screen(line):
            self.refresh(Region(0, line - self.scroll_offset.y, self.size.width, 1))

    def notify_style_update(self) -> None:
        self.refresh()  # the looks are compared at the next paint (as OptionList refreshes)
        super().notify_style_update()

    def current_looks(self) -> _Looks:
        return _Looks(
            self.get_visual_style("entry-list--option"),
            self.get_visual_style("entry-list--option", "entry-list--option-highlighted"),
            self.get_visual_style("entry-list--option", "entry-list--option-hover"),
        )

    def render_line(self, y: int) -> Strip:
        looks = self.looks
        width = self.scrollable_content_region.width
        line_number = self.scroll_offset.y + y
        if not 0 <= line_number < len(self._lines):
            return Strip.blank(width, looks.plain.rich_style)
        index, offset = self._lines[line_number]
        entry = self._entries[index]
        state = 1 if index == self._highlighted else 2 if index == self._hover else 0
        drawn_for = (entry.versions[offset], self.looks_version, width, state, index)
        style = (looks.plain, looks.highlighted, looks.hover)[state]
        return drawn_line(entry.drawn[offset], drawn_for,
                          lambda: self._draw(entry.lines[offset], width, style, index))

    def _draw(self, line: Text, width: int, style: Style, index: int) -> Strip:
        """As OptionList draws a prompt's line: the visual of the text, to the full width in the
        entry's style, with the entry's index for the mouse."""
        visual = visualize(self, line, markup=False)
        strip = Visual.to_strips(self, visual, width, 1, style)[0]
        return strip.extend_cell_length(width, style.rich_style).apply_meta({"option": index})
