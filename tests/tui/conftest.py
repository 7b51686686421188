"""A console on sandbox stacks, built the way `ownstack-tui` builds it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.main_screen import MainScreen
from tests.integration.conftest import clean_faults, trusted_sandbox, write_sandbox_fleet

__all__ = ["clean_faults", "trusted_sandbox"]


def build_console(fleet_path: Path, app: str | None = None) -> OwnstackApp:
    fleet = FleetFile.load(fleet_path).fleet
    return OwnstackApp(fleet_path, fleet, fleet.app(app), open_engine(fleet, "ssh"))


@pytest.fixture
def console_for(
    tmp_path: Path, trusted_sandbox: Any, demo_repo: Path, clean_faults: None
) -> Callable[[str], OwnstackApp]:
    """console_for(app_name): a console for a new app on all three sandbox stacks."""

    def make(app: str) -> OwnstackApp:
        path = Path.home() / f"{app}-fleet.toml"
        write_sandbox_fleet(path, trusted_sandbox, app, demo_repo)
        return build_console(path)

    return make


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (stacks answer over real SSH)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the console")
        await pilot.pause(0.05)


def main_screen(pilot: Pilot[Any]) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def checked(app: OwnstackApp) -> bool:
    return all(state.checked_at is not None for state in app.states.values())


def deploy_finished(pilot: Pilot[Any]) -> bool:
    running = main_screen(pilot).running
    return running is not None and running.run.is_finished
