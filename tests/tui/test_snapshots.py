"""Snapshots of the main screen at 80x24 and 160x50, idle and mid-deploy, on the fake stacks.

Stable from run to run: the clock is frozen, the demo repo's commit has fixed dates (so a fixed
SHA), and the mid-deploy state is one that cannot move: one stack failed, the others held at
the start of their build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.help import HelpScreen
from ownstack_tui.tui.screens.message import MessageScreen
from ownstack_tui.tui.widgets.log_pane import LogPane
from tests.fakes.console import fake_console
from tests.fakes.fake_backend import FakeBackend
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.seen import checked, settle, title, wait_for


@pytest.fixture
def frozen_console(frozen_clock: float, tmp_path: Path, fake: FakeBackend) -> Callable[[str], OwnstackApp]:
    repo = make_demo_repo(tmp_path / "shop")
    return lambda app: fake_console(fake, repo, app, fleet_path=Path.home() / "fleet.toml")


async def idle(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: checked(pilot.app))
    await settle(pilot)


def mid_deploy(fake: FakeBackend) -> Callable[[Pilot[Any]], Any]:
    fake.stack("prod-east").fail_builds()
    fake.stack("staging").hold_builds()
    fake.stack("prod-west").hold_builds()

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: "· failed ·" in title(app, "prod-east")
            and fake.stack("staging").held_builds == 1
            and fake.stack("prod-west").held_builds == 1,
        )
        await settle(pilot)

    return run_before


def test_main_screen_idle_80x24(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    assert snap_compare(frozen_console("snap-idle-small"), terminal_size=(80, 24), run_before=idle)


def test_main_screen_idle_160x50(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    assert snap_compare(frozen_console("snap-idle-large"), terminal_size=(160, 50), run_before=idle)


def test_main_screen_mid_deploy_80x24(
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], fake: FakeBackend
) -> None:
    app = frozen_console("snap-mid-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=mid_deploy(fake))


def test_main_screen_mid_deploy_160x50(
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], fake: FakeBackend
) -> None:
    app = frozen_console("snap-mid-large")
    assert snap_compare(app, terminal_size=(160, 50), run_before=mid_deploy(fake))


def failed_reason(fake: FakeBackend) -> Callable[[Pilot[Any]], Any]:
    """Mid-deploy, then Enter on the failed pane: its whole reason over the dimmed screen."""
    deploy = mid_deploy(fake)

    async def run_before(pilot: Pilot[Any]) -> None:
        await deploy(pilot)
        pilot.app.screen.query_one("#pane-prod-east", LogPane).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MessageScreen))
        await pilot.pause(0.2)

    return run_before


async def help_overlay(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    await pilot.pause(0.2)


def test_failed_pane_reason_80x24(
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], fake: FakeBackend
) -> None:
    app = frozen_console("snap-reason-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=failed_reason(fake))


def test_help_80x24(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    app = frozen_console("snap-help-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=help_overlay)
