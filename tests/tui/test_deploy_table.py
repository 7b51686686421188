"""The Deploy tab of a big fleet: a compact table (one row per stack) instead of a pane each,
a stack's full pane on demand. On the fake backend's stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, pane_text, title, wait_for

FLEET = tuple(f"edge-{number:02d}" for number in range(1, 31))


def big_console(fake: FakeBackend, repo: Path, app: str, stacks: tuple[str, ...] = FLEET) -> OwnstackApp:
    path = write_fake_fleet(Path.home() / f"{app}-fleet.toml", app, repo, needs_postgres=False,
                            stacks=stacks)
    return build_console(path, fake)


async def deploy_all(pilot: Pilot[Any], fake: FakeBackend, name: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: checked(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: f"{len(FLEET)}/{len(FLEET)} done" in screen_text(app))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_thirty_stacks_show_a_table_with_a_row_each(
    fake: FakeBackend, demo_repo: Path, size: tuple[int, int]
) -> None:
    app = big_console(fake, demo_repo, "big-table")
    fake.stack("edge-02").fail_builds()
    async with app.run_test(size=size) as pilot:
        await deploy_all(pilot, fake, "big-table")
        text = screen_text(app)
        assert "30/30 done · ✓29 ✗1 · 0 running" in text
        assert not app.screen.query("LogPane")  # no pane mounted for the table
        rows = [row for row in text.splitlines() if "edge-0" in row]
        assert any("✗ failed" in row and "edge-02" in row for row in rows)
        assert any("✓ succeeded" in row and "edge-01" in row for row in rows)


async def test_three_stacks_still_show_a_pane_each(fake: FakeBackend, demo_repo: Path) -> None:
    app = big_console(fake, demo_repo, "big-few", stacks=FLEET[:3])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: "· succeeded ·" in title(app, "edge-03"))
        assert len(app.screen.query("LogPane")) == 3
        assert "done ·" not in screen_text(app)  # no table, no progress line


async def test_enter_opens_a_rows_live_pane_and_esc_returns_to_the_table(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = big_console(fake, demo_repo, "big-enter")
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy_all(pilot, fake, "big-enter")
        await pilot.press("2")  # the Deploy tab: the table has the focus
        await pilot.press("down", "down", "enter")  # the third row: edge-03
        await wait_for(pilot, lambda: "· succeeded ·" in title(app, "edge-03"))
        text = pane_text(app, "edge-03")
        assert "-----> Deploying big-enter" in text or "edge-03" in text
        assert "status " not in screen_text(app)  # the table gave way to the pane
        await pilot.press("z")
        assert app.screen.maximized is not None
        await pilot.press("z")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "status " in screen_text(app))
        assert not app.screen.query("LogPane")


async def test_f_reaches_each_failed_stacks_pane_in_turn(fake: FakeBackend, demo_repo: Path) -> None:
    app = big_console(fake, demo_repo, "big-failed")
    for name in ("edge-07", "edge-21"):
        fake.stack(name).fail_builds()
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy_all(pilot, fake, "big-failed")
        await pilot.press("f")
        await wait_for(pilot, lambda: "· failed ·" in title(app, "edge-07"))
        assert "pre-receive hook declined" in pane_text(app, "edge-07")
        await pilot.press("f")
        await wait_for(pilot, lambda: "· failed ·" in title(app, "edge-21"))
        await pilot.press("f")
        await wait_for(pilot, lambda: "· failed ·" in title(app, "edge-07"))
