"""Keys in the console (issue 14): the footer follows the focus, the focused pane's keys coming
and going in the same places each time (updated in place, not rebuilt); a tab key's effects
are drawn in one frame; nothing animates unless TEXTUAL_ANIMATIONS asks for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual import events
from textual.screen import Screen

from ownstack_tui.tui.tabs.fleet_tab import LEGEND as FLEET_LEGEND
from tests.fakes.console import ConsoleMaker
from tests.tui.screen_text import screen_rows
from tests.tui.seen import checked, wait_for

SIZE = (160, 50)


async def test_the_footer_shows_the_focused_widgets_keys_as_focus_moves(tab_console: ConsoleMaker) -> None:
    app = tab_console("footer-focus")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))

        def footer() -> str:
            return screen_rows(app)[-1]

        await pilot.press("2")  # a log pane
        await wait_for(pilot, lambda: "Follow" in footer())
        on_pane = footer()
        assert on_pane.index("Follow") < on_pane.index("Copy") < on_pane.index("Deploy all")
        assert on_pane.rstrip().endswith("^p palette")
        for _ in range(3):
            await pilot.press("1")  # the sidebar: no pane keys
            await wait_for(pilot, lambda: "Follow" not in footer())
            on_sidebar = footer()
            assert "Copy" not in on_sidebar and "Deploy all" in on_sidebar and "? Help" in on_sidebar
            await pilot.press("2")
            await wait_for(pilot, lambda: "Follow" in footer())
            assert footer() == on_pane


def underlined_tab(rows: list[str]) -> str:
    """The tab label the tabs' underline highlights: the bar's highlighted stretch lies
    between a ╸ and a ╺ (either left out at an end of the bar)."""
    tabs = next(number for number, row in enumerate(rows) if "Deploy" in row and "Fleet" in row)
    bar = rows[tabs + 1]
    start = bar.find("╸") + 1
    end = bar.find("╺", start)
    return rows[tabs][start: end if end >= 0 else len(bar)].strip()


@pytest.mark.every_frame  # it reads each frame as drawn: none may be skipped
async def test_a_tab_key_is_answered_in_one_frame_tab_underline_and_footer_together(
    tab_console: ConsoleMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame that shows the Fleet tab after `7` also shows its underline under
    "Fleet" and the footer with the Fleet tab's keys (they came one and two frames later, and
    each frame redrew the screen again), and the same back on Deploy with `2`."""
    app = tab_console("one-frame")
    frames: list[list[str]] = []
    drawn = Screen._compositor_refresh

    def draw(screen: Screen[object]) -> None:
        drawn(screen)
        if screen is app.screen:
            frames.append(screen_rows(app))  # each frame as drawn, as the user sees it

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("2")
        await wait_for(pilot, lambda: "Follow" in screen_rows(app)[-1])
        monkeypatch.setattr(Screen, "_compositor_refresh", draw)

        async def first_frame(key: str, shows: Callable[[list[str]], bool]) -> list[str]:
            frames.clear()
            app.post_message(events.Key(key, key))  # as the terminal's driver does
            await wait_for(pilot, lambda: any(shows(frame) for frame in frames), 10)
            return next(frame for frame in frames if shows(frame))

        for _ in range(2):  # the Fleet tab built by the first `7`, then shown again
            fleet = await first_frame("7", lambda rows: any(FLEET_LEGEND in row for row in rows))
            assert underlined_tab(fleet) == "Fleet"
            assert "Restart app" in fleet[-1] and "Follow" not in fleet[-1]
            deploy = await first_frame("2", lambda rows: not any(FLEET_LEGEND in row for row in rows))
            assert underlined_tab(deploy) == "Deploy"
            assert "Follow" in deploy[-1] and "Restart app" not in deploy[-1]


async def test_the_console_does_not_animate_unless_asked(
    tab_console: ConsoleMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert tab_console("no-animations").animation_level == "none"
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")
    assert tab_console("animations").animation_level == "full"
