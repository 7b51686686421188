"""The History tab at 80x24: Took and Reason stay on screen, config changes sit between deploys,
and Enter on a change row opens nothing that pretends to be a job."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ownstack_tui.cli import main as cli_main
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.job_log import JobLogScreen
from ownstack_tui.tui.screens.main_screen import MainScreen
from ownstack_tui.tui.widgets.history_table import HistoryTable
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, finished, wait_for


def table_text(table: HistoryTable) -> list[str]:
    """The table's lines as they are drawn on screen."""
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_at_80x24_took_and_reason_stay_visible_beside_a_config_change(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    # Over SSH: the config change is made by the plain command, against the same stacks.
    app = ssh_console_for("history-narrow")
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    async with app.run_test(size=(80, 24)) as pilot:
        run = await app.engine.start_deploy(app.app_model, ["staging", "prod-west"]).wait()
        failed = run.job("prod-west")
        assert failed.reason
        # The same change from the command line, meanwhile (its own event loop, in a thread).
        argv = ["--fleet", str(app.fleet_path), "config:set", "--app", "history-narrow", "FEATURE=on"]
        assert await asyncio.to_thread(cli_main, argv) == 0
        screen = app.screen
        assert isinstance(screen, MainScreen)
        app.controller.load_history()
        await pilot.press("6")
        table = screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: len(table.entries) == 3)
        await pilot.pause()
        lines = table_text(table)
        header = lines[0]
        for heading in ("Job", "Stack", "Status", "SHA", "When", "Took", "Reason"):
            assert heading in header, header
        assert all(len(line.rstrip()) <= 80 for line in lines)
        change = next(line for line in lines if "config" in line)
        assert "set F" in change and change.rstrip().endswith("…")
        failed_row = next(line for line in lines if "prod-west" in line and "failed" in line)
        assert failed_row.rstrip().endswith("…") and failed.reason[:4] in failed_row
        # The selected row's whole reason is on the table's bottom edge.
        table.move_cursor(row=next(i for i, line in enumerate(lines[1:]) if "prod-west" in line))
        await pilot.pause()
        assert table.border_subtitle == f"prod-west: {' '.join(failed.reason.split())}"

        # Enter on the failed deploy opens its log; on the config change row, nothing.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobLogScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, JobLogScreen))
        table.move_cursor(row=next(i for i, line in enumerate(lines[1:]) if "config" in line))
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, JobLogScreen)
        assert "set FEATURE by" in table.border_subtitle


async def test_the_history_tab_first_opened_after_a_deploy_lists_it(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    """The History tab is built the first time it is shown: a deploy made in the console
    before that is on it then, as on a tab built at start."""
    app = tab_console("history-late")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("s")  # the highlighted stack: staging, no confirmation
        await wait_for(pilot, lambda: finished(app, "staging"))
        await pilot.press("6")

        def listed() -> bool:
            shown = screen_text(app)  # the History table's header, then the deploy's row
            return "Reason" in shown and any(
                "staging" in line and "succeeded" in line for line in shown.splitlines()
            )

        await wait_for(pilot, listed)
