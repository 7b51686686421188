"""The same behaviour checks against the FakeBackend and the SSH backend on sandbox stacks,
so the fake the UI tests use cannot drift from the real thing.

Each check runs in two worlds: ``fake`` (in memory) and ``ssh`` (DokkuBackend over real SSH
to the sandbox stacks; the integration tier). A world gives the backend, a way to read what
a stack holds, and the failures each side can be told to show.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.base import Backend
from ownstack_tui.backends.dokku.errors import (
    AppNotFound,
    DokkuCommandError,
    HostKeyChanged,
    StackUnreachable,
    UnknownHostKey,
)
from ownstack_tui.engine.engine import Engine
from ownstack_tui.errors import AppNotOnStack
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.config import effective_config, plan_stack_config
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import App, Fleet
from ownstack_tui.model.health_readings import config_fingerprint
from ownstack_tui.model.jobs import DeployJob, JobEvent
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.fixtures.sandbox import write_sandbox_fleet


class StackView(Protocol):
    def deployed_sha(self, app: str) -> str | None: ...
    def config(self, app: str) -> dict[str, str]: ...
    def scale(self, app: str) -> dict[str, int]: ...


class World(Protocol):
    fleet: Fleet
    app: App
    backend: Backend

    def holds(self, stack: str) -> StackView: ...
    def fail_builds(self, stack: str) -> None: ...
    def make_unreachable(self, stack: str) -> None: ...
    def forget_host_key(self, stack: str) -> None: ...
    def change_host_key(self, stack: str) -> None: ...
    def hold_builds(self, stack: str) -> None: ...
    def lock_by_hand(self, stack: str, app: str) -> None: ...


class FakeWorld:
    def __init__(self, path: Path) -> None:
        self.fleet = FleetFile.load(path).fleet
        self.app = next(iter(self.fleet.apps.values()))
        self.fake = FakeBackend(self.fleet)
        self.backend: Backend = self.fake

    def holds(self, stack: str) -> StackView:
        return self.fake.stack(stack)

    def fail_builds(self, stack: str) -> None:
        self.fake.stack(stack).fail_builds()

    def make_unreachable(self, stack: str) -> None:
        self.fake.stack(stack).unreachable = True

    def forget_host_key(self, stack: str) -> None:
        self.fake.stack(stack).unknown_host_key()

    def change_host_key(self, stack: str) -> None:
        self.fake.stack(stack).changed_host_key()

    def hold_builds(self, stack: str) -> None:
        self.fake.stack(stack).hold_builds()

    def lock_by_hand(self, stack: str, app: str) -> None:
        self.fake.stack(stack).lock_by_hand()


class SandboxView:
    """What a sandbox stack holds, read straight from its state (no SSH)."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack

    def deployed_sha(self, app: str) -> str | None:
        return self.stack.deployed_sha(app)

    def config(self, app: str) -> dict[str, str]:
        result = self.stack.dokku_sync("config:export", "--format", "json", app)
        return json.loads(result.stdout) if result.exit_status == 0 else {}

    def scale(self, app: str) -> dict[str, int]:
        result = self.stack.dokku_sync("ps:scale", app, "--format", "json")
        rows = json.loads(result.stdout) if result.exit_status == 0 else []
        return {row["process_type"]: row["quantity"] for row in rows}


class SshWorld:
    def __init__(self, path: Path, sandbox: Any) -> None:
        from ownstack_tui.backends.dokku.backend import DokkuBackend

        self.sandbox = sandbox
        self.fleet = FleetFile.load(path).fleet
        self.app = next(iter(self.fleet.apps.values()))
        self.backend: Backend = DokkuBackend(self.fleet)

    def holds(self, stack: str) -> StackView:
        return SandboxView(self.sandbox[stack])

    def fail_builds(self, stack: str) -> None:
        self.sandbox[stack].set_fault(build_fail=True)

    def make_unreachable(self, stack: str) -> None:
        self.sandbox[stack].set_fault(port_closed=True)

    def forget_host_key(self, stack: str) -> None:
        known = paths.known_hosts_path()
        line = self.sandbox[stack].known_hosts_line()
        known.write_text("".join(f"{kept}\n" for kept in known.read_text().splitlines() if kept != line))

    def change_host_key(self, stack: str) -> None:
        self.sandbox[stack].set_fault(host_key_changed=True)

    def hold_builds(self, stack: str) -> None:
        self.sandbox[stack].set_fault(build_line_delay_ms=60_000)

    def lock_by_hand(self, stack: str, app: str) -> None:
        assert self.sandbox[stack].dokku_sync("apps:lock", app).exit_status == 0


