"""The fleet file's [timeouts] bound a host that stops answering after login and a silent build:
that stack fails with one line saying it timed out; the others finish."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import Cli
from tests.sandbox.helpers import head_sha


def set_timeouts(fleet: Path, **seconds: float) -> None:
    fleet_file = FleetFile.load(fleet)
    fleet_file.set_value("timeouts", seconds)
    fleet_file.save()


def summary(out: str) -> dict[str, str]:
    return {line.split()[1]: line for line in out.splitlines()[-3:]}


def test_a_host_frozen_after_login_times_out_within_the_command_timeout(
    shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any, demo_repo: Path
) -> None:
    fleet, app = shop
    set_timeouts(fleet, connect=5, command=1, keepalive=1)
    sandbox_fleet["prod-east"].set_fault(freeze_after_auth=True)

    started = time.monotonic()
    info = shop_cli("app", "info", app)
    assert time.monotonic() - started < 6  # not the 121 s of waiting for keepalives
    assert info.status == 1 and "Traceback" not in info.out + info.err
    (sick,) = [line for line in info.out.splitlines() if "prod-east" in line]
    assert "stack prod-east:" in sick and "timed out" in sick and "timeouts.command" in sick
    assert "could not open a channel" not in info.out
    assert sum("not created yet" in line for line in info.out.splitlines()) == 2

    started = time.monotonic()
    deployed = shop_cli("deploy", app, "--wait")
    assert time.monotonic() - started < 30
    assert deployed.status == 1 and "Traceback" not in deployed.out + deployed.err
    lines = summary(deployed.out)
    assert "failed" in lines["prod-east"] and "timed out" in lines["prod-east"]
    assert "succeeded" in lines["staging"] and "succeeded" in lines["prod-west"]
    assert sandbox_fleet["staging"].deployed_sha(app) == head_sha(demo_repo)
    assert sandbox_fleet["prod-west"].deployed_sha(app) == head_sha(demo_repo)
    assert sandbox_fleet["prod-east"].deployed_sha(app) is None


def test_a_build_silent_for_longer_than_build_silence_fails_that_stack_only(
    shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any, demo_repo: Path
) -> None:
    fleet, app = shop
    set_timeouts(fleet, build_silence=2)
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=8_000)  # quiet for 8 s per line

    started = time.monotonic()
    result = shop_cli("deploy", app, "--wait")
    assert time.monotonic() - started < 20
    assert result.status == 1 and "Traceback" not in result.out + result.err
    lines = summary(result.out)
    assert "failed" in lines["staging"]
    assert "the build timed out: it printed nothing for 2 s (timeouts.build_silence" in lines["staging"]
    assert "succeeded" in lines["prod-east"] and "succeeded" in lines["prod-west"]
    assert sandbox_fleet["staging"].deployed_sha(app) is None
    assert sandbox_fleet["prod-east"].deployed_sha(app) == head_sha(demo_repo)
