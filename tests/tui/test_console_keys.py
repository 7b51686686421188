"""Keys in the console (issue 14): the footer follows the focus, the focused pane's keys coming
and going in the same places each time (updated in place, not rebuilt); nothing animates
unless TEXTUAL_ANIMATIONS asks for it."""

from __future__ import annotations

import pytest

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


async def test_the_console_does_not_animate_unless_asked(
    tab_console: ConsoleMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert tab_console("no-animations").animation_level == "none"
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "full")
    assert tab_console("animations").animation_level == "full"