@pytest.fixture(params=["fake", pytest.param("ssh", marks=pytest.mark.integration)])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path, demo_repo: Path, unique_app: str
) -> AsyncIterator[World]:
    made: World
    if request.param == "fake":
        made = FakeWorld(write_fake_fleet(tmp_path / "fleet.toml", unique_app, demo_repo,
                                          needs_postgres=False))
    else:
        sandbox = request.getfixturevalue("trusted_sandbox")
        request.getfixturevalue("clean_faults")
        made = SshWorld(write_sandbox_fleet(tmp_path / "fleet.toml", sandbox, unique_app, demo_repo,
                                            needs_postgres=False), sandbox)
    yield made
    await made.backend.close()


def head_of(repo: str | None) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


Statuses = dict[str, list[DeployStatus]]


async def deploy(world: World, only: tuple[str, ...] = ()) -> tuple[list[DeployJob], Statuses]:
    """Deploy through the engine; returns the jobs and the statuses each went through."""
    engine = Engine(world.fleet, world.backend)
    seen: dict[str, list[DeployStatus]] = {}
    running = engine.start_deploy(world.app, only)

    def record(event: JobEvent) -> None:
        statuses = seen.setdefault(event.job.stack, [])
        if not event.lines and (not statuses or statuses[-1] is not event.job.status):
            statuses.append(event.job.status)

    running.run.subscribe(record)
    run = await running.wait()
    engine.history.close()
    return run.jobs, seen


async def test_a_deploy_goes_through_every_phase_and_each_stack_records_the_sha(world: World) -> None:
    jobs, seen = await deploy(world)
    sha = head_of(world.app.repo)
    for job in jobs:
        assert job.status is DeployStatus.SUCCEEDED, job.reason
        assert seen[job.stack] == [DeployStatus.CONNECTING, DeployStatus.BUILDING,
                                   DeployStatus.RELEASING, DeployStatus.SUCCEEDED]
        assert job.sha == sha
        assert f"-----> Created app {world.app.name} on {job.stack}" in job.lines
        assert f"       http://{world.app.name}.{job.stack}.localhost" in job.lines
        assert world.holds(job.stack).deployed_sha(world.app.name) == sha
        state = await world.backend.app_state(world.app, world.fleet.stack(job.stack))
        assert state.exists and state.deployed_sha == sha and state.deploy_source == "git-push"
        assert state.dokku_version


async def test_deploying_the_same_sha_again_builds_nothing(world: World) -> None:
    await deploy(world, ("staging",))
    (job,), _ = await deploy(world, ("staging",))
    assert job.status is DeployStatus.SUCCEEDED and job.sha == head_of(world.app.repo)
    assert f"-----> staging already has {job.sha[:7]}; nothing to build" in job.lines  # type: ignore[index]


async def test_a_failing_stack_fails_alone_with_dokkus_reason(world: World) -> None:
    world.fail_builds("prod-west")
    jobs, _ = await deploy(world)
    by_stack = {job.stack: job for job in jobs}
    failed = by_stack.pop("prod-west")
    assert failed.status is DeployStatus.FAILED
    assert failed.reason == "Push rejected, failed to compile Python app."
    assert " !     Push rejected, failed to compile Python app." in failed.lines
    assert all(job.status is DeployStatus.SUCCEEDED for job in by_stack.values())
    assert world.holds("prod-west").deployed_sha(world.app.name) is None
    state = await world.backend.app_state(world.app, world.fleet.stack("prod-west"))
    assert state.exists and state.deployed_sha is None


