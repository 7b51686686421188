"""The console closed at any moment ends at once, leaving no task behind that would keep its
event loop from closing (a console that hangs on its way out, its terminal given back never)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fake_backend import FakeBackend
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
