"""A console on sandbox stacks, built the way `ownstack-tui` builds it."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.main_screen import MainScreen
from ownstack_tui.tui.widgets.deploy_grid import DeployGrid
from ownstack_tui.tui.widgets.stack_sidebar import StackSidebar
from ownstack_tui.tui.widgets.target_header import TargetHeader
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


def commit(repo: Path, name: str) -> str:
    """A new commit in ``repo`` (one new file); returns its SHA."""
    (repo / name).write_text(name + "\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", name], check=True)
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def main_screen(pilot: Pilot[Any]) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def the_main_screen(app: OwnstackApp) -> MainScreen:
    """The main screen, also while a modal is shown over it."""
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))


def sidebar_entries(app: OwnstackApp) -> dict[str, str]:
    """Each stack's sidebar entry as shown (plain text), by stack name ({} before it is)."""
    sidebars = the_main_screen(app).query(StackSidebar)
    if not sidebars:
        return {}
    sidebar = sidebars.first()
    options = [sidebar.get_option_at_index(i) for i in range(sidebar.option_count)]
    return {str(option.id): Text.assemble(option.prompt).plain for option in options}


def checked(app: OwnstackApp) -> bool:
    """Every stack's entry says when it was last read."""
    entries = sidebar_entries(app)
    return bool(entries) and all("checked " in entry for entry in entries.values())


def deploy_summary(app: OwnstackApp) -> str:
    """The line above the Deploy tab's panes: the last run's summary, or its failure."""
    return str(the_main_screen(app).query_one("#deploy-summary", Static).render())


def deploy_finished(pilot: Pilot[Any]) -> bool:
    return "Last run:" in deploy_summary(pilot.app)  # type: ignore[arg-type]


def header_text(app: OwnstackApp) -> str:
    return str(the_main_screen(app).query_one(TargetHeader).describe())


def toasts(app: OwnstackApp) -> list[str]:
    """The notifications on screen now (run_test shows them only with notifications=True)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def pane_title(app: OwnstackApp, stack: str) -> str:
    pane = the_main_screen(app).query_one(DeployGrid).pane(stack)
    return f"{pane.border_title} | {pane.border_subtitle}"
