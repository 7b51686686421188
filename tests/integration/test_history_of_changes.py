"""Config and scale changes appear in history next to deploys: who, which keys, which stacks,
never a value; printed by ``history`` as the same rows the History tab shows."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Any

from ownstack_tui import paths
from tests.cli.helpers import Cli

STACKS = ("staging", "prod-east", "prod-west")
SECRET = "s3cr3t-value-never-shown"


def test_config_and_scale_changes_are_listed_with_deploys_and_no_values(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--wait").status == 0
    assert shop_cli("config:set", "--app", app, f"API_TOKEN={SECRET}", "LOG_LEVEL=debug").status == 0
    assert shop_cli("config:unset", "--app", app, "LOG_LEVEL").status == 0
    sandbox_fleet["prod-east"].set_fault(formation_lock=True)
    assert shop_cli("ps:scale", "--app", app, "--stack", "prod-east", "web=2").status == 1
    assert shop_cli("ps:scale", "--app", app, "--stack", "staging", "web=2").status == 0

    listed = shop_cli("history", "--app", app)
    assert listed.status == 0
    lines = listed.out.splitlines()
    assert lines[0].split() == ["JOB", "STACK", "STATUS", "SHA", "WHEN", "TOOK", "REASON"]
    who = f"by {getpass.getuser()}@{socket.gethostname()}"
    newest = lines[1:5]
    assert "scale" in newest[0] and "web=2" in newest[0] and who in newest[0] and "staging" in newest[0]
    assert "scale ✗" in newest[1] and "prod-east failed:" in newest[1]
    assert "config" in newest[2] and "unset LOG_LEVEL by" in newest[2] and "prod-west" in newest[2]
    assert "set API_TOKEN, LOG_LEVEL" in newest[3] and "staging, prod-east, prod-west" in newest[3]
    assert sum("succeeded" in line for line in lines[5:]) == 3  # the deploys, after
    as_json = shop_cli("history", "--app", app, "--json").json()
    assert [item["kind"] for item in as_json[:4]] == ["scale", "scale", "config", "config"]
    assert as_json[3]["set"] == ["API_TOKEN", "LOG_LEVEL"] and as_json[3]["stacks"] == list(STACKS)
    # The value itself is in no output and no file history keeps.
    assert SECRET not in listed.out + shop_cli("history", "--app", app, "--json").out
    for path in paths.data_dir().rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path
