"""EntryList as a user sees it: the highlight moves with the keys (wrapping round as
OptionList's) and the mouse, Enter or a click chooses, the wheel scrolls, an updated entry shows
its new text (on screen now, off screen once scrolled to), and it is drawn as the OptionList it
replaced."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ownstack_tui.tui.widgets.entry_list import EntryList
from tests.tui.screen_text import region_text, screen_rows

ENTRIES = 30
LIST_HEIGHT = 12  # a border line above and below: 10 lines, five entries of two lines


def prompt(number: int, detail: str = "") -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"entry-{number:02d}", style="bold")
    text.append(f"\n  {detail or f'[detail] {number}'}", style="red" if number % 5 == 0 else "dim")
    return text


class ListApp(App[None]):
    CSS = f"EntryList {{ height: {LIST_HEIGHT}; width: 30; }}"

    def compose(self) -> ComposeResult:
        yield EntryList(id="entries")
        yield Static("", id="chosen")
        yield Static("", id="highlighted")

    def on_mount(self) -> None:
        entries = self.query_one(EntryList)
        entries.set_entries([(f"entry-{number:02d}", prompt(number)) for number in range(ENTRIES)])
        entries.focus()

    def on_entry_list_entry_selected(self, message: EntryList.EntrySelected) -> None:
        self.query_one("#chosen", Static).update(f"chose {message.key}")

    def on_entry_list_entry_highlighted(self, message: EntryList.EntryHighlighted) -> None:
        self.query_one("#highlighted", Static).update(f"at {message.key}")


def chosen(app: App[Any]) -> str:
    return region_text(app, "#chosen")


def shown(app: App[Any]) -> list[str]:
    """The list's lines on screen, inside its border."""
    region = app.screen.query_one("#entries").scrollable_content_region
    return [row[region.x: region.right].rstrip() for row in screen_rows(app)[region.y: region.bottom]]


async def test_the_keys_move_the_highlight_and_enter_chooses_its_entry() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        assert region_text(app, "#highlighted") == "at entry-00"
        await pilot.press("enter")
        assert chosen(app) == "chose entry-00"
        await pilot.press("down", "down", "up", "enter")
        assert chosen(app) == "chose entry-01"
        assert region_text(app, "#highlighted") == "at entry-01"
        await pilot.press("pagedown", "enter")  # a page of 10 lines: five entries on
        assert chosen(app) == "chose entry-06"
        assert "entry-06" in shown(app)
        await pilot.press("end", "enter")
        assert chosen(app) == "chose entry-29"
        assert shown(app)[-2:] == ["entry-29", "  [detail] 29"]  # scrolled to the highlight
        await pilot.press("down", "enter")  # wraps round to the first, as OptionList's
        assert chosen(app) == "chose entry-00"
        assert shown(app)[:2] == ["entry-00", "  [detail] 0"]
        await pilot.press("up", "pageup", "enter")
        assert chosen(app) == "chose entry-24"
        await pilot.press("home", "enter")
        assert chosen(app) == "chose entry-00"


async def test_a_click_highlights_and_chooses_the_entry_under_it() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        await pilot.click(entries, offset=(3, 4))  # the border, then entry-01's second line
        assert chosen(app) == "chose entry-01"
        assert region_text(app, "#highlighted") == "at entry-01"
        await pilot.click(entries, offset=(3, 9))
        assert chosen(app) == "chose entry-04"


async def test_the_wheel_scrolls_without_moving_the_highlight() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        for _ in range(4):
            entries.post_message(events.MouseScrollDown(entries, 3, 3, 0, 1, 0, False, False, False))
        await pilot.pause(0.3)
        assert "entry-00" not in shown(app)
        await pilot.press("enter")
        assert chosen(app) == "chose entry-00"


async def test_an_updated_entry_shows_its_new_text_on_screen_and_once_scrolled_to() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        entries.update_entry(1, prompt(1, "checked 3s ago"))
        entries.update_entry(20, prompt(20, "updated out of sight"))
        await pilot.pause()
        assert shown(app)[2:4] == ["entry-01", "  checked 3s ago"]
        await pilot.press(*["down"] * 20)
        assert "  updated out of sight" in shown(app)
        entries.update_entry(20, Text("one line now"))  # fewer lines: the list is laid out again
        await pilot.pause()
        assert "one line now" in shown(app) and "entry-21" in shown(app)
        await pilot.press("enter")
        assert chosen(app) == "chose entry-20"