async def test_an_unreachable_stack_fails_its_job_and_every_read_names_it(world: World) -> None:
    world.make_unreachable("prod-east")
    stack = world.fleet.stack("prod-east")
    with pytest.raises(StackUnreachable, match="stack prod-east: connection refused by"):
        await world.backend.probe(stack)
    (job,), seen = await deploy(world, ("prod-east",))
    assert job.status is DeployStatus.FAILED and job.reason
    assert job.reason.startswith(f"connection refused by dokku@127.0.0.1:{stack.port}")
    assert seen["prod-east"] == [DeployStatus.CONNECTING, DeployStatus.FAILED]


async def test_config_apply_sets_then_unsets_only_what_the_plan_says(world: World) -> None:
    await deploy(world, ("staging",))
    stack = world.fleet.stack("staging")
    actual = await world.backend.read_config(world.app, stack)
    assert actual == {"GIT_REV": head_of(world.app.repo)}
    plan = plan_stack_config("staging", {"A": "1", "B": "two words"}, actual)
    output = await world.backend.apply_config(world.app, stack, plan, restart=False)
    assert output[0] == "-----> Setting config vars"
    assert world.holds("staging").config(world.app.name) == {**actual, "A": "1", "B": "two words"}

    plan = plan_stack_config("staging", {"B": "two words"}, await world.backend.read_config(world.app, stack),
                             removed=["A"])
    assert list(plan.to_unset) == ["A"]
    output = await world.backend.apply_config(world.app, stack, plan, restart=True)
    assert "-----> Unsetting A" in output and "-----> Restarting app " + world.app.name in output
    assert world.holds("staging").config(world.app.name) == {**actual, "B": "two words"}


async def test_scale_reads_the_procfile_types_and_sets_counts(world: World) -> None:
    await deploy(world, ("staging",))
    stack = world.fleet.stack("staging")
    assert await world.backend.read_scale(world.app, stack) == {"web": 1, "worker": 0}
    output = await world.backend.set_scale(world.app, stack, {"web": 2, "worker": 1})
    assert output[0] == f"-----> Scaling {world.app.name} processes: web=2 worker=1"
    assert await world.backend.read_scale(world.app, stack) == {"web": 2, "worker": 1}
    assert world.holds("staging").scale(world.app.name) == {"web": 2, "worker": 1}


async def test_a_never_deployed_app_does_not_exist_and_reads_say_so(world: World) -> None:
    stack = world.fleet.stack("prod-west")
    state = await world.backend.app_state(world.app, stack)
    assert not state.exists and state.deployed_sha is None and state.dokku_version
    with pytest.raises(AppNotOnStack):
        await world.backend.read_config(world.app, stack)
    with pytest.raises(AppNotFound, match=f"App {world.app.name} does not exist"):
        await world.backend.read_scale(world.app, stack)
    with pytest.raises(AppNotFound):
        async for _line in world.backend.logs(world.app, stack, 10, None, False):
            pass


async def test_runtime_logs_come_from_each_container_and_an_undeployed_app_is_refused(world: World) -> None:
    world.fail_builds("prod-west")
    await deploy(world, ("staging", "prod-west"))
    await world.backend.set_scale(world.app, world.fleet.stack("staging"), {"worker": 1})
    staging = world.fleet.stack("staging")
    lines = [line async for line in world.backend.logs(world.app, staging, 5, None, False)]
    assert any("app[web.1]:\x1b[0m " in line for line in lines)
    assert any("app[worker.1]:\x1b[0m " in line for line in lines)
    only_web = [line async for line in world.backend.logs(world.app, staging, 5, "web", False)]
    assert only_web and all("app[web." in line for line in only_web)
    with pytest.raises(DokkuCommandError) as refused:
        async for _line in world.backend.logs(world.app, world.fleet.stack("prod-west"), 5, None, False):
            pass
    assert refused.value.detail == f"App {world.app.name} has not been deployed"


async def test_an_unknown_host_key_is_refused_until_trusted(world: World) -> None:
    world.forget_host_key("prod-east")
    stack = world.fleet.stack("prod-east")
    with pytest.raises(UnknownHostKey) as unknown:
        await world.backend.app_state(world.app, stack)
    error = unknown.value
    assert error.stack == "prod-east" and error.port == stack.port
    assert error.fingerprint.startswith("SHA256:") and error.key_type == "ssh-ed25519"
    assert error.known_hosts_line.startswith(f"[127.0.0.1]:{stack.port} ssh-ed25519 ")
    Engine(world.fleet, world.backend).trust_host_key(error, remember=True)
    assert (await world.backend.app_state(world.app, stack)).dokku_version
    assert error.known_hosts_line in paths.known_hosts_path().read_text().splitlines()


