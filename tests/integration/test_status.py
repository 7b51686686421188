"""``ownstack-tui status``: every stack's health side by side, against sandbox stacks over real
SSH (and one behind a real sshd). The done-when of issue 13."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import Cli, Result
from tests.sandbox.helpers import commit

SECRET = "s3cr3t-value-for-status-only"


def write_fleet(path: Path, stacks: list[Any], app: str, repo: Path) -> Path:
    fleet_file = FleetFile.load_or_new(path)
    for stack in stacks:
        fleet_file.add_stack(stack.name, stack.host, stack.port, stack.user, str(stack.client_key_path))
        stack.write_known_hosts(paths.known_hosts_path())
    fleet_file.add_app(app, str(repo), "main", False, [s.name for s in stacks])
    fleet_file.set_config(app, None, {"LOG_LEVEL": "info", "API_SECRET": SECRET})
    fleet_file.save()
    return path


@pytest.fixture
def stacks(sandbox_fleet: Any, clean_faults: None) -> Iterator[list[Any]]:
    """The three sandbox stacks, faults and host facts reset after the test."""
    chosen = [sandbox_fleet["staging"], sandbox_fleet["prod-east"], sandbox_fleet["prod-west"]]
    yield chosen
    for stack in chosen:
        stack.set_certificate(None)
        stack.set_plugin("letsencrypt", False)


def deployed(cli: Cli, app: str, stacks: list[Any]) -> None:
    done = cli("deploy", app, "--wait")
    assert done.status == 0, done.out + done.err
    for stack in stacks:
        assert stack.dokku_sync("ps:scale", app, "worker=1").ok


def three_problems(cli: Cli, app: str, repo: Path, behind: Any, expiring: Any, crashing: Any) -> None:
    """Deploy, then a new commit everywhere but ``behind``; faults on the two others."""
    deployed(cli, app, [behind, expiring, crashing])
    commit(repo, "second commit", {"app.py": "print('v2')\n"})
    done = cli("deploy", app, "--stack", expiring.name, "--stack", crashing.name, "--wait")
    assert done.status == 0, done.out + done.err
    expiring.set_fault(cert_expiring=True)
    crashing.set_fault(crashed="worker")


def problem_lines(result: Result) -> list[str]:
    lines = result.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("problem(s):"))
    return [" ".join(line.split()) for line in lines[start + 1 :]]


def flagged_cells(result: Result) -> list[tuple[str, str]]:
    """(stack, cell text) of every cell marked as an outlier in the table."""
    found = []
    for line in result.out.splitlines()[2:]:
        if line.endswith("problem(s):") or line.startswith("No problems"):
            break
        for cell in line.split("  "):
            if cell.strip().endswith(" !"):
                found.append((line.split()[0], cell.strip()))
    return found


def test_status_prints_exactly_the_three_problems_each_flagged(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    staging, prod_east, prod_west = stacks
    cli = Cli(write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo), capsys)
    three_problems(cli, unique_app, demo_repo, behind=prod_west, expiring=staging, crashing=prod_east)

    result = cli("status", "--app", unique_app)

    assert result.status == 1, result.out + result.err
    assert problem_lines(result) == [
        "staging warning TLS certificate for "
        f"{unique_app}.staging.sandbox.test expires in 6 day(s)",
        "prod-east critical worker crashed (0/1 running)",
        f"prod-west warning deployed {prod_west.deployed_sha(unique_app)[:7]} is 1 commit behind main",
    ]
    assert flagged_cells(result) == [
        ("staging", "6 d !"),
        ("prod-east", "web 1/1 worker 0/1 crashed !"),
        ("prod-west", f"{prod_west.deployed_sha(unique_app)[:7]} 1 behind !"),
    ]
    assert result.out.count("!") == 3

    as_json = cli("status", "--app", unique_app, "--json")
    assert as_json.status == 1
    outliers = [
        (row["stack"], column)
        for row in as_json.json()["stacks"]
        for column, cell in row["columns"].items()
        if cell["outlier"]
    ]
    assert outliers == [("staging", "tls"), ("prod-east", "processes"), ("prod-west", "deployed")]
    everything = result.out + result.err + as_json.out + as_json.err + caplog.text
    assert SECRET not in everything
    for path in paths.data_dir().rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path


def test_a_healthy_fleet_at_the_tip_prints_a_clean_table_and_exits_zero(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo), capsys)
    deployed(cli, unique_app, stacks)

    result = cli("status", "--app", unique_app)

    assert result.status == 0, result.out + result.err
    assert "!" not in result.out
    assert result.out.splitlines()[-1] == "No problems on 3 stack(s)."
    rows = result.out.splitlines()[2:5]
    assert [row.split()[:3] for row in rows] == [
        [name, "ok", prod_sha[:7]] for name, prod_sha in
        ((s.name, s.deployed_sha(unique_app)) for s in stacks)
    ]
    assert all("= tip" in row and "web 1/1 worker 1/1" in row for row in rows)


def test_only_the_named_stacks_are_read_and_an_unreachable_one_exits_one(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo), capsys)
    deployed(cli, unique_app, stacks)
    stacks[2].set_fault(port_closed=True)

    result = cli("status", "--app", unique_app, "--stack", "staging", "--stack", "prod-west", "--json")

    assert result.status == 1
    rows = {row["stack"]: row for row in result.json()["stacks"]}
    assert list(rows) == ["staging", "prod-west"]
    assert rows["prod-west"]["reachable"] is False and rows["prod-west"]["severity"] == "critical"
    assert rows["staging"]["severity"] == "ok"


def test_bad_stack_name_is_one_line_and_exit_two(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo), capsys)
    result = cli("status", "--app", unique_app, "--stack", "nowhere")
    assert result.status == 2 and result.out == ""
    assert len(result.err.splitlines()) == 1 and "nowhere" in result.err


@pytest.mark.sshd
def test_status_against_a_stack_behind_the_real_sshd(
    stacks: list[Any], sshd_stack: Any, tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    staging, prod_east, _ = stacks
    chosen = [staging, prod_east, sshd_stack]
    cli = Cli(write_fleet(tmp_path / "fleet.toml", chosen, unique_app, demo_repo), capsys)
    three_problems(cli, unique_app, demo_repo, behind=prod_east, expiring=staging, crashing=sshd_stack)

    result = cli("status", "--app", unique_app)

    assert result.status == 1, result.out + result.err
    assert problem_lines(result) == [
        f"staging warning TLS certificate for {unique_app}.staging.sandbox.test expires in 6 day(s)",
        f"prod-east warning deployed {prod_east.deployed_sha(unique_app)[:7]} is 1 commit behind main",
        "sshd-stack critical worker crashed (0/1 running)",
    ]
    assert [stack for stack, _ in flagged_cells(result)] == ["staging", "prod-east", "sshd-stack"]


def test_the_lock_column_names_the_rollouts_owner_and_dokkus_lock_as_owner_unknown(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json
    import time

    staging, prod_east, _prod_west = stacks
    cli = Cli(write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo), capsys)
    deployed(cli, unique_app, stacks)
    token = "lock-token-never-shown"
    record = {"owner": "alice@laptop", "command": "deploy", "since": time.time(), "token": token}
    assert staging.dokku_sync("config:set", "--no-restart", unique_app,
                              f"OWNSTACK_DEPLOY_LOCK={json.dumps(record)}").ok
    assert prod_east.dokku_sync("apps:lock", unique_app).ok
    try:
        result = cli("status", "--app", unique_app)
        as_json = cli("status", "--app", unique_app, "--json")
    finally:
        assert prod_east.dokku_sync("apps:unlock", unique_app).ok
    assert result.status == 0, result.out + result.err  # a lock is a warning, not a failure
    assert "LOCK" in result.out.splitlines()[1]
    rows = {line.split()[0]: line for line in result.out.splitlines()[2:5]}
    assert "locked by alice@laptop" in rows["staging"]
    assert "locked (owner unknown)" in rows["prod-east"]
    assert "locked" not in rows["prod-west"]
    assert "staging warning deploy lock held by alice@laptop" in " ".join(problem_lines(result))
    locks = {row["stack"]: row["columns"]["lock"]["value"] for row in as_json.json()["stacks"]}
    assert locks == {
        "staging": {"locked": True, "owner": "alice@laptop", "dokku_lock": False},
        "prod-east": {"locked": True, "owner": None, "dokku_lock": True},
        "prod-west": {"locked": False, "owner": None, "dokku_lock": False},
    }
    everything = result.out + result.err + as_json.out + as_json.err
    assert token not in everything and "OWNSTACK_DEPLOY_LOCK" not in everything


def test_tls_thresholds_from_the_fleet_file_decide_warning_and_critical(
    stacks: list[Any], tmp_path: Path, demo_repo: Path, unique_app: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_fleet(tmp_path / "fleet.toml", stacks, unique_app, demo_repo)
    cli = Cli(path, capsys)
    deployed(cli, unique_app, stacks)
    stacks[0].set_fault(cert_expiring=True)  # 6 days left on staging
    default = cli("status", "--app", unique_app, "--json")
    assert default.status == 0
    assert default.json()["stacks"][0]["columns"]["tls"]["severity"] == "warning"

    text = path.read_text()
    path.write_text(text + "\n[health]\ntls_warning_days = 30\ntls_critical_days = 7\n")
    strict = cli("status", "--app", unique_app, "--json")
    assert strict.status == 1
    assert strict.json()["stacks"][0]["columns"]["tls"]["severity"] == "critical"

    path.write_text(text + "\n[health]\ntls_warning_days = 5\ntls_critical_days = 1\n")
    lenient = cli("status", "--app", unique_app)
    assert lenient.status == 0
    assert lenient.out.splitlines()[-1] == "No problems on 3 stack(s)."
