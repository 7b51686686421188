"""Consoles for the TUI tests: on the FakeBackend (tests/fakes/console.py) for what the screen
does, and a frozen clock for snapshots. The few tests over real SSH build theirs from the
sandbox fixtures (test_console_over_ssh.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import console_for, fake, tab_console
from tests.fixtures.polls import FAST_POLLS
from tests.fixtures.sandbox import write_sandbox_fleet

__all__ = ["console_for", "fake", "tab_console"]

# 2025-12-29 09:20:00 UTC: every time the console shows is derived from this one.
FROZEN = 1_767_000_000.0


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """The wall clock stopped, local time in UTC, fixed commit dates (so fixed SHAs) and a
    fixed user@host (a deploy lock's owner, shown in the sidebar)."""
    monkeypatch.setattr("ownstack_tui.clock.now", lambda: FROZEN)
    monkeypatch.setenv("LOGNAME", "alice")  # getpass.getuser() reads it first
    monkeypatch.setattr(socket, "gethostname", lambda: "laptop")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
    yield FROZEN
    monkeypatch.undo()  # TZ back as it was, then the C library told so
    time.tzset()


@pytest.fixture
def ssh_console_for(
    trusted_sandbox: Any, demo_repo: Path, clean_faults: None
) -> Callable[[str], OwnstackApp]:
    """ssh_console_for(app): the console over SSH, built as `ownstack-tui` builds it."""

    def make(app: str) -> OwnstackApp:
        path = write_sandbox_fleet(Path.home() / f"{app}-fleet.toml", trusted_sandbox, app, demo_repo)
        fleet = FleetFile.load(path).fleet
        return OwnstackApp(path, fleet, fleet.app(app), open_engine(fleet, "ssh", polls=FAST_POLLS))

    return make
