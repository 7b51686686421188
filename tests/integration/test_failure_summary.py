"""A deploy that fails on several stacks ends with its failures grouped by cause, and
`history --failed` groups the last run the same way; the transient ones can be re-deployed
with the command it prints."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from tests.cli.helpers import Cli


def test_deploy_wait_ends_with_failures_grouped_by_cause(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["prod-east"].set_fault(port_closed=True)
    sandbox_fleet["prod-west"].set_fault(port_closed=True)
    sandbox_fleet["staging"].set_fault(build_fail=True)

    result = shop_cli("deploy", app, "--wait")

    assert result.status == 1
    summary = result.out[result.out.index("Failures by cause:"):].splitlines()
    # The two refused stacks are one transient cause, their addresses masked; the build is another.
    assert summary[1] == "  ⟳ 2 stacks: connection refused by HOST (transient)"
    assert summary[2].split() == ["prod-east,", "prod-west"]
    assert summary[3].startswith("  ✗ 1 stack: ")
    assert summary[4].split() == ["staging"]
    redeploy = f"ownstack-tui deploy {app} --stack prod-east,prod-west"
    assert summary[5] == f"Re-deploy the transient ones: {redeploy}"
    assert "Traceback" not in result.out + result.err

    history = shop_cli("history", "--app", app, "--failed")
    assert history.status == 0
    lines = history.out.splitlines()
    assert lines[0].startswith(f"Last run of {app} (jobs ") and lines[0].endswith(": 3 of 3 failed")
    assert lines[1:] == summary

    grouped = json.loads(shop_cli("--json", "history", "--app", app, "--failed").out)
    assert [(g["stacks"], g["transient"]) for g in grouped["failure_groups"]] == [
        (["prod-east", "prod-west"], True), (["staging"], False),
    ]
    example = grouped["failure_groups"][0]["example"]  # one stack's own line, unmasked
    assert example.startswith("stack prod-east: connection refused by dokku@127.0.0.1:")

    # The printed command re-deploys exactly the transient ones; that run is now the last.
    sandbox_fleet["prod-east"].clear_faults()
    sandbox_fleet["prod-west"].clear_faults()
    command = shlex.split(summary[5].split(": ", 1)[1])[1:]
    again = shop_cli(*command, "--wait")
    assert again.status == 0, again.out
    assert "Failures by cause" not in again.out
    last = shop_cli("history", "--app", app, "--failed").out.splitlines()
    assert last == [last[0]] and last[0].endswith(": 0 of 2 failed")


def test_one_failed_stack_needs_no_grouping(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["prod-east"].set_fault(port_closed=True)
    result = shop_cli("deploy", app, "--wait")
    assert result.status == 1
    assert "Failures by cause" not in result.out  # its summary line says it all
    history = shop_cli("history", "--app", app, "--failed").out.splitlines()
    assert history[1:] == [
        "Failures by cause:",
        "  ⟳ 1 stack: connection refused by HOST (transient)",
        "      prod-east",
        f"Re-deploy the transient ones: ownstack-tui deploy {app} --stack prod-east",
    ]


def test_history_failed_before_any_deploy(shop_cli: Cli, shop: tuple[Path, str]) -> None:
    _, app = shop
    result = shop_cli("history", "--app", app, "--failed")
    assert result.status == 0
    assert result.out == f"No deploys of {app} yet\n"
