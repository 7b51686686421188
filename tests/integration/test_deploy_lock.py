"""The deploy lock with an owner: two processes on the same app, waiting, breaking, cancelling."""

from __future__ import annotations

import getpass
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.integration.conftest import write_sandbox_fleet

LOCK_KEY = "OWNSTACK_DEPLOY_LOCK"


@pytest.fixture
def locked_shop(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None
) -> tuple[Path, str]:
    fleet = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo, False)
    return fleet, unique_app


@pytest.fixture
def cli(locked_shop: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(locked_shop[0], capsys)


def lock_on(stack: Any, app: str) -> dict[str, Any] | None:
    if not stack.state.app_exists(app):
        return None
    value = stack.state.read_env(app).get(LOCK_KEY)
    return json.loads(value) if value else None


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def deploy_in_another_process(fleet: Path, app: str, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "deploy", app, *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_a_second_deploy_on_a_held_stack_fails_there_naming_the_owner_then_lock_wait_succeeds(
    cli: Cli, locked_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = locked_shop
    staging = sandbox_fleet["staging"]
    staging.set_fault(build_line_delay_ms=60)
    first = deploy_in_another_process(fleet, app, "--stack", "staging", "--reason", "hotfix 12")
    try:
        wait_until(lambda: lock_on(staging, app) is not None)
        holder = lock_on(staging, app)
        assert holder is not None and holder["owner"] == f"{getpass.getuser()}@{socket.gethostname()}"
        info = cli("app", "info", app)
        assert f"Stack:   staging — not deployed · rollout by {holder['owner']} since" in info.out

        refused = cli("deploy", app, "--stack", "staging")
        since = time.strftime("%H:%M", time.localtime(holder["since"]))
        assert refused.status == 1
        assert (
            f"✗ staging: rollout by {holder['owner']} since {since} "
            f"(deploy {app}; reason: hotfix 12): wait, or --lock-wait 15m"
        ) in refused.out
        # The record is the rollout's, not the app's: config never shows it.
        assert LOCK_KEY not in cli("config", "--app", app, "--stack", "staging").out

        waited = cli("deploy", app, "--stack", "staging", "--lock-wait", "60s")
        assert waited.status == 0, waited.out + waited.err
        assert "staging | waiting for the lock: staging: rollout by" in waited.out
        assert first.wait(timeout=60) == 0
    finally:
        first.kill()
        first.wait()
    assert lock_on(staging, app) is None


def test_cancel_releases_every_lock_and_records_honest_statuses(
    cli: Cli, locked_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = locked_shop
    for stack in sandbox_fleet:
        stack.set_fault(build_line_delay_ms=200)
    running = deploy_in_another_process(fleet, app, "--wave", "staging,prod-east", "--wave", "prod-west")
    try:
        wait_until(lambda: all(lock_on(sandbox_fleet[n], app) for n in ("staging", "prod-east")))
        wait_until(lambda: any(
            h["status"] == "building" for h in cli("history", "--app", app, "--json").json()
        ))
        running.send_signal(signal.SIGINT)
        assert running.wait(timeout=60) == 130
    finally:
        running.kill()
        running.wait()
    assert all(lock_on(stack, app) is None for stack in sandbox_fleet)
    history = {h["stack"]: h["status"] for h in cli("history", "--app", app, "--json").json()}
    assert history == {"staging": "cancelled", "prod-east": "cancelled", "prod-west": "skipped"}
    assert not sandbox_fleet["prod-west"].state.app_exists(app)


def test_a_dokku_apps_lock_set_by_hand_is_respected_with_its_owner_unknown(
    cli: Cli, locked_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = locked_shop
    staging = sandbox_fleet["staging"]
    assert staging.dokku_sync("apps:create", app).ok and staging.dokku_sync("apps:lock", app).ok
    info = cli("app", "info", app)
    assert "Stack:   staging — not deployed · dokku's deploy lock is held (apps:lock" in info.out
    result = cli("deploy", app, "--stack", "staging", "--stack", "prod-east")
    assert result.status == 1
    assert (
        "✗ staging: dokku's deploy lock is held (apps:lock, or a deploy without ownstack-tui; "
        "owner unknown): wait, or --lock-wait 15m"
    ) in result.out
    assert staging.deployed_sha(app) is None
    assert sandbox_fleet["prod-east"].deployed_sha(app)  # the other stack deployed as usual


def test_a_stale_lock_is_broken_only_with_break_lock(
    cli: Cli, locked_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = locked_shop
    staging = sandbox_fleet["staging"]
    stale = {"owner": "bob@old-laptop", "command": "deploy", "since": time.time() - 7200, "token": "x"}
    assert staging.dokku_sync("apps:create", app).ok
    assert staging.dokku_sync("config:set", "--no-restart", app, f"{LOCK_KEY}={json.dumps(stale)}").ok

    refused = cli("deploy", app, "--stack", "staging")
    assert refused.status == 1
    assert "staging: rollout by bob@old-laptop" in refused.out
    assert "older than an hour; break it with --break-lock" in refused.out

    broken = cli("deploy", app, "--stack", "staging", "--break-lock")
    assert broken.status == 0, broken.out + broken.err
    assert staging.deployed_sha(app)
    assert lock_on(staging, app) is None


def plant_stale_lock(stack: Any, app: str) -> None:
    """A lock two hours old, as a rollout killed half-way would leave it."""
    stale = {"owner": "bob@old-laptop", "command": "deploy", "since": time.time() - 7200, "token": "x"}
    assert stack.dokku_sync("apps:create", app).ok
    assert stack.dokku_sync("config:set", "--no-restart", app, f"{LOCK_KEY}={json.dumps(stale)}").ok


@pytest.mark.parametrize(("answer", "broken"), [(b"n\r", False), (b"y\r", True)])
def test_on_a_terminal_break_lock_asks_first_and_only_yes_breaks_it_and_deploys(
    locked_shop: tuple[Path, str], sandbox_fleet: Any, answer: bytes, broken: bool
) -> None:
    from tests.perf.pty_session import PtySession

    fleet, app = locked_shop
    staging = sandbox_fleet["staging"]
    plant_stale_lock(staging, app)
    command = [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet),
               "deploy", app, "--stack", "staging", "--break-lock"]
    with PtySession(command, columns=120, rows=30) as session:
        assert session.wait_for(f"Break deploy locks of {app} older than an hour? [y/N] ".encode(),
                                timeout=30) is not None
        assert staging.deployed_sha(app) is None  # asked before anything was pushed
        session.send(answer)
        expected = b"Deploy started on staging" if broken else b"not breaking any lock"
        assert session.wait_for(expected, timeout=60) is not None
        session.process.wait(60)
        assert session.process.returncode == (0 if broken else 2)
    holder = lock_on(staging, app)
    if broken:
        assert staging.deployed_sha(app) and holder is None
    else:
        assert staging.deployed_sha(app) is None
        assert holder is not None and holder["owner"] == "bob@old-laptop"  # left as it was


def test_without_a_terminal_break_lock_breaks_a_stale_lock_without_asking(
    locked_shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    # The documented rule: the flag is the consent; only a terminal is asked (no one to answer).
    fleet, app = locked_shop
    staging = sandbox_fleet["staging"]
    plant_stale_lock(staging, app)
    done = subprocess.run(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet),
         "deploy", app, "--stack", "staging", "--break-lock"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[y/N]" not in done.stdout + done.stderr
    assert staging.deployed_sha(app) and lock_on(staging, app) is None
