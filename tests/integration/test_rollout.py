"""Staged rollouts against sandbox stacks over real SSH: waves, gates, halt, rollback.

Every rule is checked on what the stand-ins recorded (deployed SHA, whether the app exists),
on the command's output and exit status, and on history.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.integration.conftest import write_sandbox_fleet

WAVES = '[["staging"], ["prod-east"], ["prod-west"]]'


def commit(repo: Path, text: str) -> str:
    (repo / "app.py").write_text(f"print({text!r})\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", text], check=True)
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def with_rollout(fleet: Path, app: str, table: str, health_path: str | None = None) -> None:
    """Append ``[apps.APP.rollout]`` (and the app's health_path) to the fleet file."""
    text = fleet.read_text()
    if health_path:
        text = text.replace(f"[apps.{app}]\n", f'[apps.{app}]\nhealth_path = "{health_path}"\n')
    fleet.write_text(text + f"\n[apps.{app}.rollout]\n{table}\n")


@pytest.fixture
def rollout_shop(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None
) -> tuple[Path, str]:
    """(fleet file, app): an app without services on staging, prod-east and prod-west."""
    fleet = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo, False)
    return fleet, unique_app


@pytest.fixture
def cli(rollout_shop: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(rollout_shop[0], capsys)


def test_a_failed_wave_halts_and_later_waves_get_no_push_at_all(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    fleet, app = rollout_shop
    with_rollout(fleet, app, f'waves = {WAVES}\ngate = "none"')
    sha = commit(demo_repo, "v2")
    sandbox_fleet["prod-east"].set_fault(build_fail=True)

    result = cli("deploy", app)

    assert result.status == 1, result.out + result.err
    assert "Rolling out app" in result.out and "in 3 waves (gate: none, on failure: halt)" in result.out
    assert "Wave 2 failed: failed on prod-east" in result.out
    assert "Wave 3 of 3" not in result.out
    assert re.search(r"^↷ prod-west\s+skipped\s+job \d+\s+0\.0s\s+wave 2 failed$", result.out, re.M)
    assert result.out.rstrip().endswith("Rollout failed: wave 2 failed")
    assert sandbox_fleet["staging"].deployed_sha(app) == sha
    assert sandbox_fleet["prod-east"].deployed_sha(app) is None
    # Not a push, not even the app: prod-west was never contacted for this app.
    assert not sandbox_fleet["prod-west"].state.app_exists(app)

    history = cli("history", "--app", app, "--json").json()
    assert {(h["stack"], h["status"]) for h in history} == {
        ("staging", "succeeded"), ("prod-east", "failed"), ("prod-west", "skipped"),
    }
    # The three waves were one run: `history --failed` counts all three of its stacks.
    failed = cli("history", "--app", app, "--failed").out.splitlines()
    assert failed[0].endswith(": 1 of 3 failed") and failed[2].startswith("  ✗ 1 stack: ")


def test_json_lists_waves_each_stacks_status_sha_and_skipped(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    _, app = rollout_shop
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    result = cli("deploy", app, "--wave", "staging", "--wave", "prod-west", "--wave", "prod-east",
                 "--gate", "none", "--json")
    assert result.status == 1
    report = result.json()
    assert report["state"] == "failed"
    assert [(w["number"], w["state"]) for w in report["waves"]] == [
        (1, "passed"), (2, "failed"), (3, "skipped"),
    ]
    stacks = {s["stack"]: s for w in report["waves"] for s in w["stacks"]}
    assert stacks["staging"]["status"] == "succeeded"
    assert stacks["staging"]["sha"] == sandbox_fleet["staging"].deployed_sha(app)
    assert stacks["prod-west"]["status"] == "failed"
    assert stacks["prod-east"]["status"] == "skipped" and stacks["prod-east"]["sha"] is None
    assert report["rollbacks"] == []


def test_rollback_returns_every_moved_stack_to_its_previous_sha_most_recent_wave_first(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    fleet, app = rollout_shop
    assert cli("deploy", app).status == 0  # v1 everywhere, all at once (no rollout yet)
    v1 = sandbox_fleet["staging"].deployed_sha(app)
    v2 = commit(demo_repo, "v2")
    with_rollout(fleet, app, f'waves = {WAVES}\ngate = "none"\non_failure = "rollback"')
    sandbox_fleet["prod-west"].set_fault(build_fail=True)

    result = cli("deploy", app, "--json")

    assert result.status == 1
    report = result.json()
    assert report["state"] == "rolled back"
    for name in ("staging", "prod-east", "prod-west"):
        assert sandbox_fleet[name].deployed_sha(app) == v1, name
    stacks = {s["stack"]: s for w in report["waves"] for s in w["stacks"]}
    assert stacks["staging"]["sha"] == v2 and stacks["staging"]["phase"] == "rolled back"
    assert stacks["prod-west"]["rollback"] is None  # its build failed: dokku kept v1
    rollbacks = report["rollbacks"]
    assert [job["stack"] for job in rollbacks] == ["prod-east", "staging"]  # wave 2 went back first
    by_stack = {job["stack"]: job for job in rollbacks}
    assert by_stack["staging"]["rollback_of"] == stacks["staging"]["job"]
    assert all(job["status"] == "succeeded" and job["sha"] == v1 for job in rollbacks)
    history = {h["id"]: h for h in cli("history", "--app", app, "--json").json()}
    assert history[by_stack["staging"]["id"]]["rollback_of"] == stacks["staging"]["job"]


def test_a_manual_gate_without_a_terminal_or_yes_refuses_before_touching_any_stack(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = rollout_shop
    with_rollout(fleet, app, f'waves = {WAVES}\ngate = "manual"')
    result = cli("deploy", app)
    assert result.status == 2
    assert result.err.count("\n") == 1 and "pass --yes" in result.err and "console" in result.err
    assert result.out == ""
    assert not any(stack.state.app_exists(app) for stack in sandbox_fleet)


def test_yes_promotes_past_every_manual_gate(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = rollout_shop
    with_rollout(fleet, app, f'waves = {WAVES}\ngate = "manual"')
    result = cli("deploy", app, "--yes", "--soak", "1s")
    assert result.status == 0, result.out + result.err
    assert "Wave 1 soaking: soaking 1s" in result.out and "Wave 2 soaking: soaking 1s" in result.out
    assert "Wave 3 soaking" not in result.out  # nothing to wait for after the last wave
    assert "wave 1 passed; promote to wave 2? yes (--yes)" in result.out
    assert "wave 2 passed; promote to wave 3? yes (--yes)" in result.out
    assert all(stack.deployed_sha(app) for stack in sandbox_fleet)


def test_waves_that_miss_a_stack_or_name_one_twice_are_refused(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = rollout_shop
    missing = cli("deploy", app, "--wave", "staging", "--wave", "prod-east")
    assert missing.status == 2 and "not in any wave: prod-west" in missing.err
    twice = cli("deploy", app, "--wave", "staging,prod-east", "--wave", "prod-east,prod-west")
    assert twice.status == 2 and "more than once: prod-east" in twice.err
    unknown = cli("deploy", app, "--wave", "staging,prod-east,prod-west", "--wave", "nowhere")
    assert unknown.status == 2 and "--wave nowhere: unknown stack 'nowhere'" in unknown.err
    assert not any(stack.state.app_exists(app) for stack in sandbox_fleet)


def test_the_health_gate_fails_a_wave_whose_processes_exit(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = rollout_shop
    # Its containers have exited: the timeout only bounds the wait, so keep it short.
    with_rollout(fleet, app, f'waves = {WAVES}\nhealth_timeout = "1s"')
    sandbox_fleet["prod-east"].set_fault(unhealthy=True)
    result = cli("deploy", app)
    assert result.status == 1, result.out + result.err
    assert "staging   | healthy" in result.out
    assert re.search(r"prod-east \| unhealthy: not healthy within 1s: web: 0 of 1 running \(exited\)",
                     result.out)
    assert not sandbox_fleet["prod-west"].state.app_exists(app)


def test_the_health_gate_checks_the_health_path_over_http(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = rollout_shop
    with_rollout(fleet, app, 'waves = [["staging"], ["prod-east", "prod-west"]]\nhealth_timeout = "1s"',
                 health_path="/healthz")
    sandbox_fleet["staging"].set_fault(unhealthy=True)
    result = cli("deploy", app, "--json")
    assert result.status == 1
    staging = result.json()["waves"][0]["stacks"][0]
    assert staging["phase"] == "unhealthy"
    assert "web: 0 of 1 running" in staging["health"]


def test_the_health_gate_waits_for_a_slow_stack_within_the_timeout(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = rollout_shop
    with_rollout(fleet, app, f'waves = {WAVES}\nhealth_timeout = "30s"', health_path="/healthz")
    sandbox_fleet["prod-east"].set_fault(slow_health=3)
    result = cli("deploy", app, "--json")
    assert result.status == 0, result.out + result.err
    report = result.json()
    assert [w["state"] for w in report["waves"]] == ["passed", "passed", "passed"]
    assert all(stack.deployed_sha(app) for stack in sandbox_fleet)


def test_a_job_past_twice_its_usual_duration_is_marked_slow(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    _, app = rollout_shop
    for version in ("v1", "v2"):
        commit(demo_repo, version)
        assert cli("deploy", app, "--stack", "staging").status == 0
    commit(demo_repo, "v3")
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=150)
    result = cli("deploy", app, "--stack", "staging", "--wait")
    assert result.status == 0
    assert re.search(r"^staging \| \[building\] \d+\.\ds · ETA \d+\.\ds$", result.out, re.M)
    assert re.search(r"^staging \| slow: \d+\.\ds · slow \(usually \d+\.\ds\)$", result.out, re.M)
    job = cli("history", "--app", app, "--json").json()[0]
    report = cli("history", "--app", app, "--job", str(job["id"]), "--timestamps")
    offsets = [float(line.split("s", 1)[0].lstrip("+")) for line in report.out.splitlines()]
    assert offsets == sorted(offsets) and offsets[-1] - offsets[0] > 1.0
    assert "Application deployed" in report.out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--wave", "staging,prod-east,prod-west", "--soak", "soon"), "invalid soak 'soon'"),
        (("--lock-wait", "forever"), "invalid --lock-wait 'forever'"),
        (("--wave", "staging", "--stack", "staging"), "--wave cannot be combined with --stack"),
        (("--wave", "staging,,prod-east"), "part 2 of staging,,prod-east is empty"),
    ],
)
def test_bad_rollout_options_are_one_line_and_touch_nothing(
    cli: Cli, rollout_shop: tuple[Path, str], sandbox_fleet: Any, options: tuple[str, ...], message: str
) -> None:
    _, app = rollout_shop
    result = cli("deploy", app, *options)
    assert result.status == 2
    assert result.err.count("\n") == 1 and message in result.err, result.err
    assert not any(stack.state.app_exists(app) for stack in sandbox_fleet)


def test_on_a_terminal_the_manual_gate_asks_and_no_halts(
    rollout_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    import os
    import pty
    import select
    import sys

    fleet, app = rollout_shop
    with_rollout(fleet, app, 'waves = [["staging"], ["prod-east", "prod-west"]]\ngate = "manual"')
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "deploy", app],
        stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    os.close(terminal)
    seen = b""
    try:
        assert process.stdout is not None
        while b"promote to wave 2? [y/N] " not in seen:
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, seen.decode()
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, seen.decode()
            seen += chunk
        assert sandbox_fleet["staging"].deployed_sha(app)
        os.write(controller, b"n\n")
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(controller)
        process.kill()
        process.wait()
    assert process.returncode == 1
    assert "Rollout halted: halted after wave 1" in (seen + out).decode()
    assert not sandbox_fleet["prod-east"].state.app_exists(app)
