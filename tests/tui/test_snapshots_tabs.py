"""Snapshots of the Config, Scale, Logs and History tabs at 80x24 and 160x50.

Stable from run to run like the main screen's: a frozen clock in UTC, a repo with fixed
commit dates (a fixed SHA), state set straight on the fake stacks, and only states that cannot
move (the Logs tab shows tails that dokku refused, since live log lines carry real times).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.model.jobs import DeployRun
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.tabs.config_tab import ConfigTab
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from ownstack_tui.tui.widgets.history_table import HistoryTable
from tests.fakes.console import fake_console
from tests.fakes.fake_backend import FakeBackend
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.screen_text import region_text
from tests.tui.seen import checked, settle, sidebar, tail_state, wait_for

SIZES = {"small": (80, 24), "large": (160, 50)}
Before = Callable[[Pilot[Any]], Awaitable[None]]
STACKS = ("staging", "prod-east", "prod-west")


@pytest.fixture
def frozen(frozen_clock: float, tmp_path: Path, fake: FakeBackend) -> Callable[..., OwnstackApp]:
    repo = make_demo_repo(tmp_path / "shop")

    def make(app: str, **setup: Any) -> OwnstackApp:
        return fake_console(fake, repo, app, on_stacks=True, needs_postgres=False,
                            fleet_path=Path.home() / "fleet.toml", **setup)

    return make


async def idle(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: checked(pilot.app))


async def config_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("3")
    tab = pilot.app.screen.query_one(ConfigTab)
    await wait_for(pilot, lambda: tab.reads >= 1)
    # Staged straight on the tab: staged through the editor, the snapshot draws the table's
    # columns at their headers' widths (a Pilot run measures them right); see the report.
    tab.stage(ConfigEdit("LOG_LEVEL", "debug", "staging"))
    await wait_for(pilot, lambda: "≠1" in sidebar(pilot.app)["prod-west"]
                   and "✎" in tab.table.get_cell("LOG_LEVEL", "staging").plain)
    await settle(pilot)


async def config_scrolled_right(pilot: Pilot[Any]) -> None:
    """At 80 columns the last stack is off screen: scrolled to it, the key column stays."""
    await config_view(pilot)
    pilot.app.screen.query_one(ConfigTab).table.focus()
    await pilot.press("right", "right", "right", "right")
    await settle(pilot)


async def scale_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("4")
    tab = pilot.app.screen.query_one(ScaleTab)
    await wait_for(pilot, lambda: tab.reads >= 1)
    tab.stage("prod-east", "web", 3)
    await wait_for(pilot, lambda: tab.table.get_cell("web", "prod-east").plain == "1 → 3 ✎")
    await settle(pilot)


async def logs_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("5")
    await wait_for(pilot, lambda: all(tail_state(pilot.app, stack) == "stopped" for stack in STACKS))
    await settle(pilot)


async def history_view(pilot: Pilot[Any]) -> None:
    # Deployed to two stacks before the console opened: the tab reads the history file.
    await idle(pilot)
    await pilot.press("6")
    table = pilot.app.screen.query_one(HistoryTable)
    await wait_for(pilot, lambda: table.row_count == 2)
    await settle(pilot)


CONFIG = {
    "config": {"LOG_LEVEL": "info", "API_TOKEN": "tok-123456", "MOTD": "line one\nline two"},
    "overrides": {"prod-east": {"REGION": "us-east-1"}},
    "extra_on_stack": {"prod-west": {"LOG_LEVEL": "warn", "HAND_SET": "yes"}},
}
VIEWS: dict[str, tuple[Before, dict[str, Any]]] = {
    "config": (config_view, CONFIG),
    "scale": (scale_view, {"scale": {"web": 1, "worker": 2}}),
    "logs": (logs_view, {}),
    "history": (history_view, {}),
}


async def deployed(app: OwnstackApp, stacks: list[str]) -> DeployRun:
    return await app.engine.start_deploy(app.app_model, stacks).wait()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("tab", list(VIEWS))
def test_tab(snap_compare: Any, frozen: Callable[..., OwnstackApp], tab: str, size: str) -> None:
    before, setup = VIEWS[tab]
    app = frozen(f"snap-{tab}-{size}", **setup)
    if tab == "history":
        assert asyncio.run(deployed(app, ["staging", "prod-east"])).succeeded
    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


def test_config_scrolled_right_80x24(snap_compare: Any, frozen: Callable[..., OwnstackApp]) -> None:
    app = frozen("snap-config-right", **CONFIG)
    assert snap_compare(app, terminal_size=SIZES["small"], run_before=config_scrolled_right)


def fleet_problems(app: OwnstackApp, fake: FakeBackend) -> None:
    """Deployed everywhere, then a second commit on two stacks: prod-west is one behind;
    staging's certificate expires in 6 days, prod-east's worker crashed, prod-west runs another
    dokku and alice's rollout holds its lock."""
    from ownstack_tui import clock
    from ownstack_tui.model.deploy_lock import LockHolder
    from ownstack_tui.model.validation import DEPLOY_LOCK_KEY
    from tests.sandbox.helpers import commit

    assert asyncio.run(deployed(app, list(STACKS))).succeeded
    commit(Path(app.app_model.repo), "second")
    assert asyncio.run(deployed(app, ["staging", "prod-east"])).succeeded
    now = clock.now()
    fake.stack("staging").expire_certificate_at(now + 6.5 * 86400)
    for name in ("prod-east", "prod-west"):
        fake.stack(name).expire_certificate_at(now + 60.5 * 86400)
    fake.stack("prod-east").crash("worker")
    fake.stack("prod-west").dokku_version = "0.37.0"
    holder = LockHolder("alice@laptop", "deploy --wave prod-west", now - 120, "token-not-shown")
    fake.stack("prod-west").apps[app.app_model.name].config[DEPLOY_LOCK_KEY] = holder.encode()


async def fleet_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("7")
    await wait_for(pilot, lambda: all(name in region_text(pilot.app, "#fleet-table") for name in STACKS)
                   and "🔒" in sidebar(pilot.app)["prod-west"])
    await settle(pilot)


@pytest.mark.parametrize("size", list(SIZES))
def test_fleet_tab(
    snap_compare: Any, frozen: Callable[..., OwnstackApp], fake: FakeBackend, size: str
) -> None:
    app = frozen(f"snap-fleet-{size}", scale={"web": 1, "worker": 1})
    fleet_problems(app, fake)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=fleet_view)
