"""LogPane: batching, the line cap, tailing, ANSI colour, filter, long lines, copy, titles."""

from __future__ import annotations

import asyncio

import pytest
from rich.color import Color
from textual.app import App, ComposeResult

from ownstack_tui.errors import InvalidInput
from ownstack_tui.tui.widgets import LogPane

SIZE = (60, 12)  # the pane gets a 10-row, 56-column text area inside its border and scrollbar


class PaneApp(App[None]):
    def __init__(self, **pane_options: object) -> None:
        super().__init__()
        self.pane_options = pane_options
        self.tail_events: list[tuple[bool, int]] = []

    def compose(self) -> ComposeResult:
        yield LogPane(id="pane", **self.pane_options)  # type: ignore[arg-type]

    def on_log_pane_tail_changed(self, message: LogPane.TailChanged) -> None:
        self.tail_events.append((message.tailing, message.new_lines))


def screen_rows(pane: LogPane) -> list[str]:
    """The text of each row the pane draws, trailing padding removed."""
    height = pane.scrollable_content_region.height
    return [pane.render_line(y).text.rstrip() for y in range(height)]


def numbered(count: int, start: int = 0) -> list[str]:
    return [f"line {n}" for n in range(start, start + count)]


async def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


async def test_appended_lines_wait_for_the_flush_then_appear_together() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(numbered(3))
        pane.append(numbered(2, start=3))

        assert pane.line_count == 0
        assert pane.pending_count == 5
        assert all(row == "" for row in screen_rows(pane))

        await wait_until(lambda: pane.line_count == 5)  # the pane's own flush timer
        assert pane.pending_count == 0
        assert screen_rows(pane)[:5] == numbered(5)


async def test_pane_keeps_only_the_newest_max_lines() -> None:
    app = PaneApp(max_lines=100)
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(numbered(180))
        pane.flush()
        pane.append(numbered(70, start=180))
        pane.flush()

        assert pane.line_count == 100
        assert pane.lines[0] == "line 150"
        assert pane.lines[-1] == "line 249"
        assert screen_rows(pane)[-1] == "line 249"


async def test_queued_lines_stay_bounded_while_the_pane_cannot_flush() -> None:
    pane = LogPane(max_lines=10)  # never mounted: no flush timer runs
    for start in range(0, 1000, 50):
        pane.append(numbered(50, start=start))
    assert pane.pending_count <= 20


async def test_new_lines_follow_the_tail_of_the_log() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(numbered(40))
        pane.flush()
        pane.append(numbered(5, start=40))
        pane.flush()

        assert pane.tailing
        assert screen_rows(pane) == numbered(10, start=35)


async def test_scrolling_up_pauses_the_tail_and_counts_new_lines() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(40))
        pane.flush()
        pane.focus()
        await pilot.press("k", "k")
        reading = screen_rows(pane)
        assert reading == numbered(10, start=28)
        assert not pane.tailing

        pane.append(numbered(7, start=40))
        pane.flush()
        await pilot.pause()

        assert screen_rows(pane) == reading  # the lines being read do not move
        assert pane.new_lines == 7
        assert "7 new lines" in str(pane.border_subtitle)
        assert app.tail_events[-1] == (False, 7)


async def test_old_lines_dropping_off_do_not_move_a_paused_view() -> None:
    app = PaneApp(max_lines=50)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(50))
        pane.flush()
        pane.focus()
        await pilot.press("pageup")
        reading = screen_rows(pane)

        pane.append(numbered(5, start=50))  # five oldest lines are dropped
        pane.flush()

        assert screen_rows(pane) == reading


@pytest.mark.parametrize("key", ["G", "end"])
async def test_end_key_resumes_the_tail(key: str) -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(40))
        pane.flush()
        pane.focus()
        await pilot.press("g")  # to the top
        assert screen_rows(pane)[0] == "line 0"
        pane.append(numbered(3, start=40))
        pane.flush()

        await pilot.press(key)

        assert pane.tailing
        assert pane.new_lines == 0
        assert screen_rows(pane)[-1] == "line 42"
        assert "new lines" not in str(pane.border_subtitle)
        assert app.tail_events[-1] == (True, 0)


async def test_scrolling_back_to_the_bottom_resumes_the_tail() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(40))
        pane.flush()
        pane.focus()
        await pilot.press("up")
        assert not pane.tailing
        await pilot.press("down")
        assert pane.tailing


async def test_keyboard_scrolling_moves_by_line_and_page() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(100))
        pane.flush()
        pane.focus()
        await pilot.press("home")
        await pilot.press("j", "j")
        assert screen_rows(pane)[0] == "line 2"
        await pilot.press("pagedown")
        assert screen_rows(pane)[0] == "line 11"
        await pilot.press("pageup", "k")
        assert screen_rows(pane)[0] == "line 1"


async def test_ansi_colours_are_rendered_as_colour_not_as_escape_text() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(
            [
                "\x1b[31mERROR\x1b[0m build failed",
                "\x1b[1G\x1b[K\x1b[1;32m-----> \x1b[0mBuilding shop from herokuish",
                "\x1b[36m2024-01-01T00:00:00.1Z app[web.1]:\x1b[0m listening",
            ]
        )
        pane.flush()

        rows = screen_rows(pane)
        assert rows[:3] == [
            "ERROR build failed",
            "-----> Building shop from herokuish",
            "2024-01-01T00:00:00.1Z app[web.1]: listening",
        ]
        first = list(pane.render_line(0))
        error = next(segment for segment in first if segment.text == "ERROR")
        assert error.style is not None
        assert error.style.color == Color.from_ansi(1)
        rest = next(segment for segment in first if segment.text.startswith(" build"))
        assert rest.style is not None
        assert rest.style.color != Color.from_ansi(1)


