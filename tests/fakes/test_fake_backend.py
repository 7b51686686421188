"""What only the fake offers: holding builds until released, and cutting log streams on demand
(the sandbox's equivalents are timed faults). The shared behaviour is in test_fake_contract."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ownstack_tui.backends.dokku.errors import ConnectionDropped
from ownstack_tui.engine.engine import Engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.deploy import DeployStatus
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet


@pytest.fixture
def engine(tmp_path: Path, demo_repo: Path) -> Engine:
    fleet = FleetFile.load(write_fake_fleet(tmp_path / "fleet.toml", "shop", demo_repo)).fleet
    return Engine(fleet, FakeBackend(fleet))


async def until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


async def test_a_held_build_waits_at_its_start_and_finishes_once_released(engine: Engine) -> None:
    fake: FakeBackend = engine.backend  # type: ignore[assignment]
    fake.stack("prod-east").hold_builds()
    running = engine.start_deploy(engine.fleet.app("shop"))
    east = running.run.job("prod-east")
    await until(lambda: fake.stack("prod-east").held_builds == 1)
    await until(lambda: running.run.job("staging").is_final)
    assert east.status is DeployStatus.BUILDING
    assert not any("Cleaning up" in line for line in east.lines)  # before its first build line
    fake.stack("prod-east").release_builds()
    run = await running.wait()
    assert run.succeeded
    assert fake.stack("prod-east").deployed_sha("shop") == east.sha


async def test_a_log_stream_is_cut_after_the_lines_asked_for(engine: Engine) -> None:
    fake: FakeBackend = engine.backend  # type: ignore[assignment]
    app = engine.fleet.app("shop")
    assert (await engine.start_deploy(app, ["staging"]).wait()).succeeded
    fake.stack("staging").cut_next_log_stream(after_lines=4)
    got: list[str] = []
    with pytest.raises(ConnectionDropped, match="connection lost"):
        async for line in engine.logs(app, engine.fleet.stack("staging"), num=2, follow=True):
            got.append(line)
    assert len(got) == 4
    # The reconnect waits until released, then streams again.
    stream = engine.logs(app, engine.fleet.stack("staging"), num=1, follow=True)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.2)
    assert not first.done()
    fake.stack("staging").release_logs()
    assert "app[web.1]:" in await asyncio.wait_for(first, 5)
    await stream.aclose()


async def test_a_followed_tail_keeps_producing_lines(engine: Engine) -> None:
    app = engine.fleet.app("shop")
    assert (await engine.start_deploy(app, ["staging"]).wait()).succeeded
    got: list[str] = []
    async for line in engine.logs(app, engine.fleet.stack("staging"), num=1, follow=True):
        got.append(line)
        if len(got) == 5:
            break
    assert len(got) == 5 and all("app[web.1]:" in line for line in got)
