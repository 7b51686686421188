"""A rollout when its event loop ends under it (a front end gone mid-run), and a caller's
cancel while it waits for one: the loop's end finishes, the locks are released, the statuses
say cancelled, and a waiter cancelled is cancelled (it does not carry on as if the run ended)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.engine.deploy_lock import LockRequest, new_holder
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.rollout import RolloutOptions, RunningRollout, start_rollout
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.rollout import Gate, RolloutPolicy, RolloutState, WaveState
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import STACKS, write_fake_fleet
from tests.fixtures.loop_end import run_then_close
from tests.fixtures.polls import FAST_POLLS

WAVES = tuple((name,) for name in STACKS)


def engine_on(fake: FakeBackend, repo: Path, app: str) -> tuple[Engine, Any]:
    fleet = FleetFile.load(write_fake_fleet(Path.home() / f"{app}.toml", app, repo, False)).fleet
    return Engine(fleet, fake, polls=FAST_POLLS), fleet.app(app)


def options() -> RolloutOptions:
    return RolloutOptions(DeployRequest(), LockRequest(new_holder(["deploy", "test"])))


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)



@pytest.mark.parametrize("where", ["at a manual gate", "mid-deploy"])
def test_a_loop_ending_under_a_rollout_ends_and_leaves_it_cancelled_with_its_locks_released(
    demo_repo: Path, where: str
) -> None:
    fake = FakeBackend()
    engine, app = engine_on(fake, demo_repo, "shop")
    rollouts: list[RunningRollout] = []
    if where == "mid-deploy":
        fake.stack("prod-east").hold_builds()

    async def main() -> None:
        rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.NONE
                                                           if where == "mid-deploy" else Gate.MANUAL),
                                options())
        rollouts.append(rollout)
        if where == "mid-deploy":
            await until(lambda: fake.stack("prod-east").deploy_lock("shop") is not None
                        and rollout.progress.wave(2).state is WaveState.DEPLOYING)
        else:
            await until(lambda: rollout.state is RolloutState.AWAITING_PROMOTION)
        # main returns with the rollout still going: the loop's end cancels it

    run_then_close(main(), "the rollout")
    progress = rollouts[0].progress
    assert progress.state is RolloutState.CANCELLED
    assert all(fake.stack(name).deploy_lock("shop") is None for name in STACKS)
    assert progress.stacks["staging"].job is not None
    assert progress.stacks["staging"].job.status is DeployStatus.SUCCEEDED
    west = progress.stacks["prod-west"].job
    assert west is not None and west.status is DeployStatus.SKIPPED
    if where == "mid-deploy":
        east = progress.stacks["prod-east"].job
        assert east is not None and east.status is DeployStatus.CANCELLED


async def test_a_waiter_cancelled_is_cancelled_and_the_rollout_goes_on(demo_repo: Path) -> None:
    """Cancelling the one who waits (a console worker at quit) must not read as the rollout's
    end: the waiter's cancel is raised, and the rollout still runs until told otherwise."""
    fake = FakeBackend()
    engine, app = engine_on(fake, demo_repo, "shop")
    rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.MANUAL), options())
    waiter = asyncio.create_task(rollout.wait())
    await until(lambda: rollout.state is RolloutState.AWAITING_PROMOTION)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert rollout.state is RolloutState.AWAITING_PROMOTION
    rollout.cancel()
    progress = await rollout.wait()  # the rollout's own cancel ends the wait, not raised
    assert progress.state is RolloutState.CANCELLED
    assert fake.stack("staging").deploy_lock("shop") is None


async def test_a_deploy_waiter_cancelled_is_cancelled_and_the_deploy_goes_on(demo_repo: Path) -> None:
    fake = FakeBackend()
    engine, app = engine_on(fake, demo_repo, "shop")
    fake.stack("staging").hold_builds()
    running = engine.start_deploy(app, ["staging"])
    waiter = asyncio.create_task(running.wait())
    await until(lambda: running.run.jobs[0].status is DeployStatus.BUILDING)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not running.run.is_finished
    fake.stack("staging").release_builds()
    run = await running.wait()
    assert run.succeeded


async def test_a_second_cancel_while_the_locks_are_released_still_waits_for_their_release(
    demo_repo: Path,
) -> None:
    """Ctrl-C twice (the CLI cancels on each): the rollout ends once its locks are released,
    not before, so the engine is not closed under a release half done."""
    fake = FakeBackend()
    engine, app = engine_on(fake, demo_repo, "shop")
    releasing, go_on = asyncio.Event(), asyncio.Event()
    write_lock = fake.write_lock

    async def slow_release(app: Any, stack: Any, holder: Any) -> bool:
        if holder is None:
            releasing.set()
            await go_on.wait()
        return await write_lock(app, stack, holder)

    fake.write_lock = slow_release  # type: ignore[method-assign]
    rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.MANUAL), options())
    await until(lambda: rollout.state is RolloutState.AWAITING_PROMOTION)
    rollout.cancel()
    await until(releasing.is_set)
    rollout.cancel()
    asyncio.get_running_loop().call_later(0.1, go_on.set)
    progress = await rollout.wait()
    assert progress.state is RolloutState.CANCELLED
    assert fake.stack("staging").deploy_lock("shop") is None


async def test_a_rollout_cancelled_before_it_first_runs_ends_cancelled_with_every_stack_skipped(
    demo_repo: Path,
) -> None:
    fake = FakeBackend()
    engine, app = engine_on(fake, demo_repo, "shop")
    rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.MANUAL), options())
    rollout.cancel()  # before the loop ran its task once
    progress = await rollout.wait()
    assert progress.state is RolloutState.CANCELLED
    for name in STACKS:
        job = progress.stacks[name].job
        assert job is not None and job.status is DeployStatus.SKIPPED and job.reason == "rollout cancelled"
    assert all(fake.stack(name).app("shop") is None for name in STACKS)  # nothing touched
