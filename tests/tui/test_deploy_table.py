"""The Deploy tab of a big fleet: a compact table (one row per stack) instead of a pane each,
a stack's full pane on demand, and the failures grouped by cause with keys that re-deploy a
group or only the transient failures. On the fake backend's stacks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.tui.rollouts import with_rollout
from tests.tui.screen_text import screen_text
from tests.tui.seen import checked, pane_text, table_updates, title, wait_for

FLEET = tuple(f"edge-{number:02d}" for number in range(1, 31))
TRANSIENT = "ssh: connection lost to the build host: timed out after 30s"
COMPILE = "Push rejected, failed to compile Python app."


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
        rows = [row.rsplit("│", 1)[-1] for row in text.splitlines() if "edge-0" in row]
        status = "✗ failed" if size[0] >= 160 else "✗"  # 80 columns: the glyph alone
        assert any(row.strip().startswith(status) and "edge-02" in row for row in rows)
        assert any(row.strip().startswith(status.replace("✗", "✓").replace("failed", "succeeded"))
                   and "edge-01" in row for row in rows)


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
        await pilot.press("1", "down", "down", "down", "down", "enter")  # edge-05 in the sidebar
        await wait_for(pilot, lambda: "· succeeded ·" in title(app, "edge-05"))


def group_lines(app: Any) -> list[str]:
    """The failure groups' first lines as shown (right of the sidebar)."""
    rows = [row.rsplit("│", 1)[-1].strip() for row in screen_text(app).splitlines()]
    return [row for row in rows if re.match(r"\d+ stacks?( ⟳ transient)?: ", row)]


