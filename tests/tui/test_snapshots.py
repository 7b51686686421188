"""Snapshots of the main screen at 80x24 and 160x50, idle and mid-deploy, on sandbox stacks.

Stable from run to run: the clock is frozen, the demo repo's commit has fixed dates (so a fixed
SHA), and the mid-deploy state is one that cannot move: one stack failed, the others held
before their first build line by a long per-line build delay.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.help import HelpScreen
from ownstack_tui.tui.screens.message import MessageScreen
from ownstack_tui.tui.widgets.log_pane import LogPane
from tests.fixtures.sandbox import make_demo_repo
from tests.integration.conftest import write_sandbox_fleet
from tests.tui.conftest import build_console, checked, wait_for

FROZEN = 1_767_000_000.0


@pytest.fixture
def frozen_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trusted_sandbox: Any, clean_faults: None
) -> Callable[[str], OwnstackApp]:
    monkeypatch.setattr("ownstack_tui.clock.now", lambda: FROZEN)
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
    repo = make_demo_repo(tmp_path / "shop")

    def make(app: str) -> OwnstackApp:
        path = Path.home() / "fleet.toml"
        write_sandbox_fleet(path, trusted_sandbox, app, repo)
        return build_console(path)

    return make


def scrollbar_state(pane: LogPane) -> tuple[float, ...]:
    bar = pane.vertical_scrollbar
    return (bar.position, bar.window_size, bar.window_virtual_size, bar.size.height)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every pane has flushed and its measured width stopped changing (a pane widens
    when rendering finds a line longer than it measured), so the frame cannot move any more."""
    previous = None
    for _ in range(50):
        panes = list(pilot.app.screen.query(LogPane))
        for pane in panes:
            pane.flush()
        await pilot.pause(0.1)
        sizes = [
            (pane.virtual_size, pane.scroll_offset, pane.scroll_y, *scrollbar_state(pane))
            for pane in panes
        ]
        # A fractional scroll position draws a partial scrollbar thumb: wait for a whole one.
        if sizes == previous and all(pane.scroll_y == int(pane.scroll_y) for pane in panes):
            # Repaint the scrollbars once more from the settled state: a thumb drawn from a
            # half-updated one was the last source of run-to-run differences.
            for pane in panes:
                pane.vertical_scrollbar.refresh()
            await pilot.pause(0.1)
            return
        previous = sizes


async def idle(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: checked(pilot.app))  # type: ignore[arg-type]
    await settle(pilot)


def mid_deploy(sandbox_fleet: Any) -> Callable[[Pilot[Any]], Any]:
    sandbox_fleet["prod-east"].set_fault(build_fail=True)
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=60_000)
    sandbox_fleet["prod-west"].set_fault(build_line_delay_ms=60_000)

    async def run_before(pilot: Pilot[Any]) -> None:
        app: OwnstackApp = pilot.app  # type: ignore[assignment]
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: app.states["prod-east"].status is DeployStatus.FAILED
            and app.states["staging"].status is DeployStatus.BUILDING
            and app.states["prod-west"].status is DeployStatus.BUILDING,
        )
        await settle(pilot)

    return run_before


def test_main_screen_idle_80x24(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    assert snap_compare(frozen_console("snap-idle-small"), terminal_size=(80, 24), run_before=idle)


def test_main_screen_idle_160x50(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    assert snap_compare(frozen_console("snap-idle-large"), terminal_size=(160, 50), run_before=idle)


def test_main_screen_mid_deploy_80x24(
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = frozen_console("snap-mid-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=mid_deploy(sandbox_fleet))


def test_main_screen_mid_deploy_160x50(
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = frozen_console("snap-mid-large")
    assert snap_compare(app, terminal_size=(160, 50), run_before=mid_deploy(sandbox_fleet))


def failed_reason(sandbox_fleet: Any) -> Callable[[Pilot[Any]], Any]:
    """Mid-deploy, then Enter on the failed pane: its whole reason over the dimmed screen."""
    deploy = mid_deploy(sandbox_fleet)

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
    snap_compare: Any, frozen_console: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = frozen_console("snap-reason-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=failed_reason(sandbox_fleet))


def test_help_80x24(snap_compare: Any, frozen_console: Callable[[str], OwnstackApp]) -> None:
    app = frozen_console("snap-help-small")
    assert snap_compare(app, terminal_size=(80, 24), run_before=help_overlay)
