"""Engine.fleet_health over sandbox stacks: one command round per stack on pooled connections,
last readings kept for stacks that stop answering, branch positions from local git."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.dokku.backend import DokkuBackend
from ownstack_tui.backends.dokku.health import health_commands
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.engine.branch_position import branch_positions
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.history import History
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.health import BranchPosition


def fleet_for(sandbox_fleet: Any, app: str) -> Fleet:
    stacks = {
        s.name: Stack(s.name, s.host, s.port, s.user, str(s.client_key_path)) for s in sandbox_fleet
    }
    return Fleet(stacks=stacks, apps={app: App(app, stacks=tuple(stacks))})


@pytest.fixture
async def engine(sandbox_fleet: Any, unique_app: str, clean_faults: None, tmp_path: Path):  # type: ignore[no-untyped-def]
    sandbox_fleet.write_known_hosts(paths.known_hosts_path())
    for stack in sandbox_fleet:
        assert stack.dokku_sync("apps:create", unique_app).ok
    fleet = fleet_for(sandbox_fleet, unique_app)
    engine = Engine(fleet, DokkuBackend(fleet, pool=SshPool(connect_timeout=5.0)), History(tmp_path / "h"))
    try:
        yield engine
    finally:
        await engine.close()


async def test_one_refresh_is_one_round_of_commands_per_stack_on_one_connection_each(
    engine: Engine, sandbox_fleet: Any, unique_app: str
) -> None:
    app = engine.fleet.apps[unique_app]
    expected = Counter(c.words[0] for c in health_commands(unique_app).values())
    for refresh in (1, 2):
        before = {s.name: s.commands_received.copy() for s in sandbox_fleet}
        health = await engine.fleet_health(app)
        assert [row.stack for row in health.stacks] == ["staging", "prod-east", "prod-west"]
        for stack in sandbox_fleet:
            assert stack.commands_received - before[stack.name] == expected, (refresh, stack.name)
        assert engine.backend.pool.handshakes == 3  # type: ignore[attr-defined]


async def test_a_stack_that_stops_answering_keeps_its_last_reading_and_its_age(
    engine: Engine, sandbox_fleet: Any, unique_app: str
) -> None:
    app = engine.fleet.apps[unique_app]
    await engine.fleet_health(app)
    sandbox_fleet["prod-west"].set_fault(port_closed=True)
    engine.backend.pool.forget(engine.fleet.stacks["prod-west"])  # type: ignore[attr-defined]
    health = await engine.fleet_health(app)
    row = health.stacks[2]
    assert not row.reachable and row.error
    assert row.cells["dokku"].text == "0.38.27" and row.age is not None and row.age > 0
    assert health.exit_status == 1


async def test_branch_positions_come_from_local_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)

    def commit(message: str) -> str:
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", message], check=True)
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
        return out.stdout.strip()

    first, second, third = commit("one"), commit("two"), commit("three")
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-b", "side", first], check=True)
    side = commit("side")
    unknown = "f" * 40
    positions = await branch_positions(str(repo), "main", [first, second, third, side, unknown])
    assert positions == {
        first: BranchPosition.at(2),
        second: BranchPosition.at(1),
        third: BranchPosition.at(0),
        side: BranchPosition.outside(),
        unknown: BranchPosition.outside(),
    }
    assert [p.text for p in (positions[third], positions[first], positions[side])] == [
        "= tip", "2 behind", "not in branch",
    ]
    nowhere = await branch_positions(str(tmp_path / "missing"), "main", [first])
    assert nowhere[first].text == "" and not nowhere[first].known
