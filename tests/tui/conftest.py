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
import textual._wait
from textual.screen import Screen

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import console_for, fake, tab_console
from tests.fixtures.polls import FAST_POLLS
from tests.fixtures.sandbox import write_sandbox_fleet

__all__ = ["console_for", "fake", "tab_console"]

# 2025-12-29 09:20:00 UTC: every time the console shows is derived from this one.
FROZEN = 1_767_000_000.0


# Headless, Textual still renders every frame (some 30 ms at 160x50) and then drops it: a
# quarter of a Pilot test's CPU. Tests read the screen on demand (screen_text renders it
# whole), so here an app draws at most one frame per FRAME_GAP seconds (its first one at once,
# whichever screen is on top); what is skipped stays dirty and the next drawn frame paints
# it. A render error still fails the test: on a drawn frame, or when the test reads the
# screen. Snapshot tests, and a test marked ``every_frame``, draw at Textual's own rate.
FRAME_GAP = 1.0
_draw_frame = Screen._compositor_refresh
_last_frame: dict[int, float] = {}


def _sparse_frames(screen: Screen[Any]) -> None:
    app = screen.app
    if app.is_inline or screen is not app.screen:
        _draw_frame(screen)
        return
    now = time.monotonic()
    if now - _last_frame.get(id(app), -FRAME_GAP) < FRAME_GAP:
        screen._dirty_widgets.clear()  # as a drawn frame does; their regions stay dirty
        app._update_mouse_over(screen)
        return
    _last_frame[id(app)] = now
    _draw_frame(screen)


def _snapshot(request: pytest.FixtureRequest) -> bool:
    """A snapshot test's app runs as Textual runs it (its own loop, every frame, Textual's idle
    waits): with the shortcuts below, that loop's end waited forever in 2 runs of 8."""
    return "snap_compare" in request.fixturenames


@pytest.fixture(autouse=True)
def sparse_frames(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("every_frame") is None and not _snapshot(request):
        monkeypatch.setattr(Screen, "_compositor_refresh", _sparse_frames)
    yield
    _last_frame.clear()


# Pilot.press waits for the app to go idle twice per key, sampling the process's CPU time in
# 20 ms slices (idle: under 1 ms used in one): 40 ms a key at best, a second or two for a
# typed selector. The same test in 5 ms slices (idle: under 0.25 ms used) still waits for
# the key's handling to end, four times sooner. Not for snapshots (see _snapshot).
@pytest.fixture(autouse=True)
def quick_idle(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if _snapshot(request):
        return
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.005)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.005 / 20)


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