async def test_a_changed_host_key_is_always_refused(world: World) -> None:
    world.change_host_key("prod-west")
    with pytest.raises(HostKeyChanged, match="HOST KEY CHANGED"):
        await world.backend.probe(world.fleet.stack("prod-west"))


async def test_a_held_build_is_cancelled_and_recorded_as_cancelled(world: World) -> None:
    world.hold_builds("staging")
    engine = Engine(world.fleet, world.backend)
    running = engine.start_deploy(world.app, ["staging"])
    job = running.run.jobs[0]
    for _ in range(200):
        if job.status is DeployStatus.BUILDING:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert job.status is DeployStatus.BUILDING  # held: no further
    running.cancel()
    await running.wait()
    engine.history.close()
    assert job.status is DeployStatus.CANCELLED
    assert job.reason == "cancelled, nothing deployed on staging"
    assert world.holds("staging").deployed_sha(world.app.name) is None


async def test_health_reads_sha_processes_and_version_and_restart_redeploys(world: World) -> None:
    stack = world.fleet.stack("staging")
    missing = await world.backend.read_health(world.app, stack)
    assert not missing.app_exists and missing.dokku_version == "0.38.27"
    await deploy(world, ("staging",))
    reading = await world.backend.read_health(world.app, stack)
    assert reading.app_exists and reading.deployed_sha == head_of(world.app.repo)
    web = next(p for p in reading.processes if p.type == "web")
    assert (web.asked, web.running, web.crashed) == (1, 1, 0)
    assert (reading.tls_known, reading.certificates, reading.locked) == (False, (), False)
    wanted = effective_config(world.app, "staging")
    assert reading.config_fingerprint == config_fingerprint(wanted, wanted)
    lines: list[str] = []
    await world.backend.restart(world.app, stack, "web", lines.append)
    assert "-----> Deploying web (count=1)" in lines
    lines.clear()
    await world.backend.rebuild(world.app, stack, lines.append)
    assert "-----> Releasing " + world.app.name + "..." in lines


async def test_the_rollout_lock_is_an_app_config_value_and_dokkus_own_lock_is_read_beside_it(
    world: World,
) -> None:
    from ownstack_tui.backends.base import RolloutBackend
    from ownstack_tui.model.deploy_lock import LockHolder
    from ownstack_tui.model.validation import DEPLOY_LOCK_KEY

    backend = world.backend
    assert isinstance(backend, RolloutBackend)
    stack, app = world.fleet.stack("staging"), world.app
    assert (await backend.read_lock(app, stack)).is_free  # no app: nothing to hold
    holder = LockHolder(owner="alice@laptop", command="deploy shop", since=1.0e9, token="t1")
    assert await backend.write_lock(app, stack, holder) is True  # the app was created for it
    assert world.holds("staging").config(app.name)[DEPLOY_LOCK_KEY] == holder.encode()
    assert (await backend.read_lock(app, stack)).holder == holder
    assert await backend.write_lock(app, stack, None) is False
    assert DEPLOY_LOCK_KEY not in world.holds("staging").config(app.name)
    assert (await backend.read_lock(app, stack)).is_free
    world.lock_by_hand("staging", app.name)
    held = await backend.read_lock(app, stack)
    assert held.dokku_locked and held.holder is None


async def test_process_states_and_urls_of_a_deployed_app(world: World) -> None:
    from ownstack_tui.backends.base import RolloutBackend

    backend = world.backend
    assert isinstance(backend, RolloutBackend)
    stack = world.fleet.stack("staging")
    await deploy(world, ("staging",))
    assert await backend.process_states(world.app, stack) == {"web": ["running"]}
    urls = await backend.app_urls(world.app, stack)
    assert len(urls) == 1 and urls[0].startswith("http://")
