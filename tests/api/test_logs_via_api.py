"""Runtime logs through the control plane: a cut stream names its stack, and a follow resumes."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiWorld
from tests.cli.helpers import follow_until


def test_a_cut_runtime_log_stream_names_its_stack(world: ApiWorld, sandbox_fleet: Any) -> None:
    assert world.ssh("deploy", world.app, "--stack", "staging", "--wait").status == 0
    sandbox_fleet["staging"].set_fault(drop_after_lines=1)  # the stack drops after one line
    result = world.api("logs", "--app", world.app, "--stack", "staging", "--tail", "10")
    assert result.status == 1 and "Traceback" not in result.out + result.err
    (message,) = result.err.strip().splitlines()
    assert message.startswith(
        f"ownstack-tui: stack staging: the control plane at {world.control_plane.url} cut the stream"
    ), message
    assert len(result.out.splitlines()) == 1  # the line before the cut was shown


def test_logs_follow_via_api_reconnects_after_a_cut_stream(world: ApiWorld, sandbox_fleet: Any) -> None:
    assert world.ssh("deploy", world.app, "--stack", "staging", "--wait").status == 0
    sandbox_fleet["staging"].set_fault(drop_after_lines=3)
    status, out, err = follow_until(
        ["--fleet", str(world.fleet_path), "--via", "api", "logs", "--app", world.app,
         "--stack", "staging", "--follow", "--tail", "5"],
        "log stream reconnected",
    )
    assert status == 0 and "Traceback" not in out + err and world.token not in out + err
    assert "ownstack-tui: stack staging: log stream lost (the control plane at" in err, err
    assert "ownstack-tui: stack staging: log stream reconnected" in err
    assert len(out.splitlines()) > 3
