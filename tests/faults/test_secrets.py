"""Secrets (issue 17): values of keys that look secret, and the API token, appear only where the
user put them (the fleet file) and in the stacks' own state, never in history, job logs,
``--json`` without ``--reveal``, outputs, logs, or the console's screen.

One test runs the whole flow over SSH and through the control-plane stand-in with known
values, then searches everything it printed, logged and wrote under its folders.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from pathlib import Path

import pytest

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from tests.api.conftest import ApiWorld
from tests.tui.seen import checked, status_line, wait_for


async def console_config_screen(world: ApiWorld, keys: list[str]) -> str:
    """The console's Config tab as the operator sees it: its screenshot and status line."""
    fleet = FleetFile.load(world.fleet_path).fleet
    console = OwnstackApp(world.fleet_path, fleet, fleet.app(world.app), open_engine(fleet, "ssh"))
    async with console.run_test(size=(180, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(console))
        await pilot.press("3")
        await wait_for(pilot, lambda: all(key in console.export_screenshot() for key in keys))
        return console.export_screenshot() + status_line(console, "config")


def test_secret_values_and_the_token_show_up_only_in_the_fleet_file_and_the_stacks(
    world: ApiWorld, tmp_path: Path, isolated_home: Path, printed: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    values = {
        "DATABASE_PASSWORD": "pw-" + secrets.token_hex(12),
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(12),
    }
    ssh, api, app = world.ssh, world.api, world.app
    pairs = [f"{key}={value}" for key, value in values.items()]
    assert ssh("config:set", "--app", app, *pairs, "LOG_LEVEL=info").status == 0

    deploy = ssh("deploy", app, "--wait")
    assert deploy.status == 0, deploy.out + deploy.err
    for argv in (
        ("config", "--app", app),
        ("config", "--app", app, "--json"),
        ("config:get", "DATABASE_PASSWORD", "--app", app, "--json"),
        ("config:get", "STRIPE_SECRET_KEY", "--app", app, "--stack", "staging", "--json"),
        ("app", "info", app),
        ("status", "--app", app),
        ("logs", "--app", app, "--tail", "50"),
    ):
        result = ssh(*argv)
        assert result.status == 0, f"{argv}: {result.out}{result.err}"
    history = ssh("history", "--app", app)
    job = re.search(r"^(\d+) ", history.out, re.M)
    assert job, history.out
    assert ssh("history", "--job", job.group(1)).status == 0

    # The same through the control plane, with the token in play.
    assert api("deploy", app, "--wait").status == 0
    for argv in (("app", "info", app), ("config", "--app", app, "--json"), ("history", "--app", app)):
        assert api(*argv).status == 0, argv
    screen = asyncio.run(console_config_screen(world, list(values)))

    # The values were really there to leak: the stacks and the fleet file hold them.
    assert all(value in world.fleet_path.read_text() for value in values.values())
    needles = [*values.values(), world.token]
    allowed = {world.fleet_path}
    stand_in = tmp_path / "control-plane"  # the stand-in's own state, like a stack's
    written = [
        path for root in (tmp_path, isolated_home) for path in root.rglob("*")
        if path.is_file() and path not in allowed and not path.is_relative_to(stand_in)
    ]
    assert any("history" in str(path) for path in written), "history was written and searched"
    leaks = [f"{path}: {n[:6]}…" for path in written for n in needles if n.encode() in path.read_bytes()]
    leaks += [f"printed {text[:60]!r}" for text in printed for n in needles if n in text]
    leaks += [f"screen: {n[:6]}…" for n in needles if n in screen]
    leaks += [f"log: {r.getMessage()[:60]!r}" for r in caplog.records for n in needles
              if n in r.getMessage()]
    assert not leaks, leaks
