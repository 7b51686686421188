"""A cancelled deploy records what the stack really runs afterwards, not just "cancelled"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.engine.history import History
from ownstack_tui.model.deploy import DeployStatus
from tests.cli.helpers import Cli
from tests.sandbox.helpers import commit


def _newest(app: str) -> dict[str, Any]:
    """Each stack's newest history entry."""
    return {entry.stack: entry for entry in reversed(History().entries(app=app))}


def _summary(out: str) -> dict[str, str]:
    """The last three lines, the run's summary: stack -> the rest of its line."""
    return {line.split()[1]: line for line in out.splitlines()[-3:]}


def test_ctrl_c_records_per_stack_whether_the_push_went_through(
    shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any, demo_repo: Path
) -> None:
    fleet, app = shop
    assert shop_cli("deploy", app, "--wait").status == 0
    old = sandbox_fleet["staging"].deployed_sha(app)
    new = commit(demo_repo, "second release")
    # staging: the release goes live, then a slow post-deploy hook holds the push open;
    # prod-east: a build that is still running; prod-west: still connecting (slow network).
    sandbox_fleet["staging"].set_fault(post_deploy_delay_ms=60_000)
    sandbox_fleet["prod-east"].set_fault(build_line_delay_ms=60_000)
    sandbox_fleet["prod-west"].set_fault(rtt_ms=4_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "deploy", app, "--wait"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = {stack: entry.status for stack, entry in _newest(app).items()}
            if (
                sandbox_fleet["staging"].deployed_sha(app) == new
                and status.get("prod-east") is DeployStatus.BUILDING
                and status.get("prod-west") is DeployStatus.CONNECTING
            ):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the deploy never reached the wanted moment: {status}")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    summary = _summary(out)
    assert "succeeded" in summary["staging"]
    assert f"deployed {new[:7]} (cancelled too late: the push had gone through, stack now at {new[:7]})" in (
        summary["staging"]
    )
    assert f"cancelled, stack now at {old[:7]}" in summary["prod-east"]
    assert "cancelled before push" in summary["prod-west"]

    latest = _newest(app)
    assert (latest["staging"].status, latest["staging"].sha) == (DeployStatus.SUCCEEDED, new)
    assert latest["prod-east"].status is DeployStatus.CANCELLED
    assert latest["prod-east"].reason == f"cancelled, stack now at {old[:7]}"
    assert (latest["prod-west"].status, latest["prod-west"].reason) == (
        DeployStatus.CANCELLED, "cancelled before push"
    )
    # What the stacks themselves recorded.
    assert sandbox_fleet["staging"].deployed_sha(app) == new
    assert sandbox_fleet["prod-east"].deployed_sha(app) == old
    assert sandbox_fleet["prod-west"].deployed_sha(app) == old
