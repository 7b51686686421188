"""The footer follows the focus: the focused pane's keys come and go as the focus moves
(issue 14: updated in place, not rebuilt), in the same places each time."""

from __future__ import annotations

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
