"""Each way a stack can fail stays with that stack's job; the others finish."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.engine.history import History
from ownstack_tui.model.deploy import DeployStatus
from tests.cli.helpers import Cli, interrupt_while_building


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"port_closed": True}, "connection refused"),
        ({"auth_refused": True}, "refused our ssh keys"),
        ({"host_key_changed": True}, "host key"),
    ],
)
def test_an_unreachable_or_untrusted_stack_fails_only_its_own_job(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any, fault: dict[str, bool], message: str
) -> None:
    _, app = shop
    sandbox_fleet["prod-east"].set_fault(**fault)
    started = time.monotonic()
    result = shop_cli("deploy", app, "--wait")
    assert time.monotonic() - started < 30  # bounded: nothing waits for a dead stack
    assert result.status == 1
    summary = dict(line.split(None, 2)[1:] for line in result.out.splitlines()[-3:])
    assert summary["staging"].startswith("succeeded") and summary["prod-west"].startswith("succeeded")
    assert summary["prod-east"].startswith("failed")
    assert message in summary["prod-east"].lower()
    assert "Traceback" not in result.out + result.err


def test_a_changed_host_key_is_refused_with_its_fingerprint(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["staging"].set_fault(host_key_changed=True)
    result = shop_cli("deploy", app, "--stack", "staging", "--wait")
    assert result.status == 1
    assert "SHA256:" in result.out


def test_an_unknown_host_key_is_refused_unless_accepted_explicitly(
    shop_cli: Cli, shop: tuple[Path, str]
) -> None:
    _, app = shop
    paths.known_hosts_path().unlink()
    refused = shop_cli("app", "info", app)
    assert refused.status == 1
    assert "--accept-new-host-key" in refused.out or "unknown" in refused.out.lower()
    accepted = shop_cli("app", "info", app, "--accept-new-host-key")
    assert accepted.status == 0, accepted.out
    assert paths.known_hosts_path().read_text().count("\n") == 3
    assert shop_cli("app", "info", app).status == 0


def test_a_connection_dropped_mid_build_fails_that_job_and_a_follow_up_deploy_works(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["prod-west"].set_fault(drop_after_lines=5)
    result = shop_cli("deploy", app, "--wait")
    assert result.status == 1
    (west,) = [line for line in result.out.splitlines()[-3:] if "prod-west" in line]
    assert "failed" in west and ("connection" in west.lower() or "lost" in west.lower())
    sandbox_fleet["prod-west"].clear_faults()
    again = shop_cli("deploy", app, "--stack", "prod-west", "--wait")
    assert again.status == 0, again.out


def test_a_stuck_deploy_lock_says_how_to_clear_it(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["staging"].set_fault(deploy_locked=True)
    result = shop_cli("deploy", app, "--stack", "staging", "--wait")
    assert result.status == 1
    assert "deploy lock" in result.out
    assert f"apps:unlock {app}" in result.out


def test_ctrl_c_during_deploy_wait_cancels_cleanly(
    shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = shop
    for stack in sandbox_fleet:
        stack.set_fault(build_line_delay_ms=60_000)
    status, out, err = interrupt_while_building(["--fleet", str(fleet), "deploy", app, "--wait"], app, 3)
    assert status == 130
    assert "Traceback" not in out + err
    assert [line.split()[2] for line in out.splitlines()[-3:]] == ["cancelled"] * 3
    assert {entry.status for entry in History().entries(app=app)} == {DeployStatus.CANCELLED}
