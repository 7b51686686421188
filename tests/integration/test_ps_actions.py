"""``ps:restart`` and ``ps:rebuild`` on one stack, with the question production-looking
stacks get (a real pseudo-terminal for the interactive case)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.perf.pty_session import PtySession


@pytest.fixture
def deployed_shop(shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any) -> tuple[Path, str]:
    done = shop_cli("deploy", shop[1], "--wait")
    assert done.status == 0, done.out + done.err
    return shop


def web_container(stack: Any, app: str) -> str:
    return stack.dokku_sync("ps:report", app, "--status-web.1").stdout


def test_restart_prints_dokkus_output_and_replaces_the_containers(
    deployed_shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any
) -> None:
    _, app = deployed_shop
    before = web_container(sandbox_fleet["staging"], app)
    result = shop_cli("ps:restart", "--app", app, "--stack", "staging")
    assert result.status == 0, result.err
    assert "-----> Deploying web (count=1)" in result.out.splitlines()
    assert result.out.splitlines()[-1] == f"✓ Restarted {app} on staging"
    assert web_container(sandbox_fleet["staging"], app) != before


def test_restart_of_one_process_type_and_a_type_dokku_does_not_know(
    deployed_shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any
) -> None:
    _, app = deployed_shop
    before = web_container(sandbox_fleet["staging"], app)
    result = shop_cli("ps:restart", "--app", app, "--stack", "staging", "--process", "web", "--json")
    assert result.status == 0 and result.json()["ok"] is True
    assert "-----> Deploying web (count=1)" in result.json()["output"]
    assert web_container(sandbox_fleet["staging"], app) != before
    unknown = shop_cli("ps:restart", "--app", app, "--stack", "staging", "--process", "cron")
    assert unknown.status == 1 and "Invalid process type specified (cron)" in unknown.err
    bad = shop_cli("ps:restart", "--app", app, "--stack", "staging", "--process", "no such")
    assert bad.status == 2 and len(bad.err.splitlines()) == 1 and "invalid process type" in bad.err


def test_production_looking_stack_without_a_terminal_needs_yes(
    deployed_shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, app = deployed_shop
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))  # noqa: SIM115 - as under cron
    before = web_container(sandbox_fleet["prod-east"], app)
    refused = shop_cli("ps:restart", "--app", app, "--stack", "prod-east")
    assert refused.status == 2 and refused.out == ""
    assert refused.err == (
        f"ownstack-tui: prod-east looks like production: add --yes to restart {app} on prod-east\n"
    )
    assert web_container(sandbox_fleet["prod-east"], app) == before
    done = shop_cli("ps:rebuild", "--app", app, "--stack", "prod-east", "--yes")
    assert done.status == 0, done.err
    assert f"-----> Building {app} from herokuish" in done.out
    assert web_container(sandbox_fleet["prod-east"], app) != before


@pytest.mark.parametrize(("answer", "restarted"), [(b"n\r", False), (b"y\r", True)])
def test_production_looking_stack_on_a_terminal_asks_first(
    deployed_shop: tuple[Path, str], sandbox_fleet: Any, answer: bytes, restarted: bool
) -> None:
    fleet_path, app = deployed_shop
    before = web_container(sandbox_fleet["prod-west"], app)
    command = [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet_path),
               "ps:restart", "--app", app, "--stack", "prod-west"]
    with PtySession(command, columns=120, rows=30) as session:
        assert session.wait_for(b"[y/N] ", timeout=30) is not None
        session.send(answer)
        expected = b"Restarted" if restarted else b"Nothing done."
        assert session.wait_for(expected, timeout=30) is not None
        session.process.wait(30)
        assert session.process.returncode == (0 if restarted else 1)
    assert (web_container(sandbox_fleet["prod-west"], app) != before) is restarted


def test_restart_needs_a_stack(shop: tuple[Path, str], shop_cli: Cli) -> None:
    result = shop_cli("ps:restart", "--app", shop[1])
    assert result.status == 2
    assert result.err == "ownstack-tui: ps:restart needs --stack: one of staging, prod-east, prod-west\n"
