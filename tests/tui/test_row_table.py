"""RowTable as a user sees it: the cursor moves with the keys and the mouse, Enter chooses the
row under it, an updated row shows its new text (on screen now, off screen once scrolled to),
and it is drawn as the DataTable it replaced."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable, Static

from ownstack_tui.tui.widgets.row_table import Column, RowTable
from tests.tui.screen_text import region_text, table_rows

COLUMNS = [Column("name", "name", 8), Column("state", "state", 10), Column("line", "last line", 30)]
ROWS = 40
TABLE_HEIGHT = 10  # the header and 9 rows
LONG = "a line far longer than its thirty columns"


def row(number: int, line: str = "") -> tuple[str, list[str | Text]]:
    state: str | Text = Text("failed", style="red") if number % 5 == 0 else "ok"
    return f"row-{number:02d}", [f"row-{number:02d}", state, line or f"[line] {number}"]


class TableApp(App[None]):
    CSS = f"RowTable {{ height: {TABLE_HEIGHT}; }}"

    def compose(self) -> ComposeResult:
        yield RowTable(id="table")
        yield Static("", id="chosen")

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(COLUMNS)
        table.set_rows([row(number) for number in range(ROWS)])
        table.focus()

    def on_row_table_row_selected(self, message: RowTable.RowSelected) -> None:
        self.query_one("#chosen", Static).update(f"chose {message.key}")


def chosen(app: App[Any]) -> str:
    return region_text(app, "#chosen")


def shown(app: App[Any]) -> dict[str, list[str]]:
    return table_rows(app, "#table")


async def test_the_keys_move_the_cursor_and_enter_chooses_its_row() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("enter")
        assert chosen(app) == "chose row-00"
        await pilot.press("down", "down", "up", "enter")
        assert chosen(app) == "chose row-01"
        await pilot.press("pagedown", "enter")  # a page: the rows shown under the header
        assert chosen(app) == "chose row-10"
        assert "row-10" in shown(app)
        await pilot.press("end", "enter")
        assert chosen(app) == "chose row-39"
        assert "row-39" in shown(app) and "row-00" not in shown(app)  # scrolled to the cursor
        await pilot.press("down", "enter")  # the last row stays the last
        assert chosen(app) == "chose row-39"
        await pilot.press("pageup", "enter")
        assert chosen(app) == "chose row-30"
        await pilot.press("home", "enter")
        assert chosen(app) == "chose row-00"
        assert "row-00" in shown(app)


async def test_a_click_moves_the_cursor_and_a_second_click_chooses() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(RowTable)
        await pilot.click(table, offset=(3, 4))  # the header is line 0: row-03
        assert chosen(app) == ""
        await pilot.click(table, offset=(3, 4))
        assert chosen(app) == "chose row-03"
        await pilot.click(table, offset=(3, 0))  # the header chooses nothing
        await pilot.press("enter")
        assert chosen(app) == "chose row-03"


async def test_an_updated_row_shows_its_new_text_and_its_cells_are_plain_text() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        assert shown(app)["row-02"] == ["ok", "[line] 2"]  # brackets are no markup
        table = app.query_one(RowTable)
        table.update_row("row-02", row(2, "! [remote rejected] main")[1])
        table.update_cell("row-03", "state", Text("cancelled", style="yellow"))
        table.update_cell("row-04", "line", LONG)
        await pilot.pause()
        rows = shown(app)
        assert rows["row-02"] == ["ok", "! [remote rejected] main"]
        assert rows["row-03"] == ["cancelled", "[line] 3"]
        assert rows["row-04"] == ["ok", LONG[:30]]  # cut to the column's width
        assert rows["row-05"] == ["failed", "[line] 5"]


async def test_a_column_updated_in_many_rows_shows_the_new_cells_on_screen_and_once_scrolled_to() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(RowTable)
        table.update_column("line", {f"row-{number:02d}": f"read {number}s ago" for number in range(ROWS)}
                            | {"no-such-row": "ignored"})
        await pilot.pause()
        rows = shown(app)
        assert rows["row-01"] == ["ok", "read 1s ago"]
        assert rows["row-08"] == ["ok", "read 8s ago"]
        await pilot.press("end")
        await pilot.pause()
        assert shown(app)["row-39"] == ["ok", "read 39s ago"]


async def test_a_row_updated_off_screen_shows_its_new_text_once_scrolled_to() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("end")  # drawn once, then out of sight
        assert shown(app)["row-35"] == ["failed", "[line] 35"]
        await pilot.press("home")
        assert "row-35" not in shown(app)
        table.update_row("row-35", row(35, "updated while out of sight")[1])
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert shown(app)["row-35"] == ["failed", "updated while out of sight"]


async def test_the_cursor_stays_on_its_row_when_the_rows_are_given_again() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press(*["down"] * 12)
        table.set_columns(COLUMNS)
        table.set_rows([row(number, "again") for number in range(ROWS)])
        await pilot.pause()
        await pilot.press("enter")
        assert chosen(app) == "chose row-12"
        assert shown(app)["row-12"] == ["ok", "again"]
        table.set_rows([row(number) for number in range(5)])  # fewer rows: the last one
        await pilot.pause()
        await pilot.press("enter")
        assert chosen(app) == "chose row-04"


async def test_a_fixed_column_stays_put_scrolling_right() -> None:
    class Narrow(TableApp):
        def compose(self) -> ComposeResult:
            yield RowTable(id="table", fixed_columns=1)
            yield Static("", id="chosen")

    app = Narrow()
    async with app.run_test(size=(30, 20)) as pilot:
        before = region_text(app, "#table")
        for _ in range(12):
            await pilot.press("right")
        await pilot.pause(0.3)  # scrolling is animated
        rows = region_text(app, "#table")
        assert rows != before and "state" in before
        assert rows.startswith("name ") and "row-00" in rows  # the first column stays
        assert "state" not in rows and " ok " not in rows  # the second one scrolled out of view


class Both(App[None]):
    """A DataTable (row cursor) and a RowTable with the same rows, one shown at a time."""

    CSS = "DataTable, RowTable { height: 8; }"

    def __init__(self, zebra: bool, fixed: int) -> None:
        super().__init__()
        self.zebra, self.fixed = zebra, fixed

    def compose(self) -> ComposeResult:
        yield DataTable(id="data", cursor_type="row", zebra_stripes=self.zebra, fixed_columns=self.fixed)
        yield RowTable(id="rows", zebra_stripes=self.zebra, fixed_columns=self.fixed)

    def on_mount(self) -> None:
        data, rows = self.query_one(DataTable), self.query_one(RowTable)
        for column in COLUMNS:
            data.add_column(str(column.label), key=column.key, width=column.width)
        rows.set_columns(COLUMNS)
        cells = [(key, [Text(cell) if isinstance(cell, str) else cell for cell in line])
                 for key, line in (row(number) for number in range(12))]
        for key, line in cells:
            data.add_row(*line, key=key)
        rows.set_rows(cells)
        data.move_cursor(row=2)
        rows.move_cursor(2)


def drawn(widget: Any) -> list[list[tuple[str, Any]]]:
    """Each line's segments: text and style (not the meta DataTable keeps for its clicks)."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [[(segment.text, segment.style.clear_meta_and_links() if segment.style else None)
             for segment in line] for line in lines]


