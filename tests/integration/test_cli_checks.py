"""Checks the plain commands make against sandbox stacks: up front when they can be, and
what a deploy says about each stack (started only once it has, and where its log is)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import Cli


def test_a_stack_given_twice_gets_one_job(shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any) -> None:
    _, app = shop
    result = shop_cli("deploy", app, "--stack", "staging", "--stack", "staging", "--wait", "--json")
    assert result.status == 0, result.err
    assert [job["stack"] for job in result.json()["jobs"]] == ["staging"]
    history = shop_cli("history", "--app", app, "--json").json()
    assert [entry["stack"] for entry in history] == ["staging"]


def test_an_unknown_ref_is_refused_before_any_stack_is_contacted(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = shop
    before = fleet.read_bytes()
    result = shop_cli("deploy", app, "--ref", "no-such-branch", "--wait")
    assert result.status == 2
    assert result.err.startswith("ownstack-tui: --ref no-such-branch: no such branch, tag or commit in ")
    assert result.out == ""
    assert fleet.read_bytes() == before
    assert all(stack.dokku_sync("apps:exists", app).exit_status == 20 for stack in sandbox_fleet)


def test_an_unknown_process_type_is_bad_input_and_scales_nothing(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    before = shop_cli("ps:scale", "--app", app, "--stack", "staging", "--json").json()["scale"]
    result = shop_cli("ps:scale", "--app", app, "--stack", "staging", "web=2", "nosuch=1")
    assert result.status == 2
    assert result.err == (
        f"ownstack-tui: {app} on staging has no process type 'nosuch'; its process types: web, worker\n"
    )
    assert shop_cli("ps:scale", "--app", app, "--stack", "staging", "--json").json()["scale"] == before


def test_deploy_says_started_only_for_stacks_reached_and_points_a_failure_to_its_log(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    sandbox_fleet["prod-east"].set_fault(port_closed=True)
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    result = shop_cli("deploy", app)
    assert result.status == 1
    started = re.findall(r"^✓ Deploy started on (\S+) \(job \d+\)$", result.out, re.M)
    assert sorted(started) == ["prod-west", "staging"]
    jobs = {entry["stack"]: entry["id"] for entry in shop_cli("history", "--app", app, "--json").json()}
    summary = {line.split()[1]: line for line in result.out.splitlines() if line.startswith(("✓ ", "✗ "))}
    for stack in ("prod-east", "prod-west"):
        assert summary[stack].startswith(f"✗ {stack}")
        assert summary[stack].endswith(f"(full log: ownstack-tui history --app {app} --job {jobs[stack]})")
    assert "full log" not in summary["staging"]
    log = shop_cli("history", "--app", app, "--job", str(jobs["prod-west"]))
    assert log.status == 0 and log.out.strip()


def test_a_passphrase_protected_identity_is_pointed_to_ssh_agent(
    shop_cli: Cli, shop: tuple[Path, str], tmp_path: Path
) -> None:
    fleet, app = shop
    key = tmp_path / "locked_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "correct horse", "-f", str(key)], check=True
    )
    fleet_file = FleetFile.load(fleet)
    fleet_file.document["stacks"]["staging"]["identity"] = str(key)
    fleet_file.save()
    result = shop_cli("app", "info", app)
    assert result.status == 1
    (line,) = [line for line in result.out.splitlines() if "staging" in line]
    assert f"is passphrase-protected: load it with 'ssh-add {key}'" in line
