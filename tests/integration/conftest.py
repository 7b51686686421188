"""A fleet file for the sandbox stacks, with a fresh app that targets all three."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import Cli


def write_sandbox_fleet(
    path: Path, sandbox_fleet: Any, app: str, repo: Path, needs_postgres: bool = True
) -> Path:
    fleet_file = FleetFile.load_or_new(path)
    for stack in sandbox_fleet:
        fleet_file.add_stack(stack.name, stack.host, stack.port, identity=str(stack.client_key_path))
    fleet_file.add_app(app, str(repo), "main", needs_postgres, [s.name for s in sandbox_fleet])
    fleet_file.save()
    return path


@pytest.fixture
def trusted_sandbox(sandbox_fleet: Any) -> Any:
    """The sandbox stacks' host keys in ownstack-tui's known_hosts (as after accepting them)."""
    sandbox_fleet.write_known_hosts(paths.known_hosts_path())
    return sandbox_fleet


@pytest.fixture
def clean_faults(sandbox_fleet: Any) -> Iterator[None]:
    for stack in sandbox_fleet:
        stack.clear_faults()
    yield
    for stack in sandbox_fleet:
        stack.clear_faults()


@pytest.fixture
def shop(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None
) -> tuple[Path, str]:
    """(fleet file, app name): a new app on staging, prod-east and prod-west."""
    return write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo), unique_app


@pytest.fixture
def shop_cli(shop: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(shop[0], capsys)
