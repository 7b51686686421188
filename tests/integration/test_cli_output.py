"""What scripts see from the plain commands against sandbox stacks: pipes, JSON lines, exit statuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.closed_pipe import run_into_closed_pipe
from tests.cli.helpers import Cli


@pytest.mark.parametrize("follow", [(), ("--follow",)], ids=["tail", "follow"])
def test_logs_into_a_closed_pipe_end_silently_with_status_0(
    shop_cli: Cli, shop: tuple[Path, str], follow: tuple[str, ...]
) -> None:
    fleet, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--stack", "prod-east", "--wait").status == 0
    result = run_into_closed_pipe(
        "--fleet", str(fleet), "logs", "--app", app, "--stack", "staging", "--stack", "prod-east", *follow
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_logs_json_prints_one_object_per_line(shop_cli: Cli, shop: tuple[Path, str]) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--stack", "prod-east", "--wait").status == 0
    result = shop_cli("logs", "--app", app, "--stack", "staging", "--stack", "prod-east", "--tail", "3",
                      "--json")
    assert result.status == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert {record["stack"] for record in records} == {"staging", "prod-east"}
    assert all(re.search(r" app\[\w+\.\d+\]: ", record["line"]) for record in records)
    assert not any("\x1b[" in record["line"] for record in records)


def test_stacks_exits_1_while_a_stack_is_unreachable(shop_cli: Cli, sandbox_fleet: Any) -> None:
    assert shop_cli("stacks").status == 0
    sandbox_fleet["prod-west"].set_fault(port_closed=True)
    for argv in (("stacks",), ("stacks", "--json")):
        result = shop_cli(*argv)
        assert result.status == 1, argv
        assert "prod-west" in result.out
    assert shop_cli("stacks", "--offline").status == 0