async def test_the_highlight_stays_on_its_key_when_the_entries_are_given_again() -> None:
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        await pilot.press(*["down"] * 12)
        entries.set_entries([(f"entry-{number:02d}", prompt(number)) for number in range(8, ENTRIES)])
        await pilot.pause()
        await pilot.press("enter")
        assert chosen(app) == "chose entry-12"
        entries.set_entries([(f"entry-{number:02d}", prompt(number)) for number in range(3)])
        await pilot.pause()
        await pilot.press("enter")
        assert chosen(app) == "chose entry-02"  # gone: the same place, the last entry at most


class Both(App[None]):
    """An OptionList and an EntryList with the same prompts and highlight."""

    CSS = "OptionList, EntryList { height: 8; width: 24; }"

    def compose(self) -> ComposeResult:
        yield OptionList(*[Option(prompt(number), id=f"entry-{number:02d}") for number in range(12)],
                         id="options")
        yield EntryList(id="entries")

    def on_mount(self) -> None:
        entries = self.query_one(EntryList)
        entries.set_entries([(f"entry-{number:02d}", prompt(number)) for number in range(12)])
        self.query_one(OptionList).highlighted = 2
        entries.highlighted = 2


def drawn(widget: Any) -> list[list[tuple[str, Any]]]:
    """Each line's segments: text and style (not the meta either keeps for its clicks)."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [[(segment.text, segment.style.clear_meta_and_links() if segment.style else None)
             for segment in line] for line in lines]


async def test_it_is_drawn_as_the_option_list_it_replaced_focused_or_not_scrolled_or_not() -> None:
    app = Both()
    async with app.run_test(size=(60, 20)) as pilot:
        options, entries = app.query_one(OptionList), app.query_one(EntryList)
        for scroll in (0, 5):
            looks = []
            for widget in (options, entries):
                widget.scroll_to(y=scroll, animate=False)
                widget.focus()
                await pilot.pause()
                focused = drawn(widget)
                app.set_focus(None)
                await pilot.pause()
                looks.append((focused, drawn(widget)))
            assert looks[1] == looks[0], scroll
        hovered = []
        for widget in (options, entries):  # the mouse over the entry after the highlighted one
            await pilot.hover(widget, offset=(3, 7 - round(widget.scroll_y)))
            await pilot.pause()
            hovered.append(drawn(widget))
        assert hovered[1] == hovered[0]
        assert hovered[1] != looks[1][1]  # the hover shows


class LazyApp(App[None]):
    """200 one-line entries given as functions that make their prompt (and count the calls)."""

    CSS = f"EntryList {{ height: {LIST_HEIGHT}; width: 30; }}"

    def __init__(self) -> None:
        super().__init__()
        self.made: list[int] = []

    def compose(self) -> ComposeResult:
        yield EntryList(id="entries")

    def make(self, number: int, detail: str = "") -> Text:
        self.made.append(number)
        return Text(f"stack-{number:03d}{detail}")

    def on_mount(self) -> None:
        entries = self.query_one(EntryList)
        entries.set_entries([(f"s{number}", lambda number=number: self.make(number))
                             for number in range(200)])
        entries.focus()


async def test_entries_given_as_functions_are_made_when_shown() -> None:
    app = LazyApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        await pilot.pause()
        assert shown(app) == [f"stack-{number:03d}" for number in range(10)]
        assert sorted(set(app.made)) == list(range(10))  # the 190 out of sight: not made
        assert entries.entry_count == 200
        made = len(app.made)
        entries.update_entry(150, lambda: app.make(150, " updated"))  # out of sight: kept for later
        entries.update_entry(3, lambda: app.make(3, " updated"))  # on screen: shown now
        await pilot.pause()
        assert shown(app)[3] == "stack-003 updated"
        assert app.made[made:] == [3]
        await pilot.press("end")
        assert shown(app)[-1] == "stack-199"
        await pilot.press(*["up"] * 49)
        assert "stack-150 updated" in shown(app)
        await pilot.press("enter")
        assert entries.highlighted_key == "s150"
        assert entries.entries[150][1].plain == "stack-150 updated"  # made when asked for


async def test_focus_back_shows_the_focused_looks_again_without_drawing_a_line_again() -> None:
    """The `1` and tab keys move the focus in and out of the sidebar: each line is kept drawn in
    both looks, so coming back draws none again (at 200 stacks its 46 lines cost ~17 ms)."""
    app = ListApp()
    async with app.run_test(size=(80, 20)) as pilot:
        entries = app.query_one(EntryList)
        await pilot.pause()
        focused = drawn(entries)
        lines = [entries.render_line(y) for y in range(entries.size.height)]
        app.set_focus(None)
        await pilot.pause()
        assert drawn(entries) != focused  # the blurred looks show
        entries.focus()
        await pilot.pause()
        assert drawn(entries) == focused
        again = [entries.render_line(y) for y in range(entries.size.height)]
        assert all(new is old for new, old in zip(again, lines, strict=True))
