"""The console closed at any moment ends at once, leaving no task behind that would keep its
event loop from closing (a console that hangs on its way out, its terminal given back never)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ownstack_tui.model.deploy import DeployStatus
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import STACKS
from tests.tui.rollouts import WAVES_OF_ONE, rollout_console, wave_bar
from tests.tui.seen import checked, wait_for


@pytest.mark.timeout(60)
async def test_closed_as_a_wave_ends_the_console_leaves_no_task_running(
    fake: FakeBackend, demo_repo: Path
) -> None:
    """Closed just as wave 1 passed, while its health reading starts git: asyncio's own
    subprocess start, cancelled then, never finished, and the loop never closed (this test's
    teardown hung)."""
    app = rollout_console(fake, demo_repo, "quit-at-wave", f'{WAVES_OF_ONE}\ngate = "manual"')
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(app))


@pytest.mark.timeout(60)
async def test_closed_at_a_gate_the_console_cancels_the_rollout_and_starts_no_work_after(
    fake: FakeBackend, demo_repo: Path
) -> None:
    """Closed without q (run_test's end; a terminal closed): Textual cancels the workers
    first, and the one waiting for the rollout took that cancel for the rollout's end, then
    started a status and a health reading that nobody awaited, run after the engine closed
    (one starting git as the loop ended hung it). Now: nothing left, lock released, history
    honest."""
    app = rollout_console(fake, demo_repo, "close-at-gate", f'{WAVES_OF_ONE}\ngate = "manual"')
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: "wave 2 ⏸ waiting" in wave_bar(app))
    assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []
    assert all(fake.stack(name).deploy_lock("close-at-gate") is None for name in STACKS)
    statuses = {entry.stack: entry.status for entry in app.engine.history.entries(app="close-at-gate")}
    assert statuses == {"staging": DeployStatus.SUCCEEDED, "prod-east": DeployStatus.SKIPPED,
                        "prod-west": DeployStatus.SKIPPED}