async def test_failures_are_grouped_and_one_key_redeploys_a_group(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = big_console(fake, demo_repo, "big-groups")
    compile_failed = ("edge-03", "edge-04", "edge-05")
    lost = ("edge-10", "edge-11")
    for name in compile_failed:
        fake.stack(name).fail_builds(COMPILE)
    for name in lost:
        fake.stack(name).fail_builds(TRANSIENT)
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy_all(pilot, fake, "big-groups")
        await wait_for(pilot, lambda: len(group_lines(app)) == 2)
        rows = group_lines(app)
        assert rows[0].startswith("3 stacks: ") and "compile" in rows[0]
        assert rows[1].startswith("2 stacks ⟳ transient: ") and "connection lost" in rows[1]
        text = screen_text(app)
        assert "edge-03, edge-04, edge-05" in text and "edge-10, edge-11" in text
        before = {name: fake.stack(name).app("big-groups").deploys for name in FLEET}  # type: ignore[union-attr]
        for name in compile_failed:
            fake.stack(name).build_failure = None  # fixed: the re-deploy goes through
        await pilot.press("R")  # the group under the cursor: the largest
        await wait_for(pilot, lambda: all(
            fake.stack(name).deployed_sha("big-groups") is not None for name in compile_failed))
        await wait_for(pilot, lambda: len(group_lines(app)) == 1)
        after = {name: fake.stack(name).app("big-groups").deploys for name in FLEET}  # type: ignore[union-attr]
        changed = {name for name in FLEET if after[name] != before[name]}
        assert changed == set(compile_failed)
        assert group_lines(app)[0].startswith("2 stacks ⟳ transient: ")


async def test_the_transient_key_redeploys_only_the_transient_failures(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = big_console(fake, demo_repo, "big-transient")
    fake.stack("edge-03").fail_builds(COMPILE)
    for name in ("edge-10", "edge-11"):
        fake.stack(name).fail_builds(TRANSIENT)
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy_all(pilot, fake, "big-transient")
        await wait_for(pilot, lambda: len(group_lines(app)) == 2)
        for name in ("edge-03", "edge-10", "edge-11"):
            fake.stack(name).build_failure = None
        await pilot.press("t")
        await wait_for(pilot, lambda: len(group_lines(app)) == 1)
        assert group_lines(app)[0].startswith("1 stack: ") and "compile" in group_lines(app)[0]
        assert fake.stack("edge-10").deployed_sha("big-transient") is not None
        assert fake.stack("edge-11").deployed_sha("big-transient") is not None
        assert fake.stack("edge-03").deployed_sha("big-transient") is None


async def test_few_stacks_list_their_groups_above_the_panes_once_two_failed(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = big_console(fake, demo_repo, "few-groups", stacks=FLEET[:3])
    for name in FLEET[:2]:
        fake.stack(name).fail_builds(COMPILE)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: len(group_lines(app)) == 1)
        assert group_lines(app)[0].startswith("2 stacks: ") and "compile" in group_lines(app)[0]
        assert len(app.screen.query("LogPane")) == 3  # still a pane each
        for name in FLEET[:2]:
            fake.stack(name).build_failure = None
        await pilot.press("R")
        await wait_for(pilot, lambda: all(fake.stack(name).deployed_sha("few-groups")
                                          for name in FLEET[:3]))
        await wait_for(pilot, lambda: not group_lines(app))


async def test_a_staged_rollout_shows_each_rows_wave_and_the_stacks_held_at_the_gate(
    fake: FakeBackend, demo_repo: Path
) -> None:
    path = write_fake_fleet(Path.home() / "big-waves-fleet.toml", "big-waves", demo_repo,
                            needs_postgres=False, stacks=FLEET)
    first, rest = ", ".join(f'"{name}"' for name in FLEET[:2]), ", ".join(f'"{name}"' for name in FLEET[2:])
    app = build_console(with_rollout(path, "big-waves", f'waves = [[{first}], [{rest}]]\ngate = "manual"'),
                        fake)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        def row_of(stack: str) -> list[str]:
            rows = [row.rsplit("│", 1)[-1].split() for row in screen_text(app).splitlines()]
            return next(row for row in rows if stack in row)

        # The summary and the rows are redrawn apart (each at most every ~100 ms): both first.
        await wait_for(pilot, lambda: "2/30 done" in screen_text(app) and "28 waiting" in screen_text(app)
                       and row_of("edge-30")[0] == "⏸")
        first_row = row_of("edge-01")
        assert first_row[:2] == ["✓", "succeeded"] and first_row[first_row.index("edge-01") + 1] == "1"
        held = row_of("edge-30")  # its wave waits at the gate
        assert held[held.index("edge-30") + 1] == "2"
        await pilot.press("P")
        await wait_for(pilot, lambda: "30/30 done · ✓30 ✗0" in screen_text(app))


async def test_a_hidden_deploy_table_is_left_alone_and_catches_up_when_shown(
    fake: FakeBackend, demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = big_console(fake, demo_repo, "big-hidden")
    fake.line_pause = 0.025  # the run lasts over a second: long enough to look away
    told = table_updates(monkeypatch)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: ("deploy-table", "edge-01") in told)  # the table streams
        await pilot.press("7")
        await pilot.pause()
        told.clear()
        assert any(not fake.stack(name).deployed_sha("big-hidden") for name in FLEET)  # still running
        await wait_for(pilot, lambda: all(fake.stack(name).deployed_sha("big-hidden") for name in FLEET))
        await pilot.pause(0.6)  # more than a flush of the rows and of their last lines
        assert not [update for update in told if update[0] == "deploy-table"]
        await pilot.press("2")
        assert "30/30 done · ✓30 ✗0 · 0 running" in screen_text(app)
        shown = [row.rsplit("│", 1)[-1] for row in screen_text(app).splitlines()]  # right of the sidebar
        rows = [row.split() for row in shown if "edge-" in row]
        assert rows and all(row[:2] == ["✓", "succeeded"] for row in rows)


async def test_rows_scrolled_to_show_how_their_stacks_ended(fake: FakeBackend, demo_repo: Path) -> None:
    """Rows out of view are brought up to date once scrolled to (not while out of sight)."""
    app = big_console(fake, demo_repo, "big-scrolled")
    fake.stack("edge-29").fail_builds()
    async with app.run_test(size=(80, 24)) as pilot:
        await deploy_all(pilot, fake, "big-scrolled")
        await pilot.press("2", "end")  # the table has the focus: its last row

        def glyph(name: str) -> str:
            """The status glyph before ``name`` in the table: its last row naming the stack (the
            failure groups above name it too; the sidebar ends at edge-20 here)."""
            rows = [row.split() for row in screen_text(app).splitlines() if name in row.split()]
            return rows[-1][rows[-1].index(name) - 1] if rows else ""

        await wait_for(pilot, lambda: glyph("edge-30") == "✓" and glyph("edge-29") == "✗")
