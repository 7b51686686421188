"""A staged rollout driven from the console, on the fake stacks: the wave bar, Promote and
Halt, skipped and rollback panes, the run summary, and the deploy lock the console takes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.command import CommandPalette

from ownstack_tui import clock
from ownstack_tui.model.deploy_lock import LockHolder
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.help import HelpScreen
from tests.fakes.console import fake_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import STACKS
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.rollouts import WAVES_OF_ONE, commit, deployed_everywhere, head, rollout_console, wave_bar
from tests.tui.screen_text import screen_text
from tests.tui.seen import (
    checked,
    deploy_summary,
    finished,
    pane,
    pane_text,
    sidebar,
    subtitle,
    title,
    toasts,
    wait_for,
)

MANUAL = f'{WAVES_OF_ONE}\ngate = "manual"'


def footer(app: OwnstackApp) -> str:
    return screen_text(app).splitlines()[-1]


async def start_deploy(pilot, app: OwnstackApp) -> None:  # type: ignore[no-untyped-def]
    """`d`, and yes to the production question."""
    await wait_for(pilot, lambda: checked(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")


async def test_a_manual_gate_waits_in_the_wave_bar_and_promote_starts_the_next_wave(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = rollout_console(fake, demo_repo, "ro-promote", MANUAL)
    async with app.run_test(size=(160, 50)) as pilot:
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: "wave 1 ✓ · wave 2 ⏸ waiting · wave 3 ·" in wave_bar(app))
        assert "wave 1 passed; promote to wave 2? · P promote · H halt" in wave_bar(app)
        assert title(app, "staging").startswith("✓ staging · succeeded")
        assert title(app, "prod-east") == "⏸ prod-east · wave 2 · waiting for promotion"
        assert title(app, "prod-west") == "· prod-west · wave 3 · waiting"
        await wait_for(pilot, lambda: "P Promote  H Halt" in footer(app))
        # Nothing went to the later waves' stacks, not even the lock.
        assert fake.stack("prod-east").app("ro-promote") is None
        assert fake.stack("prod-west").app("ro-promote") is None

        await pilot.press("P")
        await wait_for(pilot, lambda: "wave 1 ✓ · wave 2 ✓ · wave 3 ⏸ waiting" in wave_bar(app))
        assert fake.stack("prod-east").deployed_sha("ro-promote") == head(demo_repo)
        assert fake.stack("prod-west").app("ro-promote") is None

        await pilot.press("P")
        await wait_for(pilot, lambda: "✓ rollout succeeded" in wave_bar(app))
        assert "wave 1 ✓ · wave 2 ✓ · wave 3 ✓" in wave_bar(app)
        await wait_for(pilot, lambda: "Last run: 3 ok · 0 failed · 0 cancelled" in deploy_summary(app))
        assert "rollout succeeded" in deploy_summary(app)
        assert all(fake.stack(s).deployed_sha("ro-promote") == head(demo_repo) for s in STACKS)
        assert all(fake.stack(s).deploy_lock("ro-promote") is None for s in STACKS)
        await wait_for(pilot, lambda: "Cancel" in footer(app) and "Promote" not in footer(app))


async def test_at_a_gate_the_sidebar_marks_come_from_a_reading_taken_after_the_wave(
    fake: FakeBackend, demo_repo: Path
) -> None:
    """A manual gate may wait for hours: the marks judged before the rollout (all at the tip,
    prod-west's web crashed) are read again when wave 1 ends, not when the run does."""
    app = rollout_console(fake, demo_repo, "ro-wave-marks", MANUAL)
    tip = await deployed_everywhere(app)
    fake.stack("prod-west").crash("web")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: "✗web" in sidebar(app)["prod-west"])  # start-up's reading
        assert not any("↓" in entry for entry in sidebar(app).values())
        commit(demo_repo, "second")
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(app))
        behind = ("prod-east", "prod-west")
        await wait_for(pilot, lambda: all("↓1" in sidebar(app)[name] for name in behind), 10)
        marks = {name: entry.split("\n")[1] for name, entry in sidebar(app).items()}
        assert marks == {"staging": f"  {head(demo_repo)[:7]} up", "prod-east": f"  {tip[:7]} up ↓1",
                         "prod-west": f"  {tip[:7]} up ✗web ↓1"}
        assert "wave 2 ⏸ waiting" in wave_bar(app)  # still at the gate
        await pilot.press("q")  # quitting at a gate cancels the rollout


