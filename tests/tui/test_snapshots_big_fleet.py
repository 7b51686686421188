"""Snapshots of `demo --stacks 60 --tags` after its first deploy, on the fake backend: the
demo's names, tags and grouping ([console] group_by by environment), its two faulted groups
(every tier-b build rejected, every canary's connection lost: a transient cause), so that one
screen shows the grouped sidebar with counts, the compact Deploy table and the failures grouped
by cause; at 80x24 and 160x50. Stable: frozen clock, fixed SHA, a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.sandbox.demo import DEMO_GROUP_BY
from ownstack_tui.sandbox.fleet import tagged_stack_names
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, settle, toasts, wait_for

STACKS = tagged_stack_names(60)
REJECTED = "Push rejected, failed to compile Python app."
LOST = "connection lost during the push of shop; the build's outcome on the stack is unknown"


def demo_console(fake: FakeBackend, tmp_path: Path) -> OwnstackApp:
    repo = make_demo_repo(tmp_path / "shop")
    path = write_fake_fleet(Path.home() / "fleet.toml", "shop", repo, needs_postgres=False,
                            stacks=tuple(STACKS), tags=STACKS)
    fleet_file = FleetFile.load(path)
    fleet_file.set_value("console", {"group_by": list(DEMO_GROUP_BY)})
    fleet_file.save()
    for name, tags in STACKS.items():
        if "tier-b" in tags:
            fake.stack(name).fail_builds(REJECTED)
        elif "canary" in tags:
            fake.stack(name).fail_builds(LOST)
    return build_console(path, fake)


async def first_deploy(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: checked(app), timeout=60)
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # prod-* stacks ask
    await pilot.press("y")
    await wait_for(pilot, lambda: "60/60 done" in screen_text(app), timeout=120)
    await wait_for(pilot, lambda: "45 ok · 15 failed" in " ".join(toasts(app)))  # the run's end
    app.clear_notifications()  # the toast goes after 10 s: not a stable sight
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["small", "large"])
def test_the_tagged_60_stack_demo_after_its_first_deploy(
    snap_compare: Any, frozen_clock: float, tmp_path: Path, fake: FakeBackend, size: tuple[int, int]
) -> None:
    app = demo_console(fake, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=first_deploy)
