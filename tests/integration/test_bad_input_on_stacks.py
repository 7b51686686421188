"""Bad input that only a stack can judge (the app's process types there), in the style of
tests/cli/test_bad_input.py: exit 2, one stderr line, the fleet file byte-identical, and the
stacks' recorded state (apps, config, scale, deployed SHA) the same before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.cli.test_bad_input import Row, row_id

STACK_ROWS: list[Row] = [
    (("ps:scale", "--app", "{app}", "--stack", "staging", "nosuch=1"), "has no process type 'nosuch'"),
    (("ps:scale", "--app", "{app}", "--stack", "staging", "web=2", "Web=1"), "has no process type 'Web'"),
    (("deploy", "{app}", "--stack", "staging", "--ref", "no-such-tag"), "--ref no-such-tag: no such branch"),
]


def recorded_state(sandbox_fleet: Any, app: str) -> list[tuple[str, ...]]:
    return [
        (
            stack.dokku_sync("apps:list").stdout,
            stack.dokku_sync("config:export", app, "--format", "json").stdout,
            stack.dokku_sync("ps:scale", app).stdout,
            str(stack.deployed_sha(app)),
        )
        for stack in sandbox_fleet
    ]


@pytest.mark.parametrize(("argv", "fragment"), STACK_ROWS, ids=[row_id(row) for row in STACK_ROWS])
def test_bad_input_judged_on_a_stack_changes_nothing_there(
    argv: tuple[str, ...], fragment: str, shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any
) -> None:
    fleet_path, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    before, state = fleet_path.read_bytes(), recorded_state(sandbox_fleet, app)
    result = shop_cli(*(word.replace("{app}", app) for word in argv))
    assert result.status == 2, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.err
    assert fleet_path.read_bytes() == before
    assert recorded_state(sandbox_fleet, app) == state
