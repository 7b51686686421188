"""A table of keyed rows that re-renders only the rows that changed, and only on screen.

Textual's DataTable invalidates its render caches for every row on any ``update_cell`` and
repaints the whole widget: at 200 stacks, with a few cells changing every second, the Deploy
and Fleet tables re-rendered all their visible rows many times a second, even while hidden.
This table is drawn with the Line API: each row's line is cached as a Strip against the row's
own version (bumped by :meth:`RowTable.update_row` / :meth:`RowTable.update_cell`), the width,
the horizontal scroll, cursor and hover, and the table's styles (focus changes them); an
updated row repaints its one line, and only while it is scrolled into view.

It looks like a DataTable with ``cursor_type="row"`` (the same header, cursor and zebra
styles; the first ``fixed_columns`` stay put scrolling right); a row is one line of cells
cut to the widths the caller gives. A ``str`` cell is plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from ownstack_tui.tui.widgets.line_view import CachedLineView, drawn_line

Cell = str | Text


@dataclass(frozen=True)
class Column:
    key: str
    label: Cell
    width: int  # cells of content; the padding comes on each side


@dataclass
class _Row:
    key: str
    cells: list[Text]
    version: int = 0
    # The lines last drawn, by what they were drawn for (see drawn_line).
    drawn: dict[tuple[object, ...], Strip] = field(default_factory=dict, repr=False)


class _Looks(NamedTuple):
    """The styles a line is drawn with (the CSS, focus and theme decide them)."""

    base: Style
    header: Style
    fixed: Style
    cursor: Style
    fixed_cursor: Style
    hover: Style
    even: Style
    odd: Style


_EDGE_META = Style.from_meta({"out_of_bounds": True})  # right of the last column


@lru_cache(maxsize=256)
def _column_meta(number: int) -> Style:
    return Style.from_meta({"column": number})


def as_text(cell: Cell) -> Text:
    """The cell as one line of Text (tabs expanded, what follows a newline dropped)."""
    text = Text(cell) if isinstance(cell, str) else cell
    plain = text.plain
    if "\n" in plain:
        text = text.split("\n")[0]
    if "\t" in text.plain:
        text = text.copy()
        text.expand_tabs()
    return text


class RowTable(CachedLineView[_Looks], can_focus=True):
    """Keyed rows under a fixed header row, with a row cursor; Enter (or a click on the cursor's
    row) posts :class:`RowTable.RowSelected`."""

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--fixed",
        "row-table--cursor",
        "row-table--fixed-cursor",
        "row-table--hover",
        "row-table--even-row",
        "row-table--odd-row",
    }
    # The same looks as DataTable's (its component classes, renamed), so the tables it replaced
    # read the same.
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-table--header { background-tint: $foreground 5%; }
            & > .row-table--fixed-cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
        }
        &:dark > .row-table--even-row { background: $surface-darken-1 40%; }
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .row-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .row-table--fixed { background: $secondary-muted; color: $foreground; }
        & > .row-table--even-row { background: $surface-lighten-1 50%; }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .row-table--fixed-cursor {
            background: $block-cursor-blurred-background;
            color: $foreground;
        }
        & > .row-table--hover { background: $block-hover-background; }
    }
    """

    class RowSelected(Message):
        """Enter on a row, or a click on the cursor's row."""

        def __init__(self, table: RowTable, key: str, index: int) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.index = index

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self, *, zebra_stripes: bool = False, fixed_columns: int = 0, cell_padding: int = 1,
        id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.zebra_stripes = zebra_stripes
        self.fixed_columns = fixed_columns
        self.cell_padding = cell_padding
        self._columns: list[Column] = []
        self._header: list[Text] = []
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}
        self._cursor = 0
        self._hover: int | None = None  # the row under the mouse, once it moved over the table
        self._shown_page = 0  # rows shown at once when last laid out (0: never laid out)
        self._header_drawn: dict[tuple[object, ...], Strip] = {}

    # -- what the caller gives -----------------------------------------------------------------

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_keys(self) -> list[str]:
        return [row.key for row in self._rows]

    def set_columns(self, columns: Sequence[Column]) -> None:
        """The columns from now on (the rows' cells are in this order: give them again with
        :meth:`set_rows`); the cursor stays where it is."""
        self._columns = list(columns)
        self._header = [as_text(column.label) for column in self._columns]
        self._header_drawn.clear()
        for row in self._rows:
            row.drawn.clear()
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        width = sum(column.width + 2 * self.cell_padding for column in self._columns)
        self._set_virtual_size(Size(width, len(self._rows) + 1))  # the header's line too

    def set_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Every row, as (key, cells in column order); the cursor stays at its index (the last
        row at most)."""
        self._rows = [_Row(key, [as_text(cell) for cell in cells]) for key, cells in rows]
        self._index = {row.key: index for index, row in enumerate(self._rows)}
        self._hover = None
        self._resize_virtual()
        self._cursor = max(0, min(self._cursor, len(self._rows) - 1))
        self.refresh()
        self._scroll_cursor_into_view()

    def update_row(self, key: str, cells: Sequence[Cell]) -> None:
        """``key``'s row shows ``cells`` from now on: its line alone is drawn again, now if it
        is on screen, else when it is scrolled to."""
        index = self._index.get(key)
        if index is None:
            return
        row = self._rows[index]
        row.cells = [as_text(cell) for cell in cells]
        row.version += 1
        self._refresh_row(index)

    def update_cell(self, key: str, column: str, cell: Cell) -> None:
        """One cell of ``key``'s row (by column key)."""
        self.update_column(column, {key: cell})

    def update_column(self, column: str, cells: Mapping[str, Cell]) -> None:
        """One column's cell in each of the given rows (by row key), their lines repainted in
        one go: the Fleet tab's ages change in all 200 rows each second, and a repaint per row
        looked the widget's size and offsets up 200 times (~12 ms a tab key)."""
        position = next((number for number, each in enumerate(self._columns) if each.key == column), None)
        if position is None:
            return
        changed: list[int] = []
        for key, cell in cells.items():
            index = self._index.get(key)
            if index is None:
                continue
            row = self._rows[index]
            row.cells = [*row.cells[:position], as_text(cell), *row.cells[position + 1:]]
            row.version += 1
            changed.append(index)
        self._refresh_rows(changed)

    def keys_in_view(self) -> set[str]:
        """The rows scrolled into view now (all of them before the table is laid out). Hidden
        (another tab shown), those it showed: a tab key catches the table up before the frame
        that shows it again, at its last size (all 200 rows cost 4x the rows in view)."""
        page = self._page if self.size.height else self._shown_page
        if not page:
            return set(self._index)
        top = round(self.scroll_y)
        return {row.key for row in self._rows[top: top + page]}

    def row_cells(self, key: str) -> list[Text]:
        """What ``key``'s row holds (the cells as given, as Text)."""
        return list(self._rows[self._index[key]].cells)

    # -- the cursor ----------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._rows[self._cursor].key if self._rows else None

    def move_cursor(self, row: int, scroll: bool = True) -> None:
        row = max(0, min(row, len(self._rows) - 1))
        if row != self._cursor:
            self._refresh_row(self._cursor)
            self._cursor = row
            self._refresh_row(row)
        if scroll:
            self._scroll_cursor_into_view()

    @property
    def _page(self) -> int:
        """Rows shown at once (the header aside)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        if not self.scrollable_content_region.height:
            return  # not laid out yet: on_resize scrolls
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + self._page:
            self.scroll_to(y=self._cursor - self._page + 1, animate=False, force=True)

    def on_resize(self, _event: events.Resize) -> None:
        if self.scrollable_content_region.height:
            self._shown_page = self._page
        self._scroll_cursor_into_view()

    def _keyboard(self) -> None:
        """A key moved the cursor: the mouse's row is no longer shown (as in DataTable)."""
        if self._hover is not None:
            hover, self._hover = self._hover, None
            self._refresh_row(hover)

    def action_cursor_up(self) -> None:
        self._keyboard()
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._keyboard()
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._keyboard()
        self.scroll_to(y=max(0, round(self.scroll_y) - self._page), animate=False, force=True)
        self.move_cursor(self._cursor - self._page)

    def action_page_down(self) -> None:
        self._keyboard()
        self.scroll_to(y=round(self.scroll_y) + self._page, animate=False, force=True)
        self.move_cursor(self._cursor + self._page)

    def action_first(self) -> None:
        self._keyboard()
        self.move_cursor(0)

    def action_last(self) -> None:
        self._keyboard()
        self.move_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._rows[self._cursor].key, self._cursor))

    def _row_at(self, y: int) -> int | None:
        """The row shown at line ``y`` of the content (None for the header or below the rows)."""
        if y < 1:
            return None
        index = y - 1 + round(self.scroll_y)
        return index if 0 <= index < len(self._rows) else None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        index = self._row_at(offset.y) if offset is not None else None
        if index is None:
            return
        event.stop()
        chosen = index == self._cursor
        self.move_cursor(index)
        if chosen:
            self.action_select_cursor()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        index = self._row_at(offset.y) if offset is not None else None
        if index != self._hover:
            old, self._hover = self._hover, index
            if old is not None:
                self._refresh_row(old)
            if index is not None:
                self._refresh_row(index)

    def _on_leave(self, _event: events.Leave) -> None:
        self._keyboard()

    # -- drawing -------------------------------------------------------------------------------

    def _refresh_row(self, index: int) -> None:
        """Repaint row ``index``'s line if it is on screen (off screen, nothing to do)."""
        self._refresh_rows((index,))

    def _refresh_rows(self, indexes: Iterable[int]) -> None:
        """Repaint the lines of those rows on screen, in one refresh."""
        top = round(self.scroll_y)
        width, height = self.size  # with the scrollbars': cheaper, and a line more is no harm
        regions = [Region(0, y, width, 1) for y in (index + 1 - top for index in indexes) if 1 <= y < height]
        if regions:
            self.refresh(*regions)

    def current_looks(self) -> _Looks:
        header = self.get_component_styles("row-table--header").rich_style
        return _Looks(
            base=self.rich_style,
            header=header,
            fixed=self.get_component_styles("row-table--fixed").rich_style,
            cursor=self.get_component_rich_style("row-table--cursor"),
            fixed_cursor=self.get_component_rich_style("row-table--fixed-cursor"),
            hover=self.get_component_rich_style("row-table--hover"),
            even=self.get_component_styles("row-table--even-row").rich_style,
            odd=self.get_component_styles("row-table--odd-row").rich_style,
        )

    def render_line(self, y: int) -> Strip:
        looks = self.looks
        width = self.size.width
        scroll_x = round(self.scroll_x)
        if y == 0:
            header = (looks.header, Style.null())
            return drawn_line(self._header_drawn, (self.looks_version, width, scroll_x),
                              lambda: self._draw(self._header, header, header, width, scroll_x, looks))
        index = self._row_at(y)
        if index is None:
            return Strip.blank(width, looks.base)
        row = self._rows[index]
        cursor, hover = index == self._cursor, index == self._hover
        drawn_for = (row.version, self.looks_version, width, scroll_x, cursor, hover, index)
        return drawn_line(row.drawn, drawn_for,
                          lambda: self._draw_row(row.cells, index, cursor, hover, width, scroll_x, looks))

    def _draw_row(self, cells: list[Text], index: int, cursor: bool, hover: bool, width: int,
                  scroll_x: int, looks: _Looks) -> Strip:
        row_style = (looks.odd if index % 2 else looks.even) if self.zebra_stripes else looks.base
        over = looks.hover if hover else Style.null()
        fixed_over = over
        if cursor:
            over += looks.cursor
            fixed_over += looks.cursor + looks.fixed_cursor
        return self._draw(cells, (row_style, over), (looks.fixed, fixed_over), width, scroll_x, looks)

    def _draw(self, cells: list[Text], styles: tuple[Style, Style], fixed_styles: tuple[Style, Style],
              width: int, scroll_x: int, looks: _Looks) -> Strip:
        """One line: the fixed columns, then the others seen from ``scroll_x`` on, then the row's
        style to the right edge. Each part's styles are (the row's, the cursor's or hover's over
        it). Only the columns in view are drawn."""
        pad = 2 * self.cell_padding
        fixed_count = min(self.fixed_columns, len(self._columns))
        segments = self._cells_segments(cells, range(fixed_count), *fixed_styles)
        fixed_width = sum(self._columns[number].width + pad for number in range(fixed_count))
        start, end = scroll_x + fixed_width, scroll_x + width  # of the unfixed line, all columns
        shown: list[int] = []
        first = x = 0
        for number, column in enumerate(self._columns):
            right = x + column.width + pad
            if right > start and x < end:
                if not shown:
                    first = x
                shown.append(number)
            x = right
        scrolled = self._cells_segments(cells, shown, *styles)
        drawn = x - first if shown else 0
        if shown and (first < start or first + drawn > end):  # a column cut at an edge
            scrolled = list(Strip(scrolled, drawn).crop(start - first, end - first))
            drawn = min(end, first + drawn) - max(start, first)
        segments += scrolled
        used = (fixed_width if fixed_count else 0) + drawn
        if used < width:
            segments.append(Segment(" " * (width - used), styles[0] + styles[1] + _EDGE_META))
        return Strip(segments, max(width, used)).adjust_cell_length(width, looks.base)

    def _cells_segments(self, cells: list[Text], numbers: Sequence[int], style: Style,
                        over: Style) -> list[Segment]:
        """The cells ``numbers`` padded to their columns: their own styles over ``style + over``,
        and the colour of ``over`` (the cursor's) over theirs, as DataTable's "css" foreground
        priority (a red failed row under the cursor reads). Each cell's segments are merged
        where their styles agree; each cell's carry its column (as DataTable's do), so that
        neither the screen nor a screenshot merges two cells: the line is cut as DataTable's."""
        console = self.app.console
        pad = " " * self.cell_padding
        top = Style.from_color(color=over.color) if over.color is not None else None
        base = style + over
        padding = base + top if top is not None else base
        segments: list[Segment] = []
        for number in numbers:
            column = self._columns[number]
            cell = cells[number] if number < len(cells) else Text()
            if cell.cell_len > column.width:
                cell = cell.copy()
                cell.truncate(column.width, overflow="crop")
            own = console.get_style(cell.style) if cell.style else None
            under = base + own if own else base
            meta = _column_meta(number)
            under, padding_here = under + meta, padding + meta
            parts = [Segment(pad, padding_here),
                     *Segment.apply_style(cell.render(console), under, top),
                     Segment(" " * (column.width - cell.cell_len) + pad, padding_here)]
            segments += Segment.simplify(parts)
        return segments
