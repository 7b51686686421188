"""Plain `logs --follow` survives a dropped connection the way the console's tails do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.helpers import Cli, follow_until


def test_logs_follow_reconnects_after_a_dropped_connection_and_marks_the_gap(
    shop: tuple[Path, str], shop_cli: Cli, sandbox_fleet: Any
) -> None:
    fleet, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    sandbox_fleet["staging"].set_fault(drop_after_lines=3)  # every logs stream breaks after 3 lines
    status, out, err = follow_until(
        ["--fleet", str(fleet), "logs", "--app", app, "--stack", "staging", "--follow", "--tail", "5"],
        "log stream reconnected",
    )
    assert "Traceback" not in out + err
    assert status == 0, err
    assert (
        "ownstack-tui: stack staging: log stream lost (connection lost while running logs"
        in err
    ), err
    assert "ownstack-tui: stack staging: log stream reconnected" in err
    lines = out.splitlines()
    assert len(lines) > 3 and all("app[" in line for line in lines), out  # more than one stream's worth