async def test_halt_at_a_gate_skips_the_later_waves_without_deploying_to_them(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = rollout_console(fake, demo_repo, "ro-halt", MANUAL)
    async with app.run_test(size=(160, 50)) as pilot:
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(app))
        await pilot.press("H")
        await wait_for(pilot, lambda: "rollout halted: halted after wave 1" in wave_bar(app))
        assert "wave 1 ✓ · wave 2 ↷ skipped · wave 3 ↷ skipped" in wave_bar(app)
        for stack in ("prod-east", "prod-west"):
            assert title(app, stack) == f"↷ {stack} · skipped (halted by the operator)"
            assert fake.stack(stack).app("ro-halt") is None  # no push, no lock, no app
        await wait_for(pilot, lambda: "Last run:" in deploy_summary(app))
        assert "1 ok · 0 failed · 0 cancelled · 2 skipped" in deploy_summary(app)
        assert "rollout halted: halted after wave 1" in deploy_summary(app)
        assert fake.stack("staging").deploy_lock("ro-halt") is None


async def test_a_failed_wave_skips_the_rest_and_rollback_returns_every_moved_stack(
    fake: FakeBackend, tmp_path: Path
) -> None:
    repo = make_demo_repo(tmp_path / "shop")
    policy = 'waves = [["staging"], ["prod-east"], ["prod-west"]]\ngate = "none"\non_failure = "rollback"'
    app = rollout_console(fake, repo, "ro-back", policy)
    first = await deployed_everywhere(app)
    second = commit(repo, "second")
    fake.stack("prod-east").fail_builds()
    async with app.run_test(size=(160, 50)) as pilot:
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: "rollout rolled back: wave 2 failed" in wave_bar(app))
        assert "wave 1 ↺ rolled back · wave 2 ✗ failed · wave 3 ↷ skipped" in wave_bar(app)
        assert title(app, "staging").startswith(
            f"✓ staging · succeeded · rollback {second[:7]} → {first[:7]}")
        assert "↺ rolling back" in pane_text(app, "staging")  # below the deploy's own log
        assert "failed to compile" in subtitle(app, "prod-east")
        assert pane(app, "prod-east").has_class("-failed")
        await wait_for(pilot, lambda: "Last run:" in deploy_summary(app))
        assert "1 ok · 1 failed · 0 cancelled · 1 skipped · 1 rolled back" in deploy_summary(app)
        assert title(app, "prod-west") == "↷ prod-west · skipped (wave 2 failed)"
    # What the stacks hold: staging back at the first commit; prod-east kept its old release.
    assert fake.stack("staging").deployed_sha("ro-back") == first
    assert fake.stack("prod-east").deployed_sha("ro-back") == first


async def test_halt_with_on_failure_rollback_returns_what_went_out(fake: FakeBackend, tmp_path: Path) -> None:
    repo = make_demo_repo(tmp_path / "shop")
    app = rollout_console(fake, repo, "ro-halt-back", f'{MANUAL}\non_failure = "rollback"')
    first = await deployed_everywhere(app)
    commit(repo, "second")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(app))
        assert fake.stack("staging").deployed_sha("ro-halt-back") != first
        await pilot.press("H")
        assert any("what went out is rolled back" in toast for toast in toasts(app))
        await wait_for(pilot, lambda: "rollout rolled back: halted after wave 1" in wave_bar(app))
        assert "wave 1 ↺ rolled back · wave 2 ↷ skipped · wave 3 ↷ skipped" in wave_bar(app)
    assert all(fake.stack(s).deployed_sha("ro-halt-back") == first for s in STACKS)