async def test_colour_can_be_stripped_instead() -> None:
    app = PaneApp(colour=False)
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(["\x1b[31mERROR\x1b[0m build failed"])
        pane.flush()

        assert screen_rows(pane)[0] == "ERROR build failed"
        colours = {segment.style.color for segment in pane.render_line(0) if segment.style}
        assert Color.from_ansi(1) not in colours


async def test_filter_shows_matches_with_context_lines_and_separators() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 20)):
        pane = app.query_one(LogPane)
        lines = numbered(30)
        lines[10] = "\x1b[31mERROR\x1b[0m disk full"
        lines[20] = "error: retry"
        pane.append(lines)
        pane.flush()

        pane.set_filter("error", context=2)

        rows = screen_rows(pane)
        assert rows[:11] == [
            *numbered(2, start=8),
            "ERROR disk full",
            *numbered(2, start=11),
            "┄" * len(rows[5]),
            *numbered(2, start=18),
            "error: retry",
            *numbered(2, start=21),
        ]
        assert pane.filter_matches == 2

        # New lines arriving are filtered the same way, after-context included.
        pane.append(["nothing", "ERROR again", "after", *numbered(5, start=100)])
        pane.flush()
        new_rows = [pane.row_text(row) for row in range(11, pane.row_count)]
        assert new_rows == ["--", "line 29", "nothing", "ERROR again", "after", "line 100"]

        pane.set_filter(None)
        assert pane.row_count == 38


async def test_filter_accepts_a_regex_and_rejects_a_bad_one() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        pane.append(["GET /health 200", "GET /cart 500", "POST /pay 502"])
        pane.flush()

        pane.set_filter(r" 5\d\d$", regex=True)
        assert [pane.row_text(r) for r in range(pane.row_count)] == [
            "GET /cart 500",
            "POST /pay 502",
        ]
        with pytest.raises(InvalidInput, match="invalid filter regex"):
            pane.set_filter("([", regex=True)


async def test_a_100000_character_line_renders_only_the_window_shown() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE):
        pane = app.query_one(LogPane)
        body = "".join(f"{n:09d}," for n in range(10_000))  # 100,000 characters
        pane.append(["short line", "\x1b[33m" + body + "\x1b[0m", "after"])
        pane.flush()
        width = pane.scrollable_content_region.width

        assert pane.virtual_size.width == 100_000
        assert screen_rows(pane)[1][:width] == body[:width]

        pane.scroll_to_column(50_000)
        assert pane.render_line(1).text[:width] == body[50_000 : 50_000 + width]
        assert "col 50,001" in str(pane.border_subtitle) or "col 50001" in str(pane.border_subtitle)


async def test_copy_puts_plain_text_on_the_clipboard() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(["\x1b[32mok\x1b[0m first", *numbered(20)])
        pane.flush()
        pane.focus()

        await pilot.press("y")
        assert app.clipboard == "\n".join(numbered(10, start=10))

        await pilot.press("Y")
        assert app.clipboard == "\n".join(["ok first", *numbered(20)])


async def test_title_and_subtitle_are_set_by_the_parent() -> None:
    app = PaneApp(title="staging")
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        assert pane.border_title == "staging"

        pane.set_title("prod-east · running", "a1b2c3d · 12s")
        assert pane.border_title == "prod-east · running"
        assert pane.border_subtitle == "a1b2c3d · 12s"

        pane.append(numbered(40))
        pane.flush()
        pane.focus()
        await pilot.press("k")
        assert str(pane.border_subtitle).startswith("a1b2c3d · 12s · paused")


async def test_clear_forgets_lines_and_follows_again() -> None:
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(numbered(40))
        pane.flush()
        pane.focus()
        await pilot.press("k")
        pane.append(["queued"])

        pane.clear()

        assert pane.line_count == 0
        assert pane.pending_count == 0
        assert pane.tailing
        assert all(row == "" for row in screen_rows(pane))


async def test_w_wraps_long_lines_at_the_pane_width_and_back() -> None:
    app = PaneApp()
    long = "".join(f"{n:<10}" for n in range(13)).rstrip()  # 123 cells: 3 rows of 56

    def pieces(width: int) -> list[str]:
        return [long[i: i + width].rstrip() for i in range(0, len(long), width)]

    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LogPane)
        pane.append(["first", long, "last"])
        pane.focus()
        await wait_until(lambda: pane.line_count == 3)
        await pilot.pause()
        assert screen_rows(pane)[:3] == ["first", long[:58].rstrip(), "last"]  # no scrollbar
        width = 56  # wrapped: the scrollbar's room kept, whether it shows or not

        await pilot.press("w")
        await pilot.pause()
        assert screen_rows(pane)[:5] == ["first", *pieces(width), "last"]
        assert "wrap" in str(pane.border_subtitle)
        assert pane.visible_text() == "\n".join(["first", long, "last"])  # copied whole

        pane.set_filter("last")  # a filter and wrapping together
        await pilot.pause()
        assert screen_rows(pane)[:2] == ["last", ""]
        pane.set_filter(None)
        pane.append([long] * 2)  # lines arriving while wrapped wrap too
        await wait_until(lambda: pane.line_count == 5)
        await pilot.pause()
        wrapped = ["first", *pieces(width), "last", *pieces(width) * 2]  # 11 rows in 10
        assert screen_rows(pane) == wrapped[1:]  # following the tail

        await pilot.press("w")
        await pilot.pause()
        cut = long[:58].rstrip()
        assert screen_rows(pane)[:6] == ["first", cut, "last", cut, cut, ""]
        assert "wrap" not in str(pane.border_subtitle)
