"""Snapshots of a 30-stack Deploy tab after a run with failures of two causes: the compact
table, its progress line and the failures grouped by cause (one of them transient), at 80x24
and 160x50. Stable: frozen clock, fixed SHA, a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, settle, toasts, wait_for

FLEET = tuple(f"edge-{number:02d}" for number in range(1, 31))


def grouped_failures_console(fake: FakeBackend, tmp_path: Path) -> OwnstackApp:
    repo = make_demo_repo(tmp_path / "shop")
    path = write_fake_fleet(Path.home() / "fleet.toml", "shop", repo, needs_postgres=False,
                            stacks=FLEET)
    for name in ("edge-03", "edge-04", "edge-05", "edge-06"):
        fake.stack(name).fail_builds()
    for name in ("edge-12", "edge-17"):
        fake.stack(name).fail_builds("ssh: connection lost to the build host: timed out after 30s")
    return build_console(path, fake)


async def deployed(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: checked(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: "30/30 done" in screen_text(app) and "⟳ transient" in screen_text(app))
    await wait_for(pilot, lambda: "24 ok · 6 failed" in " ".join(toasts(app)))  # the run's end
    app.clear_notifications()  # the toast goes after 10 s: not a stable sight
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["small", "large"])
def test_deploy_table_with_grouped_failures(
    snap_compare: Any, frozen_clock: float, tmp_path: Path, fake: FakeBackend, size: tuple[int, int]
) -> None:
    app = grouped_failures_console(fake, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=deployed)
