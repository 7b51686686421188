"""The console shows what the stacks say: refresh (keys, timer), deploys made from the command
line beside it, and a failed deploy never keeping the ✓ the console remembers."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.plan import PlanScreen
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from tests.fixtures.polls import FAST_POLLS
from tests.fixtures.sandbox import commit, make_demo_repo, write_sandbox_fleet
from tests.tui.seen import (
    checked,
    deploy_finished,
    main,
    sidebar,
    toasts,
    wait_for,
)


def build_console(fleet_path: Path, app: str | None = None) -> OwnstackApp:
    """The console over SSH, built as `ownstack-tui` builds it."""
    fleet = FleetFile.load(fleet_path).fleet
    return OwnstackApp(fleet_path, fleet, fleet.app(app), open_engine(fleet, "ssh", polls=FAST_POLLS))


async def cli(fleet: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The plain command, in its own process, while the console keeps running."""
    command = [sys.executable, "-c", "import sys; from ownstack_tui.cli import main; "
               "sys.exit(main(sys.argv[1:]))", "--fleet", str(fleet), *argv]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


async def refresh_from_the_palette(pilot: Any) -> None:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*"refresh")
    await pilot.pause(0.3)
    await pilot.press("enter")


@pytest.fixture
def own_repo_console(
    tmp_path: Path, trusted_sandbox: Any, clean_faults: None
) -> Callable[..., tuple[OwnstackApp, Path, Path]]:
    """console(app, refresh_interval=None) -> (console, fleet file, the app's own git repo)."""

    def make(app: str, refresh_interval: float | None = None) -> tuple[OwnstackApp, Path, Path]:
        repo = make_demo_repo(tmp_path / app)
        path = Path.home() / f"{app}-fleet.toml"
        write_sandbox_fleet(path, trusted_sandbox, app, repo, needs_postgres=False)
        if refresh_interval is not None:
            path.write_text(path.read_text() + f"\n[console]\nrefresh_interval = {refresh_interval}\n")
        return build_console(path), path, repo

    return make


async def test_after_a_deploy_from_the_command_line_refresh_shows_what_the_stack_reports(
    own_repo_console: Callable[..., tuple[OwnstackApp, Path, Path]], sandbox_fleet: Any
) -> None:
    app, fleet, repo = own_repo_console("truth-cli")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1", "s")  # staging, from the console
        await wait_for(pilot, lambda: deploy_finished(pilot))
        first = sandbox_fleet["staging"].deployed_sha("truth-cli")
        await wait_for(pilot, lambda: f"{first[:7]} up" in sidebar(app)["staging"])
        assert sidebar(app)["staging"].startswith("✓ staging")

        second = commit(repo, "second")
        result = await cli(fleet, "deploy", "truth-cli", "--stack", "staging", "--wait")
        assert result.returncode == 0, result.stderr
        await pilot.press("f5")
        await wait_for(pilot, lambda: f"{second[:7]} up" in sidebar(app)["staging"])
        assert sidebar(app)["staging"].startswith("✓ staging")

        # A failed deploy from the command line: the console's own ✓ from before is not kept,
        # and the SHA is still the one the stack runs.
        commit(repo, "third")
        sandbox_fleet["staging"].set_fault(build_fail=True)
        result = await cli(fleet, "deploy", "truth-cli", "--stack", "staging", "--wait")
        assert result.returncode != 0
        await refresh_from_the_palette(pilot)
        await wait_for(pilot, lambda: sidebar(app)["staging"].startswith("✗ staging"))
        assert f"{second[:7]} up" in sidebar(app)["staging"]


async def test_the_stacks_are_read_again_every_refresh_interval_without_a_key(
    own_repo_console: Callable[..., tuple[OwnstackApp, Path, Path]], sandbox_fleet: Any
) -> None:
    app, fleet, _repo = own_repo_console("truth-timer", refresh_interval=2)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        assert "------- up" in sidebar(app)["prod-west"]
        result = await cli(fleet, "deploy", "truth-timer", "--stack", "prod-west", "--wait")
        assert result.returncode == 0, result.stderr
        sha = sandbox_fleet["prod-west"].deployed_sha("truth-timer")
        await wait_for(pilot, lambda: f"{sha[:7]} up" in sidebar(app)["prod-west"], 15)
        assert "checked" in sidebar(app)["prod-west"]


async def test_the_end_of_a_run_is_summed_up_in_a_toast(
    own_repo_console: Callable[..., tuple[OwnstackApp, Path, Path]], sandbox_fleet: Any
) -> None:
    app, _fleet, _repo = own_repo_console("truth-summary")
    sandbox_fleet["prod-east"].set_fault(build_fail=True)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        await wait_for(pilot, lambda: any("2 ok · 1 failed · 0 cancelled · 0:" in t for t in toasts(app)))
        assert any("failed on prod-east" in t for t in toasts(app))


async def test_coming_back_to_the_terminal_reads_the_stacks_again(
    own_repo_console: Callable[..., tuple[OwnstackApp, Path, Path]], sandbox_fleet: Any
) -> None:
    from textual.events import AppFocus

    app, fleet, _repo = own_repo_console("truth-focus")  # the default interval: 15 s
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        result = await cli(fleet, "deploy", "truth-focus", "--stack", "staging", "--wait")
        assert result.returncode == 0, result.stderr
        sha = sandbox_fleet["staging"].deployed_sha("truth-focus")
        app.post_message(AppFocus())  # what the terminal sends when its window is focused
        await wait_for(pilot, lambda: f"{sha[:7]} up" in sidebar(app)["staging"], 10)


async def test_the_stacks_are_read_again_after_a_command_the_console_ran(
    trusted_sandbox: Any, demo_repo: Path, clean_faults: None
) -> None:
    path = write_sandbox_fleet(Path.home() / "after-fleet.toml", trusted_sandbox, "truth-after",
                               demo_repo, needs_postgres=False)
    for stack in trusted_sandbox:  # the app exists on each stack with one web process
        assert stack.dokku_sync("apps:create", "truth-after").exit_status == 0
        assert stack.dokku_sync("ps:scale", "truth-after", "web=1").exit_status == 0
    # A long interval: here only the command itself can cause a new reading.
    path.write_text(path.read_text() + "\n[console]\nrefresh_interval = 300\n")
    app = build_console(path)

    def ages() -> list[int]:
        shown = "\n".join(sidebar(app).values())
        return [int(age) for age in re.findall(r"checked (\d+)s ago", shown)]

    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app) and min(ages()) >= 3)
        await pilot.press("4")
        tab = main(app).query_one(ScaleTab)
        await wait_for(pilot, lambda: tab.reads >= 1)
        tab.stage("staging", "web", 2)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: len(ages()) == 3 and max(ages()) <= 1)
