"""Snapshots of a 40-stack fleet's sidebar, grouped by the fleet file's [console] group_by,
after a deploy (by the engine, before the console starts) in which three stacks failed:
one-line entries, headers with counts, failed first, the staging group collapsed; at 80x24
and 160x50. Stable: frozen clock, fixed SHAs, every job final."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.jobs import DeployRun
from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.seen import settle, sidebar, wait_for

REGIONS = ("us", "eu", "ap")
STACKS = {
    f"{tier}-{REGIONS[number % 3]}-{number:02d}": (tier, REGIONS[number % 3])
    for tier, count in (("prod", 24), ("staging", 10), ("dev", 6))
    for number in range(count)
}
FAILING = ("prod-eu-04", "prod-us-09", "staging-ap-02")


async def deploy_all(app: OwnstackApp) -> DeployRun:
    return await app.engine.start_deploy(app.app_model, list(STACKS)).wait()


@pytest.fixture
def grouped_console(frozen_clock: float, tmp_path: Path, fake: FakeBackend) -> Callable[[], OwnstackApp]:
    repo = make_demo_repo(tmp_path / "shop")

    def make() -> OwnstackApp:
        path = write_fake_fleet(Path.home() / "fleet.toml", "shop", repo, stacks=tuple(STACKS), tags=STACKS)
        fleet_file = FleetFile.load(path)
        fleet_file.set_value("console", {"group_by": ["staging", "prod"]})
        fleet_file.save()
        for name in FAILING:
            fake.stack(name).fail_builds()
        app = build_console(path, fake)
        # Deployed before the console starts, as from the CLI: the sidebar reads it from the
        # history, and no pane streams while the keys below are pressed (each press waits for
        # every widget to be idle, which 40 streaming panes on a loaded machine are not).
        run = asyncio.run(deploy_all(app))
        assert sorted(run.failed_stacks()) == sorted(FAILING)
        return app

    return make


async def deployed_and_grouped(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(sidebar(app)) and all(
        "…" not in entry and entry[0] in "✓✗" for entry in sidebar(app).values()))
    await pilot.press("1", "o", "home", "enter")  # failed first; collapse staging (the first group)
    await settle(pilot)


def test_grouped_sidebar_of_40_stacks_80x24(
    snap_compare: Any, grouped_console: Callable[[], OwnstackApp]
) -> None:
    assert snap_compare(grouped_console(), terminal_size=(80, 24), run_before=deployed_and_grouped)


def test_grouped_sidebar_of_40_stacks_160x50(
    snap_compare: Any, grouped_console: Callable[[], OwnstackApp]
) -> None:
    assert snap_compare(grouped_console(), terminal_size=(160, 50), run_before=deployed_and_grouped)
