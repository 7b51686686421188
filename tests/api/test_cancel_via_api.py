"""Cancelling a deploy via the API only stops our watching: the record says so."""

from __future__ import annotations

import time
from typing import Any

from ownstack_tui.engine.history import History
from tests.api.conftest import ApiWorld
from tests.cli.helpers import interrupt_while_building


def test_ctrl_c_via_api_records_the_job_as_detached_not_cancelled(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=60_000)
    status, out, err = interrupt_while_building([
        "--fleet", str(world.fleet_path), "--via", "api", "deploy", world.app, "--stack", "staging",
        "--wait",
    ], world.app, 1)
    assert status == 130, out + err
    assert "Traceback" not in out + err and world.token not in out + err
    registry = world.control_plane.registry
    assert registry is not None
    (deployment,) = registry.deployments.values()
    assert not deployment.job.is_final  # still building on the control plane
    reason = f"detached (still running on the control plane as deployment {deployment.id})"
    assert reason in out.splitlines()[-1]
    (entry,) = History().entries(app=world.app)
    assert entry.reason == reason

    sandbox_fleet["staging"].clear_faults()  # it goes on without us, and finishes
    deadline = time.monotonic() + 30
    while not deployment.job.is_final and time.monotonic() < deadline:
        time.sleep(0.1)
    assert deployment.job.status.value == "succeeded"
