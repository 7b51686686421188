"""Rollback from the History tab, palette entries for every tab's actions, remapped keys."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.coordinate import Coordinate
from textual.widgets import TabbedContent

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.commands import palette_actions
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.job_log import JobLogScreen
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from ownstack_tui.tui.widgets.history_table import HistoryTable
from tests.fakes.console import ConsoleMaker, build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fixtures.sandbox import commit
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, finished, title, wait_for


def history_row(table: HistoryTable, stack: str, sha: str) -> int:
    """The row showing a deploy of ``sha`` to ``stack``, as read off the table."""
    rows = [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]
    return next(row for row, cells in enumerate(rows) if cells[1] == stack and cells[3] == sha[:7])


async def test_rolling_back_redeploys_that_sha_to_that_stack_alone(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("history-rollback")
    repo = Path(app.app_model.repo or "")
    # Two deploys before the console opens: its History tab reads them from the history file.
    first = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
    old_sha = first.jobs[0].sha
    new_sha = commit(repo, "second")
    second = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
    assert first.succeeded and second.succeeded and old_sha and old_sha != new_sha
    assert fake.stack("staging").deployed_sha("history-rollback") == new_sha
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))  # the console has read what staging runs
        await pilot.press("6")
        table = app.screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        table.move_cursor(row=history_row(table, "staging", old_sha))
        await pilot.press("b")  # staging: not production, no confirmation
        await wait_for(pilot, lambda: finished(app, "staging"))
        # The pane says what the stack ran and what it went back to.
        assert title(app, "staging").startswith(
            f"✓ staging · succeeded · rollback {new_sha[:7]} → {old_sha[:7]}"
        )
        assert title(app, "prod-east") == "prod-east · idle"
        assert fake.stack("staging").deployed_sha("history-rollback") == old_sha
        assert fake.stack("prod-east").deployed_sha("history-rollback") == new_sha

        # A production entry asks first; declining deploys nothing.
        await pilot.press("6")
        await wait_for(pilot, lambda: table.row_count == 5)
        table.move_cursor(row=history_row(table, "prod-east", old_sha))
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause(0.2)
        assert "roll back" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert title(app, "prod-east") == "prod-east · idle"
        assert fake.stack("prod-east").deployed_sha("history-rollback") == new_sha
        assert len(app.engine.history.entries(app="history-rollback")) == 5

        # Enter on an entry opens its log.
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobLogScreen))


async def open_scale(pilot: object, app: OwnstackApp) -> ScaleTab:
    tab = app.screen.query_one(ScaleTab)
    await wait_for(pilot, lambda: tab.reads >= 1)  # type: ignore[arg-type]
    return tab


async def test_every_tab_action_is_in_the_command_palette(tab_console: ConsoleMaker) -> None:
    app = tab_console("palette-all", scale={"web": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        names = {entry.description for entry in palette_actions(app.screen, app)}
        for wanted in ("Deploy all", "Edit value", "Add key", "Remove key", "Reveal all secrets",
                       "Plan & apply config", "Scale up", "Scale down", "Plan & apply scale",
                       "Filter logs", "Pause/resume logs", "Merged/side by side",
                       "Roll back to this deploy", "Config tab", "Logs tab"):
            assert wanted in names, wanted
        await pilot.press("4")
        tab = await open_scale(pilot, app)
        tab.table.cursor_coordinate = Coordinate(0, 2)  # web on prod-east
        await pilot.press("2")  # away from the Scale tab: the palette brings it back
        assert app.screen.query_one(TabbedContent).active == "deploy"
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        for char in "scale up":
            await pilot.press("space" if char == " " else char)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
        assert app.screen.query_one(TabbedContent).active == "scale"
        # The action ran: prod-east's web count is staged one up, and only that one.
        await wait_for(pilot, lambda: tab.table.get_cell("web", "prod-east").plain == "1 → 2 ✎")
        assert tab.table.get_cell("web", "staging").plain == "1"


async def test_keys_remapped_in_the_fleet_file_take_effect(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    path = tab_console("keys-remap", scale={"web": 1}).fleet_path
    fleet_file = FleetFile.load(path)
    fleet_file.set_value("keys", {"main.tab_scale": "f4", "scale.up": "k"})
    fleet_file.save()
    app = build_console(path, fake)
    async with app.run_test(size=(160, 50)) as pilot:
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("4")  # no longer bound
        assert tabs.active == "deploy"
        await pilot.press("f4")
        assert tabs.active == "scale"
        tab = await open_scale(pilot, app)
        tab.table.move_cursor(column=1)
        await pilot.press("k")
        assert tab.table.get_cell("web", "staging").plain == "1 → 2 ✎"
        keys = {e.description: e.keys for e in palette_actions(app.screen, app)}
        assert keys["Scale up"] == "k" and keys["Scale tab"] == "f4"
