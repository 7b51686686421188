"""Snapshots of a staged rollout at 80x24 and 160x50: paused at a manual gate, and halted at
the second gate with ``on_failure = "rollback"`` (both moved stacks rolled back, the last
wave skipped). Stable like the other snapshots: frozen clock, fixed commit dates, and end
states that cannot move (toasts cleared, a gate waits or the rollout is over)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from tests.fakes.fake_backend import FakeBackend
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.rollouts import WAVES_OF_ONE, commit, deployed_everywhere, rollout_console, wave_bar
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, deploy_summary, settle, sidebar, wait_for

SIZES = {"small": (80, 24), "large": (160, 50)}
Before = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def repo(frozen_clock: float, tmp_path: Path) -> Path:
    return make_demo_repo(tmp_path / "shop")


def console(fake: FakeBackend, repo: Path, app: str, table: str) -> OwnstackApp:
    return rollout_console(fake, repo, app, table, fleet_path=Path.home() / "fleet.toml")


async def start(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: checked(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")


async def still(pilot: Pilot[Any]) -> None:
    pilot.app.clear_notifications()
    await settle(pilot)


async def paused_at_gate(pilot: Pilot[Any]) -> None:
    await start(pilot)
    await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(pilot.app))
    await wait_for(pilot, lambda: "Promote" in screen_text(pilot.app).splitlines()[-1])
    # The reading after wave 1 has landed: staging reports the rollout's lock.
    await wait_for(pilot, lambda: "🔒alice@" in sidebar(pilot.app)["staging"])
    # The stacks are read again once a wave ends: the sidebar shows staging's new SHA.
    await wait_for(pilot, lambda: "-------" not in sidebar(pilot.app)["staging"])
    await still(pilot)


def halted_with_rollback(repo: Path) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await deployed_everywhere(pilot.app)  # what the rollback returns to
        commit(repo, "second")
        await start(pilot)
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(pilot.app))
        await pilot.press("P")
        await wait_for(pilot, lambda: "wave 3 ⏸ waiting" in wave_bar(pilot.app))
        await pilot.press("H")
        # (80x24 shows the waves only: the outcome is in their marks and the run's toast.)
        await wait_for(pilot, lambda: "wave 2 ↺ rolled back" in wave_bar(pilot.app)
                       and "wave 3 ↷ skipped" in wave_bar(pilot.app))
        await wait_for(pilot, lambda: "Last run:" in deploy_summary(pilot.app))  # (hidden at 80x24)
        await wait_for(pilot, lambda: screen_text(pilot.app).splitlines()[-1].startswith(" d Deploy all"))
        # The stacks are read again after the rollback: each is one commit behind (↓1) then.
        await wait_for(pilot, lambda: all("↓1" in entry for entry in sidebar(pilot.app).values()))
        await still(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_rollout_paused_at_a_manual_gate(
    snap_compare: Any, fake: FakeBackend, repo: Path, size: str
) -> None:
    app = console(fake, repo, f"gate-{size}", f'{WAVES_OF_ONE}\ngate = "manual"')
    assert snap_compare(app, terminal_size=SIZES[size], run_before=paused_at_gate)


@pytest.mark.parametrize("size", SIZES)
def test_rollout_halted_with_a_rollback(
    snap_compare: Any, fake: FakeBackend, repo: Path, size: str
) -> None:
    table = f'{WAVES_OF_ONE}\ngate = "manual"\non_failure = "rollback"'
    app = console(fake, repo, f"halt-{size}", table)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=halted_with_rollback(repo))
