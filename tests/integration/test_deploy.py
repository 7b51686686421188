"""Deploys against sandbox stacks over real SSH: one job per stack, in parallel, failures isolated."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from tests.cli.helpers import Cli


def head_sha(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def started_lines(lines: list[str]) -> set[str]:
    """The "Deploy started" lines, each checked to come before its stack's first log line."""
    found = set()
    for index, line in enumerate(lines):
        if line.startswith("✓ Deploy started on "):
            stack = line.split()[4]
            log_line = re.compile(rf"^{re.escape(stack)} *\| (?!\[)")  # not a [status] line
            assert not any(log_line.match(earlier) for earlier in lines[:index]), line
            found.add(re.sub(r"\(job \d+\)", "(job N)", line))
    return found


def test_a_failed_stack_does_not_stop_the_others_and_can_be_redeployed_alone(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    _, app = shop
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    result = shop_cli("deploy", app, "--wait")
    assert result.status == 1
    lines = result.out.splitlines()
    assert lines[0] == f"Triggering deploy for app {app}…"
    assert started_lines(lines) == {
        "✓ Deploy started on staging (job N)",
        "✓ Deploy started on prod-east (job N)",
        "✓ Deploy started on prod-west (job N)",
    }
    assert any(line.startswith("staging   | ") and "Application deployed" in line for line in lines)
    assert not any(line.startswith("prod-west | ") and "Application deployed" in line for line in lines)
    summary = lines[-3:]
    sha = head_sha(demo_repo)
    assert summary[0].startswith("✓ staging") and f"deployed {sha[:7]}" in summary[0]
    assert summary[1].startswith("✓ prod-east") and f"deployed {sha[:7]}" in summary[1]
    assert summary[2].startswith("✗ prod-west") and "failed" in summary[2]
    assert sandbox_fleet["staging"].deployed_sha(app) == sha
    assert sandbox_fleet["prod-west"].deployed_sha(app) is None

    info = shop_cli("app", "info", app)
    assert info.status == 0
    assert f"  Stack:   staging — deployed {sha[:7]}" in info.out
    assert "  Stack:   prod-west — not deployed" in info.out

    sandbox_fleet["prod-west"].clear_faults()
    again = shop_cli("deploy", app, "--stack", "prod-west", "--wait")
    assert again.status == 0, again.out + again.err
    assert "Deploy started on prod-west" in again.out and "staging" not in again.out
    assert sandbox_fleet["prod-west"].deployed_sha(app) == sha


def test_the_first_deploy_creates_the_app_and_its_postgres(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    result = shop_cli("deploy", app, "--stack", "staging", "--wait")
    assert result.status == 0, result.out + result.err
    assert f"Created app {app}" in result.out
    assert f"Created postgres service postgres-{app}" in result.out
    staging = sandbox_fleet["staging"]
    assert staging.dokku_sync("postgres:exists", f"postgres-{app}").exit_status == 0
    database_url = staging.dokku_sync("config:get", app, "DATABASE_URL")
    assert database_url.exit_status == 0 and database_url.stdout.startswith("postgres://")


def test_history_records_every_job_with_its_status_and_log(shop_cli: Cli, shop: tuple[Path, str]) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    history = shop_cli("history", "--app", app, "--json").json()
    assert [(h["stack"], h["status"]) for h in history] == [("staging", "succeeded")]
    job = shop_cli("history", "--app", app, "--job", str(history[0]["id"]))
    assert "Application deployed" in job.out


def test_removing_a_target_leaves_that_stack_untouched(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    assert shop_cli("app", "stacks:remove", app, "prod-west").status == 0
    result = shop_cli("deploy", app, "--wait")
    assert result.status == 0
    assert "prod-west" not in result.out
    assert sandbox_fleet["prod-west"].dokku_sync("apps:exists", app).exit_status == 20


def test_logs_of_several_stacks_are_prefixed_and_plain_when_piped(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--stack", "prod-east", "--wait").status == 0
    result = shop_cli("logs", "--app", app, "--stack", "staging", "--stack", "prod-east", "--tail", "5")
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert {line.split(" | ")[0].strip() for line in lines} == {"staging", "prod-east"}
    assert "\x1b[" not in result.out
    assert all(re.search(r"\d{4}-\d\d-\d\dT\S+Z app\[\w+\.\d+\]: ", line) for line in lines)


def test_stacks_lists_reachability_with_each_dokku_version(
    shop_cli: Cli, sandbox_fleet: Any
) -> None:
    sandbox_fleet["prod-west"].set_fault(port_closed=True)
    rows = shop_cli("stacks", "--json").json()
    assert [(r["name"], r["reachable"]) for r in rows] == [
        ("staging", True), ("prod-east", True), ("prod-west", False),
    ]
    assert rows[0]["dokku_version"] == "0.38.27"
    assert "refused" in rows[2]["error"]
    text = shop_cli("stacks").out
    assert "ok (dokku 0.38.27)" in text and "✗ stack prod-west" in text