async def test_it_is_drawn_as_the_datatable_it_replaced_focused_or_not_scrolled_or_not() -> None:
    for zebra, fixed in ((False, 0), (True, 1)):
        app = Both(zebra, fixed)
        async with app.run_test(size=(40, 20)) as pilot:
            data, rows = app.query_one(DataTable), app.query_one(RowTable)
            for scroll in (0, 5):
                data.scroll_to(x=scroll, animate=False)
                rows.scroll_to(x=scroll, animate=False)
                looks = []
                for table in (data, rows):
                    table.focus()
                    await pilot.pause()
                    focused = drawn(table)
                    app.set_focus(None)
                    await pilot.pause()
                    looks.append((focused, drawn(table)))
                assert looks[1] == looks[0], (zebra, fixed, scroll)


async def test_focus_back_shows_the_focused_looks_again_without_drawing_a_row_again() -> None:
    """A tab key moves the focus out of a table and back: each row is kept drawn in both looks,
    so coming back draws none again."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        await pilot.pause()
        focused = drawn(table)
        lines = [table.render_line(y) for y in range(TABLE_HEIGHT)]
        app.set_focus(None)
        await pilot.pause()
        assert drawn(table) != focused  # the blurred cursor shows
        table.focus()
        await pilot.pause()
        assert drawn(table) == focused
        again = [table.render_line(y) for y in range(TABLE_HEIGHT)]
        assert all(new is old for new, old in zip(again, lines, strict=True))
