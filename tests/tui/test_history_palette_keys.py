"""Rollback from the History tab, palette entries for every tab's actions, remapped keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import TabbedContent

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.commands import palette_actions
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.job_log import JobLogScreen
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from ownstack_tui.tui.widgets.history_table import HistoryTable
from tests.tui.conftest import (
    build_console,
    commit,
    deploy_finished,
    deploy_summary,
    main_screen,
    wait_for,
)
from tests.tui.tabs_fixtures import ConsoleMaker, prepare_app, tab_console

__all__ = ["tab_console"]


async def test_rolling_back_redeploys_that_sha_to_that_stack_alone(
    tab_console: ConsoleMaker, sandbox_fleet: Any
) -> None:
    app = tab_console("history-rollback")
    repo = Path(app.app_model.repo or "")
    async with app.run_test(size=(160, 50)) as pilot:
        first = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
        old_sha = first.jobs[0].sha
        new_sha = commit(repo, "second")
        second = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
        assert first.succeeded and second.succeeded and old_sha and old_sha != new_sha
        assert sandbox_fleet["staging"].deployed_sha("history-rollback") == new_sha
        screen = main_screen(pilot)
        await pilot.press("f5")  # deploys made elsewhere show up on refresh
        await pilot.press("6")
        table = screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: len(table.entries) == 4)
        # Newest first: rows 2 and 3 are the first deploy (prod-east, then staging? by id).
        old_staging = next(
            row for row, e in enumerate(table.entries) if e.stack == "staging" and e.sha == old_sha
        )
        table.move_cursor(row=old_staging)
        await pilot.press("b")  # staging: not production, no confirmation
        await wait_for(pilot, lambda: deploy_finished(pilot))
        assert "1 ok · 0 failed" in deploy_summary(app)
        rollback = app.engine.history.entries(app="history-rollback")[0]
        assert rollback.stack == "staging" and rollback.ref == old_sha
        assert sandbox_fleet["staging"].deployed_sha("history-rollback") == old_sha
        assert sandbox_fleet["prod-east"].deployed_sha("history-rollback") == new_sha

        # A production entry asks first; declining deploys nothing.
        await pilot.press("6")
        await wait_for(pilot, lambda: len(table.entries) == 5)
        old_east = next(
            row for row, e in enumerate(table.entries) if e.stack == "prod-east" and e.sha == old_sha
        )
        table.move_cursor(row=old_east)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "roll back" in str(app.screen.question)
        await pilot.press("n")
        await pilot.pause()
        assert app.engine.history.entries(app="history-rollback")[0] == rollback

        # Enter on an entry opens its log.
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobLogScreen))


async def test_every_tab_action_is_in_the_command_palette(tab_console: ConsoleMaker) -> None:
    app = tab_console("palette-all", scale={"web": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        names = {entry.description for entry in palette_actions(app.screen, app)}
        for wanted in ("Deploy all", "Edit value", "Add key", "Remove key", "Reveal all secrets",
                       "Plan & apply config", "Scale up", "Scale down", "Plan & apply scale",
                       "Filter logs", "Pause/resume logs", "Merged/side by side",
                       "Roll back to this deploy", "Config tab", "Logs tab"):
            assert wanted in names, wanted
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        for char in "scale up":
            await pilot.press("space" if char == " " else char)
        await pilot.pause(0.3)
        await pilot.press("enter")
        tab = app.screen.query_one(ScaleTab)
        await wait_for(pilot, lambda: tab.reads >= 1)
        assert app.screen.query_one(TabbedContent).active == "scale"


async def test_keys_remapped_in_the_fleet_file_take_effect(
    trusted_sandbox: Any, demo_repo: Path, clean_faults: None
) -> None:
    path = prepare_app(Path.home() / "remap-fleet.toml", trusted_sandbox, "keys-remap", demo_repo,
                       scale={"web": 1})
    fleet_file = FleetFile.load(path)
    fleet_file.set_value("keys", {"main.tab_scale": "f4", "scale.up": "k"})
    fleet_file.save()
    app: OwnstackApp = build_console(path)
    async with app.run_test(size=(160, 50)) as pilot:
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("4")  # no longer bound
        assert tabs.active == "deploy"
        await pilot.press("f4")
        assert tabs.active == "scale"
        tab = app.screen.query_one(ScaleTab)
        await wait_for(pilot, lambda: tab.reads >= 1)
        tab.table.move_cursor(column=1)
        await pilot.press("k")
        assert tab.changes() == {"staging": {"web": 2}}
        keys = {e.description: e.keys for e in palette_actions(app.screen, app)}
        assert keys["Scale up"] == "k" and keys["Scale tab"] == "f4"
