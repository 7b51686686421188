"""The running-rollout API a console drives: typed state per wave and stack, events,
promote, halt and cancel, against sandbox stacks over real SSH."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.engine.deploy_lock import LockRequest, new_holder
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.engine.rollout import RolloutOptions, RunningRollout, start_rollout
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.rollout import (
    Gate,
    RolloutEvent,
    RolloutEventKind,
    RolloutPolicy,
    RolloutState,
    StackPhase,
    WaveState,
)
from tests.fixtures.polls import FAST_POLLS
from tests.integration.conftest import write_sandbox_fleet

WAVES = (("staging",), ("prod-east",), ("prod-west",))


@pytest.fixture
def fleet(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None
) -> Any:
    path = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo, False)
    return FleetFile.load(path).fleet


def options() -> RolloutOptions:
    return RolloutOptions(DeployRequest(), LockRequest(new_holder(["deploy", "test"])))


async def until(rollout: RunningRollout, state: RolloutState, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while rollout.state is not state:
            await asyncio.sleep(0.05)


async def test_a_console_promotes_then_halts_at_manual_gates_and_sees_every_step(
    fleet: Any, unique_app: str, sandbox_fleet: Any
) -> None:
    app = fleet.app(unique_app)
    seen: list[RolloutEvent] = []
    async with open_engine(fleet, "ssh", polls=FAST_POLLS) as engine:
        rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.MANUAL), options())
        rollout.subscribe(seen.append)
        await until(rollout, RolloutState.AWAITING_PROMOTION)
        progress = rollout.progress
        assert [w.state for w in progress.waves] == [
            WaveState.PASSED, WaveState.AWAITING_PROMOTION, WaveState.PENDING,
        ]
        assert progress.stacks["staging"].phase is StackPhase.PASSED
        assert progress.stacks["prod-east"].phase is StackPhase.WAITING
        assert progress.reason == "wave 1 passed; promote to wave 2?"

        rollout.promote()
        await until(rollout, RolloutState.RUNNING)
        await until(rollout, RolloutState.AWAITING_PROMOTION)
        rollout.unsubscribe(seen.append)
        count = len(seen)
        rollout.halt()
        await rollout.wait()

    assert len(seen) == count  # nothing after unsubscribing
    assert progress.state is RolloutState.HALTED
    assert progress.wave(3).state is WaveState.SKIPPED
    west = progress.stacks["prod-west"]
    assert west.phase is StackPhase.SKIPPED and west.job is not None
    assert west.job.status is DeployStatus.SKIPPED and west.job.reason == "halted by the operator"
    assert not sandbox_fleet["prod-west"].state.app_exists(unique_app)
    assert sandbox_fleet["prod-east"].deployed_sha(unique_app)
    kinds = {event.kind for event in seen}
    assert {RolloutEventKind.WAVE, RolloutEventKind.STACK, RolloutEventKind.ROLLOUT,
            RolloutEventKind.JOB_ADDED} <= kinds


async def test_cancel_stops_the_running_wave_starts_nothing_and_releases_the_locks(
    fleet: Any, unique_app: str, sandbox_fleet: Any
) -> None:
    app = fleet.app(unique_app)
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=200)
    async with open_engine(fleet, "ssh", polls=FAST_POLLS) as engine:
        rollout = start_rollout(engine, app, RolloutPolicy(waves=WAVES, gate=Gate.NONE), options())
        async with asyncio.timeout(60):
            while not (rollout.jobs and rollout.jobs[0].status is DeployStatus.BUILDING):
                await asyncio.sleep(0.05)
        rollout.cancel()
        progress = await rollout.wait()
    assert progress.state is RolloutState.CANCELLED
    assert [w.state for w in progress.waves] == [WaveState.CANCELLED, WaveState.SKIPPED, WaveState.SKIPPED]
    assert [job.status for job in progress.jobs] == [
        DeployStatus.CANCELLED, DeployStatus.SKIPPED, DeployStatus.SKIPPED,
    ]
    assert "OWNSTACK_DEPLOY_LOCK" not in sandbox_fleet["staging"].state.read_env(unique_app)
    assert sandbox_fleet["staging"].deployed_sha(unique_app) is None
