"""A fleet file for the sandbox stacks, with a fresh app that targets all three."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.fixtures.sandbox import write_sandbox_fleet


@pytest.fixture
def shop(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None
) -> tuple[Path, str]:
    """(fleet file, app name): a new app on staging, prod-east and prod-west."""
    return write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo), unique_app


@pytest.fixture
def shop_cli(shop: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(shop[0], capsys)