async def test_a_stack_held_by_another_rollout_fails_there_with_the_owner_and_the_others_deploy(
    console_for, fake: FakeBackend  # type: ignore[no-untyped-def]
) -> None:
    app: OwnstackApp = console_for("ro-held", needs_postgres=False)
    alice = LockHolder(owner="alice@laptop", command="deploy ro-held --wave prod-east",
                       since=clock.now(), token="alices")
    await fake.write_lock(app.app_model, app.fleet.stack("prod-east"), alice)
    async with app.run_test(size=(160, 50)) as pilot:
        await start_deploy(pilot, app)
        await wait_for(pilot, lambda: finished(app, *STACKS))
        assert title(app, "prod-east").startswith("✗ prod-east · failed")
        assert "prod-east: rollout by alice@laptop since " in subtitle(app, "prod-east")
        assert "(deploy ro-held --wave prod-east)" in subtitle(app, "prod-east")
        assert fake.stack("prod-east").deployed_sha("ro-held") is None
        for stack in ("staging", "prod-west"):
            assert title(app, stack).startswith(f"✓ {stack} · succeeded")
            assert fake.stack(stack).deploy_lock("ro-held") is None  # ours, released
    assert fake.stack("prod-east").deploy_lock("ro-held") == alice.encode()  # hers, kept


async def test_the_consoles_deploy_holds_the_lock_under_its_owner_and_cancel_releases_it(
    console_for, fake: FakeBackend  # type: ignore[no-untyped-def]
) -> None:
    app: OwnstackApp = console_for("ro-lock", needs_postgres=False)
    fake.stack("staging").hold_builds()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1")  # the sidebar: staging first
        await pilot.press("s")
        await wait_for(pilot, lambda: fake.stack("staging").held_builds == 1)
        record = fake.stack("staging").deploy_lock("ro-lock")
        assert record is not None
        holder = LockHolder.decode(record)
        assert "@" in holder.owner and holder.command == "deploy ro-lock --stack staging (console)"
        await pilot.press("x")
        await wait_for(pilot, lambda: finished(app, "staging"))
        assert "· cancelled ·" in title(app, "staging")
        await wait_for(pilot, lambda: fake.stack("staging").deploy_lock("ro-lock") is None)


async def test_deploy_all_at_once_from_the_palette_ignores_the_waves(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = rollout_console(fake, demo_repo, "ro-at-once", MANUAL)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        for char in "all at once":
            await pilot.press("space" if char == " " else char)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: finished(app, *STACKS))
        assert all(title(app, s).startswith(f"✓ {s} · succeeded") for s in STACKS)
        assert wave_bar(app) == ""  # one wave: no bar, no gate
        assert all(fake.stack(s).deployed_sha("ro-at-once") == head(demo_repo) for s in STACKS)


async def test_help_lists_promote_and_halt_even_before_a_gate_waits(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = rollout_console(fake, demo_repo, "ro-help", MANUAL)
    async with app.run_test(size=(120, 100)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Console, when they apply" in text
        assert "P  Promote" in text and "H  Halt" in text


async def test_a_job_past_twice_its_usual_time_is_marked_slow_in_its_pane_and_the_sidebar(
    fake: FakeBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_demo_repo(tmp_path / "shop")
    app = fake_console(fake, repo, "ro-slow", needs_postgres=False)
    ahead = [0.0]  # seconds the wall clock is moved on
    real = time.time
    monkeypatch.setattr("ownstack_tui.clock.now", lambda: real() + ahead[0])
    # One earlier deploy of staging that took 10 s: its usual time.
    fake.stack("staging").hold_builds()
    earlier = app.engine.start_deploy(app.app_model, ["staging"])
    while fake.stack("staging").held_builds == 0:
        await asyncio.sleep(0.01)
    ahead[0] += 10
    fake.stack("staging").release_builds()
    assert (await earlier.wait()).succeeded
    commit(repo, "second")
    fake.stack("staging").hold_builds()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1")
        await pilot.press("s")
        await wait_for(pilot, lambda: fake.stack("staging").held_builds == 1)
        await wait_for(pilot, lambda: "· ETA 0:" in title(app, "staging"))
        assert "slow" not in sidebar(app)["staging"].split("\n")[0]
        ahead[0] += 25
        await wait_for(pilot, lambda: "· slow (usually 0:10)" in title(app, "staging"))
        await wait_for(pilot, lambda: sidebar(app)["staging"].split("\n")[0] == "⚙ staging slow")
        fake.stack("staging").release_builds()
        await wait_for(pilot, lambda: finished(app, "staging"))
        assert "slow" not in title(app, "staging")
