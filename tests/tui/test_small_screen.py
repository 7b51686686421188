"""The console at 80x24, where operators often are (a laptop over SSH): the keys that matter
stay visible and one key away."""

from __future__ import annotations

from pathlib import Path

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.commands import palette_actions
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.message import MessageScreen
from ownstack_tui.tui.tabs.config_tab import ConfigTab
from tests.fakes.console import ConsoleMaker, build_console
from tests.fakes.fake_backend import FakeBackend
from tests.tui.screen_text import region_text, screen_rows, screen_text
from tests.tui.seen import checked, finished, title, wait_for

SMALL = (80, 24)


async def test_quit_and_help_stay_in_the_footer_on_every_tab(tab_console: ConsoleMaker) -> None:
    app = tab_console("small-footer")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: checked(app))
        for tab in "23456":
            await pilot.press(tab)
            await pilot.pause(0.2)
            footer = screen_rows(app)[-1]
            assert "? Help" in footer and "q Quit" in footer, (tab, footer)


async def test_help_lists_the_keys_of_this_screen_as_remapped(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    path = tab_console("small-help", fleet_path=Path.home() / "help-fleet.toml").fleet_path
    fleet_file = FleetFile.load(path)
    fleet_file.set_value("keys", {"main.deploy_all": "D", "logs.merge": "M"})
    fleet_file.save()
    app: OwnstackApp = build_console(path, fake)
    async with app.run_test(size=(100, 100)) as pilot:  # tall: the whole list on screen
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        rows = screen_rows(app)
        text = "\n".join(rows)
        assert "Keys (esc closes)" in text
        assert "D  Deploy all" in text
        assert "d  Deploy all" not in text
        assert "M  Merged/side by side" in text  # a tab not shown yet: its keys too
        assert "q  Quit" in text and "?  Help" in text
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert "Keys (esc closes)" not in screen_text(app)


async def test_the_header_names_the_fleet_file_even_when_its_path_does_not_fit(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    folder = Path.home() / "clients" / "acme-corporation" / "infrastructure" / "fleets"
    folder.mkdir(parents=True)
    app = tab_console("small-hdr", fleet_path=folder / "acme-fleet.toml")
    path = app.fleet_path
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause(0.2)
        header = screen_rows(app)[0]
        assert "app small-hdr" in header and "via ssh" in header
        assert header.rstrip().endswith("/fleets/acme-fleet.toml"), header
    async with build_console(path, fake).run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.2)
        assert "fleet ~/clients/acme-corporation/infrastructure/fleets/acme-fleet.toml" in (
            screen_rows(pilot.app)[0])


async def test_the_config_key_column_stays_when_scrolling_right(tab_console: ConsoleMaker) -> None:
    wide = {"LOG_LEVEL": "information-level", "REGION_NAME": "somewhere-far-away"}
    app = tab_console("small-frozen", config=wide)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        tab = app.screen.query_one(ConfigTab)
        await wait_for(pilot, lambda: tab.reads >= 1)
        await pilot.press("3")  # the table focused
        await pilot.press("right", "right", "right", "right")  # to prod-west, off screen
        await pilot.pause(0.3)
        assert tab.table.scroll_x > 0
        rows = screen_rows(app)
        header = next(row for row in rows if "prod-west" in row)
        assert "│ Key " in header and "app level" not in header
        assert any("│ LOG_LEVEL " in row for row in rows)


async def test_enter_on_a_failed_pane_shows_the_whole_reason_wrapped(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("small-reason")
    fake.stack("prod-west").fail_builds()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("s")  # the highlighted stack alone: staging
        await wait_for(pilot, lambda: finished(app, "staging"))
        await pilot.press("1", "down", "down", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "· failed ·" in title(app, "prod-west"))
        reason = fake.stack("prod-west").build_failure
        assert reason and len(reason) > 40  # more than the pane's subtitle can show
        await pilot.press("1", "enter")  # the sidebar's stack: its pane, focused
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageScreen))
        await pilot.pause(0.2)
        assert "Deploy to prod-west failed" in screen_text(app)
        assert region_text(app, "#message") == " ".join(reason.split())
        await pilot.press("escape")
        await pilot.pause(0.1)
        # A pane that did not fail has nothing to explain: Enter opens nothing there.
        await pilot.press("1", "up", "up", "enter", "enter")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, MessageScreen)


async def test_the_palette_offers_the_focused_panes_keys_and_runs_them(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("small-palette")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("2")  # the first deploy pane, focused
        pane = app.screen.focused
        keys = {entry.description: entry.keys for entry in palette_actions(app.screen, app)}
        assert keys["Wrap lines"] == "w" and keys["Help"] == "?"
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"wrap lines")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen.focused is pane
        assert "wrap" in str(pane.border_subtitle)  # type: ignore[union-attr]
