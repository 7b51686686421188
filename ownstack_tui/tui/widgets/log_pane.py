"""LogPane: a log view built for many panes streaming at once.

Why not Textual's `Log`: it measures every line it is given on a worker thread per call, keeps
no render cache without a selection and shows ANSI escapes as text. Here `append` only buffers;
a timer flushes the buffer ~10 times a second; the stored lines are a capped deque; colour is
parsed only for lines on screen (and cached); a huge line is rendered only in the window shown.

Tailing: the pane follows new lines until the user scrolls up; it then counts the lines that
arrive (`new_lines`, posted as `LogPane.TailChanged`) until End/`G` or scrolling to the bottom.

    pane = LogPane(title="prod-east · building")
    pane.append(lines)                        # on the app's event loop, not a thread; cheap
    pane.set_title("prod-east · failed", "a1b2c3d · 42s")
    pane.set_filter("error", context=3)       # or regex=True; None clears it
    pane.copy_visible() / pane.copy_all()     # OSC 52 via app.copy_to_clipboard
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.widget import Widget

from ownstack_tui.ansi import ParsedLine, parse_line, visible_width
from ownstack_tui.text import strip_escapes
from ownstack_tui.tui.widgets.line_view import LineScrollView
from ownstack_tui.tui.widgets.log_filter import SEPARATOR, LineFilter, compile_filter
from ownstack_tui.tui.widgets.log_render import set_scrollbar, window_strip
from ownstack_tui.tui.widgets.log_wrap import WrapIndex

# Lines whose width is measured per flush: the raw-longest few (escapes make raw length an
# overestimate); a longer line discovered while rendering widens the pane then.
_MEASURED_PER_FLUSH = 8
_MIN_PARSE_CELLS = 1024
_COLUMN_STEP = 8


class LogPane(LineScrollView, can_focus=True):
    """Streams lines from `append`; colour, tailing, filter, copy. Generic: no stack knowledge."""

    DEFAULT_CSS = """
    LogPane {
        background: $surface;
        color: $text;
        /* No horizontal scrollbar: one appearing when a long line arrives re-lays out the whole
           screen (~100 ms with ten busy panes) and takes a row. h/l scroll sideways instead and
           the subtitle shows the column. */
        overflow-x: hidden;
        overflow-y: auto;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        &:focus { border: round $accent; }
        & > .log-pane--separator { color: $text-disabled; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"log-pane--separator"}
    BINDING_GROUP_TITLE = "Log pane"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,up", "line_up", "Up", show=False, id="log_pane.line_up"),
        Binding("j,down", "line_down", "Down", show=False, id="log_pane.line_down"),
        Binding("h,left", "column_left", "Left", show=False, id="log_pane.left"),
        Binding("l,right", "column_right", "Right", show=False, id="log_pane.right"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="log_pane.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="log_pane.page_down"),
        Binding("g,home", "top", "Top", show=False, id="log_pane.top"),
        Binding("G,end", "tail", "Follow", id="log_pane.tail"),
        Binding("y", "copy_visible", "Copy", id="log_pane.copy_visible"),
        Binding("Y", "copy_all", "Copy all", show=False, id="log_pane.copy_all"),
        Binding("w", "toggle_wrap", "Wrap lines", show=False, id="log_pane.wrap"),
    ]

    tailing: var[bool] = var(True, init=False)
    """Following new lines; False once the user scrolls up."""
    new_lines: var[int] = var(0, init=False)
    """Rows that arrived while not tailing."""

    class TailChanged(Message):
        """The pane started or stopped tailing, or more lines wait below."""

        def __init__(self, pane: LogPane, tailing: bool, new_lines: int) -> None:
            super().__init__()
            self.pane = pane
            self.tailing = tailing
            self.new_lines = new_lines

        @property
        def control(self) -> LogPane:
            return self.pane

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogPane.TailChanged) and message.pane is self.pane

    def __init__(
        self,
        *,
        max_lines: int = 10_000,
        flush_interval: float = 0.1,
        colour: bool = True,
        show_tail_badge: bool = True,
        title: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """
        Args:
            max_lines: lines kept; older ones are dropped (memory stays bounded).
            flush_interval: seconds between flushes of appended lines to the screen.
            colour: render ANSI colours (True) or strip them (False).
            show_tail_badge: show "N new lines" in the border subtitle while paused.
            title: the border title.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.max_lines = max_lines
        self.flush_interval = flush_interval
        self.colour = colour
        self.show_tail_badge = show_tail_badge
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._dropped = 0  # lines dropped from the front: the absolute id of _lines[0]
        self._pending: list[str] = []
        self._width = 0
        self._longest_raw = 0
        self._filter: LineFilter | None = None
        self._parsed: LRUCache[int, ParsedLine] = LRUCache(512)
        self._adjusting = False  # True while the pane moves its own scroll position
        self._subtitle = ""
        self._base_style: Style | None = None
        self._frame: tuple[Offset, int] | None = None  # scroll offset and width while painting
        self.wrap = False  # long lines wrap at the pane's width instead of scrolling sideways
        self._wrap = WrapIndex()  # screen rows of each row, kept only while wrapping
        self._cells: dict[int, int] = {}  # line id -> width in cells, measured for wrapping
        self.border_title = title

    # ---- feeding -----------------------------------------------------------------------------

    def append(self, lines: list[str]) -> None:
        """Queue lines (one string each, no newline) for the next flush. Cheap: no parsing."""
        pending = self._pending
        pending.extend(lines)
        # An unmounted or stalled pane must not grow without bound either.
        if len(pending) > 2 * self.max_lines:
            del pending[: -self.max_lines]

    def on_mount(self) -> None:
        super().on_mount()
        # Every pane flushes at the same phase of the clock: ten streaming panes then make one
        # screen update per interval. Textual repaints the bounding box of all dirty regions,
        # so panes flushing at different moments made many updates, each nearly full-screen.
        offset = self.flush_interval - time.monotonic() % self.flush_interval
        self.set_timer(offset, self._start_flushing, name="log-pane-align")

    def _start_flushing(self) -> None:
        self.flush()
        self.set_interval(self.flush_interval, self.flush, name="log-pane-flush")

    def flush(self) -> None:
        """Move queued lines into the pane and refresh it; the timer calls this."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        first_id = self._dropped + len(self._lines)
        self._lines.extend(batch)
        last_id = first_id + len(batch)
        dropped_before = self._dropped
        self._dropped = last_id - len(self._lines)
        kept = batch[-self.max_lines :] if len(batch) > self.max_lines else batch
        self._measure(kept)
        if self._filter is None:
            added = len(kept)
            removed = self._dropped - dropped_before
        else:
            added = self._filter.feed(last_id - len(kept), kept)
            removed = self._filter.prune(self._dropped)
        self._rows_changed(added, removed)

    def clear(self) -> None:
        """Forget every line (queued ones too)."""
        self._dropped += len(self._lines)
        self._lines.clear()
        self._pending.clear()
        self._width = 0
        self._longest_raw = 0
        if self._filter is not None:
            self._filter = LineFilter(self._filter.pattern, self._filter.context)
        self._parsed.clear()
        self._cells.clear()
        self._lay_out_again()

    def _lay_out_again(self) -> None:
        """After the shown lines changed wholesale (cleared, filtered): wrap, size, back to the tail."""
        if self.wrap:
            self._rewrap()
        with self._self_scrolling():
            self._resize_content()
        self.resume_tail()
        self.refresh()

    def _measure(self, lines: list[str]) -> None:
        # Raw length bounds the visible width from above, so a batch with no line longer (raw)
        # than the longest measured so far cannot widen the pane: the usual case, at C speed.
        longest = max(map(len, lines), default=0)
        if longest <= self._longest_raw:
            return
        self._longest_raw = longest
        width = self._width
        for line in heapq.nlargest(_MEASURED_PER_FLUSH, lines, key=len):
            if len(line) > width:
                width = max(width, visible_width(line))
        self._width = width

    def _resize_content(self) -> None:
        """Resize the scrollable area without a screen layout.

        Assigning `virtual_size` lays out the whole screen (every widget repaints); with ten
        panes flushing ten times a second that was most of the CPU. Only the scrollbars need to
        know, and they re-layout by themselves when they appear or disappear.
        """
        wrap = self._wrap
        size = Size(wrap.width, wrap.total) if self.wrap else Size(self._width, self.row_count)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._refresh_scrollbars()
            if not self._adjusting:
                self._sync_scrollbars()
            self.scroll_x = self.validate_scroll_x(self.scroll_x)
            self.scroll_y = self.validate_scroll_y(self.scroll_y)

    @contextmanager
    def _self_scrolling(self) -> Iterator[None]:
        """The pane moves its own scroll position: that is not the user pausing the tail, and
        the scrollbars are told once at the end (not once per step)."""
        self._adjusting = True
        try:
            yield
        finally:
            self._adjusting = False
            self._sync_scrollbars()

    def _sync_scrollbars(self) -> None:
        """Tell the scrollbars the new sizes and position, repainting one only when its thumb
        moves by a visible amount (repainting them on every flush cost a third of a frame)."""
        width, height = self.container_size
        virtual = self.virtual_size
        if self.show_vertical_scrollbar:
            window = height - self.scrollbar_size_horizontal
            set_scrollbar(self.vertical_scrollbar, window, virtual.height, self.scroll_y)
        if self.show_horizontal_scrollbar:  # only if a parent's CSS turns it back on
            window = width - self.scrollbar_size_vertical
            set_scrollbar(self.horizontal_scrollbar, window, virtual.width, self.scroll_x)

    def _rows_changed(self, added: int, removed: int) -> None:
        new_lines = added
        if self.wrap:  # from here on in screen rows
            added, removed = self._wrap_rows_changed(added, removed)
        rows_before = self._view_rows - added + removed
        with self._self_scrolling():
            self._resize_content()
            if self.tailing:
                self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            else:
                if removed:
                    # Keep the lines the user is reading in place while old ones drop off.
                    self.scroll_to(
                        y=max(0, self.scroll_y - removed), animate=False, immediate=True, force=True
                    )
                if new_lines:
                    self.new_lines += new_lines
        bottom = self.scroll_offset.y + self.scrollable_content_region.height
        if self.tailing or removed or rows_before < bottom:
            self._repaint_rows()  # else a paused pane's rows on screen did not change

    # ---- what is shown -----------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        """Lines held (after the cap), not counting queued ones."""
        return len(self._lines)

    @property
    def pending_count(self) -> int:
        """Lines appended but not flushed yet."""
        return len(self._pending)

    @property
    def row_count(self) -> int:
        """Rows shown: all lines, or the filter's matches, context and separators."""
        return len(self._filter.rows) if self._filter is not None else len(self._lines)

    @property
    def lines(self) -> list[str]:
        """The raw lines held, oldest first (a copy)."""
        return list(self._lines)

    def row_text(self, row: int) -> str:
        """The plain text of a row, as copied ("--" for a filter separator)."""
        line_id = self._row_id(row)
        if line_id == SEPARATOR:
            return "--"
        return strip_escapes(self._lines[line_id - self._dropped])

    def _row_id(self, row: int) -> int:
        if self._filter is not None:
            return self._filter.rows[row]
        return self._dropped + row

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None

    @property
    def _base(self) -> Style:
        # `rich_style` walks the ancestors on every call; lines need it once per style change.
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def on_resize(self) -> None:
        if self.wrap and self._wrap_width() != self._wrap.width:
            self._rewrap()
            with self._self_scrolling():
                self._resize_content()
            self.refresh()
        if self.tailing:
            with self._self_scrolling():
                self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once per repaint, not per row: each costs tens of microseconds.
        self._frame = (self.scroll_offset, self.content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        # Rows are as wide as Textual pads them to (the scrollbar is drawn over the last
        # columns): a row of any other width is copied once more per repaint.
        if self._frame is None:
            (scroll_x, scroll_y), width = self.scroll_offset, self.content_region.width
        else:
            (scroll_x, scroll_y), width = self._frame
        row = scroll_y + y
        if row >= self._view_rows or width <= 0:
            return Strip.blank(width, self._base)
        piece = 0
        if self.wrap:
            row, piece = self._wrap.locate(row)
        line_id = self._row_id(row)
        if line_id == SEPARATOR:
            style = self.get_component_rich_style("log-pane--separator")
            return Strip([Segment("┄" * width, style)], width)
        # No Strip cache here: Textual keeps the rendered rows of a widget until they change,
        # and cached Strips hold Textual's derived Strips alive (GC work). Parsing is cached.
        if self.wrap:
            wrap = min(width, self._wrap.width)
            strip = self._render_window(line_id, piece * wrap, wrap)
            return strip if wrap == width else strip.extend_cell_length(width, self._base)
        return self._render_window(line_id, scroll_x, width)

    def _render_window(self, line_id: int, x: int, width: int) -> Strip:
        """The cells [x, x + width) of a line, parsing no more of it than that needs."""
        base = self._base
        parsed = self._parsed.get(line_id)
        end = x + width
        if parsed is None or (not parsed.complete and parsed.width < end):
            line = self._lines[line_id - self._dropped]
            parsed = parse_line(line, styled=self.colour, limit=max(2 * end, _MIN_PARSE_CELLS))
            self._parsed[line_id] = parsed
            if parsed.width > self._width:
                self._width = parsed.width
                self.call_later(self._widen)
        return window_strip(parsed, x, width, base)

    def _repaint_rows(self) -> None:
        """Repaint the text area only: a plain refresh() also repaints the border, title and
        scrollbar, which with ten streaming panes was as many rows again."""
        region = self.scrollable_content_region
        self.refresh(Region(0, 0, region.width, region.height))

    def _widen(self) -> None:
        self._resize_content()

    # ---- tailing -----------------------------------------------------------------------------

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        if round(old_value) != round(new_value):
            self._show_subtitle()
            self._repaint_rows()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if not self._adjusting:
            self._sync_scrollbars()
        if round(old_value) != round(new_value):
            self._repaint_rows()
        if not self._adjusting:
            self._set_tail(round(new_value) >= self.max_scroll_y)

    def _set_tail(self, tailing: bool) -> None:
        self.tailing = tailing
        if tailing:
            self.new_lines = 0

    def watch_tailing(self) -> None:
        self._tail_changed()

    def watch_new_lines(self) -> None:
        self._tail_changed()

    def _tail_changed(self) -> None:
        self._show_subtitle()
        self.post_message(self.TailChanged(self, self.tailing, self.new_lines))

    def resume_tail(self) -> None:
        """Jump to the newest line and follow again."""
        self._set_tail(True)
        with self._self_scrolling():
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    # ---- title -------------------------------------------------------------------------------

    def set_title(self, title: str, subtitle: str = "") -> None:
        """Border title (e.g. stack, status, SHA, elapsed) and subtitle; the tail badge is added
        after the subtitle while paused."""
        if title != self.border_title:  # setting it repaints the whole pane, even unchanged
            self.border_title = title
        self._subtitle = subtitle
        self._show_subtitle()

    @property
    def tail_badge(self) -> str:
        """Empty while tailing, else e.g. "paused · 42 new lines (G to follow)"."""
        if self.tailing:
            return ""
        if self.new_lines:
            noun = "line" if self.new_lines == 1 else "lines"
            return f"paused · {self.new_lines:,} new {noun} (G to follow)"
        return "paused (G to follow)"

    def _show_subtitle(self) -> None:
        column = round(self.scroll_x)
        parts = [
            self._subtitle,
            f"col {column + 1}" if column else "",
            "wrap" if self.wrap else "",
            self.tail_badge if self.show_tail_badge else "",
        ]
        subtitle = " · ".join(part for part in parts if part)
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle

    # ---- wrapping ----------------------------------------------------------------------------

    def set_wrap(self, wrap: bool) -> None:
        """Wrap long lines at the pane's width (True) or scroll sideways to read them (False);
        the row at the top stays at the top."""
        top = self._view_to_row(self.scroll_offset.y)
        self.wrap = wrap
        if wrap:
            self._rewrap()
        with self._self_scrolling():
            self._resize_content()
            if self.tailing:
                self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            else:
                self.scroll_to(x=0, y=self._row_to_view(top), animate=False, immediate=True,
                               force=True)
        self._show_subtitle()
        self.refresh()

    @property
    def _view_rows(self) -> int:
        """Screen rows of the whole log: rows, or their wrapped pieces while wrapping."""
        return self._wrap.total if self.wrap else self.row_count

    def _view_to_row(self, screen_row: int) -> int:
        if not self.wrap:
            return screen_row
        return self._wrap.locate(screen_row)[0] if self._wrap.rows else 0

    def _row_to_view(self, row: int) -> int:
        return self._wrap.start_of(row) if self.wrap else row

    def _wrap_width(self) -> int:
        # Room for the scrollbar kept always: one appearing must not hide the rows' ends
        # (it is drawn over them) nor make every row wrap again.
        return max(1, self.content_region.width - self.styles.scrollbar_size_vertical)

    def _row_cells(self, row: int) -> int:
        line_id = self._row_id(row)
        if line_id == SEPARATOR:
            return 1
        cells = self._cells.get(line_id)
        if cells is None:
            cells = visible_width(self._lines[line_id - self._dropped])
            self._cells[line_id] = cells
        return cells

    def _rewrap(self) -> None:
        if len(self._cells) > 2 * self.max_lines:  # forget dropped lines' widths
            self._cells = {i: c for i, c in self._cells.items() if i >= self._dropped}
        self._wrap.rebuild(map(self._row_cells, range(self.row_count)), self._wrap_width())

    def _wrap_rows_changed(self, added: int, removed: int) -> tuple[int, int]:
        """Index the rows a flush changed; returns (screen rows added, screen rows removed)."""
        before = self._wrap.total
        first_new = self.row_count - added
        if removed or self._wrap.rows != first_new:
            self._rewrap()
            grown = self._wrap.total - self._wrap.start_of(first_new)
            return grown, before + grown - self._wrap.total
        return self._wrap.extend(map(self._row_cells, range(first_new, self.row_count))), 0

    # ---- filter ------------------------------------------------------------------------------

    def set_filter(
        self,
        pattern: str | None,
        *,
        regex: bool = False,
        context: int = 0,
        case_sensitive: bool = False,
    ) -> None:
        """Show only lines matching `pattern` (substring, or regex) with `context` lines around
        each match; None or "" shows every line again. Raises InvalidInput for a bad regex."""
        if pattern:
            compiled = compile_filter(pattern, regex=regex, case_sensitive=case_sensitive)
            line_filter = LineFilter(compiled, context)
            line_filter.feed(self._dropped, self._lines)
            self._filter = line_filter
        else:
            self._filter = None
        self._lay_out_again()

    @property
    def filter_matches(self) -> int | None:
        """Lines matching the filter, or None without a filter."""
        return None if self._filter is None else self._filter.matches

    # ---- copy --------------------------------------------------------------------------------

    def visible_text(self) -> str:
        """The plain text of the rows on screen."""
        top = self.scroll_offset.y
        bottom = min(self._view_rows, top + self.scrollable_content_region.height)
        if bottom <= top:
            return ""
        first, last = self._view_to_row(top), self._view_to_row(bottom - 1)
        return "\n".join(self.row_text(row) for row in range(first, last + 1))

    def all_text(self) -> str:
        """The plain text of every row (the filtered view when a filter is set)."""
        return "\n".join(self._plain_rows(range(self.row_count)))

    def _plain_rows(self, rows: Iterable[int]) -> Iterable[str]:
        return (self.row_text(row) for row in rows)

    def copy_visible(self) -> str:
        """Copy the rows on screen to the clipboard (OSC 52, works over SSH)."""
        return self._copy(self.visible_text())

    def copy_all(self) -> str:
        """Copy every row to the clipboard (OSC 52; some terminals cap the size)."""
        return self._copy(self.all_text())

    def _copy(self, text: str) -> str:
        self.app.copy_to_clipboard(text)
        count = text.count("\n") + 1 if text else 0
        self.notify(f"Copied {count:,} line{'s' if count != 1 else ''}", timeout=2)
        return text

    # ---- key actions -------------------------------------------------------------------------

    def _scroll_rows(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_line_up(self) -> None:
        self._scroll_rows(-1)

    def action_line_down(self) -> None:
        self._scroll_rows(1)

    def action_page_up(self) -> None:
        self._scroll_rows(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._scroll_rows(max(1, self.scrollable_content_region.height - 1))

    def scroll_to_column(self, column: int) -> None:
        """Scroll sideways so `column` is the first one shown (there is no horizontal bar)."""
        column = max(0, min(column, self.max_scroll_x))
        self.scroll_to(x=column, animate=False, immediate=True, force=True)

    def action_column_left(self) -> None:
        self.scroll_to_column(round(self.scroll_x) - _COLUMN_STEP)

    def action_column_right(self) -> None:
        self.scroll_to_column(round(self.scroll_x) + _COLUMN_STEP)

    def action_top(self) -> None:
        self.scroll_to_column(0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_tail(self) -> None:
        self.resume_tail()

    def action_copy_visible(self) -> None:
        self.copy_visible()

    def action_toggle_wrap(self) -> None:
        self.set_wrap(not self.wrap)

    def action_copy_all(self) -> None:
        self.copy_all()
