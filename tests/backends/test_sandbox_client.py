"""DokkuClient against the sandbox's dokku stand-in, over real SSH."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.errors import (
    AppNotFound,
    AuthenticationFailed,
    ConnectionDropped,
    DokkuCommandError,
    HostKeyChanged,
    StackUnreachable,
)
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.backends.dokku.push import push

from .conftest import model_stack

AWKWARD = {
    "SPACES": "two words  and more",
    "QUOTES": "it's \"quoted\" twice",
    "SHELL": "$HOME `id` $(id) ; rm -rf / &",
    "EQUALS": "a=b=c",
    "UNICODE": "naïve ☃ 日本",
    "MULTILINE": "line one\nline two",
    "LEADING": "  padded  ",
    "EMPTY": "",
}


async def test_awkward_config_values_round_trip_through_dokku(
    staging: DokkuClient, unique_app: str, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    await staging.config_set(unique_app, AWKWARD, restart=False)
    assert await staging.config_export(unique_app) == AWKWARD
    stored = await sandbox_stack.dokku("config:get", unique_app, "SHELL")
    assert stored.stdout == AWKWARD["SHELL"] + "\n"


async def test_quoted_words_reach_the_dokku_handler_intact(
    staging: DokkuClient, unique_app: str
) -> None:
    # Not --encoded: these words go through the xargs path with shlex quoting only.
    await staging.app_create(unique_app)
    values = {key: value for key, value in AWKWARD.items() if "\n" not in value}
    pairs = [f"{key}={value}" for key, value in values.items()]
    result = await staging.run(["config:set", "--no-restart", unique_app, *pairs])
    assert result.ok, result.message
    assert await staging.config_export(unique_app) == values


async def test_app_lifecycle(staging: DokkuClient, unique_app: str) -> None:
    assert not await staging.app_exists(unique_app)
    assert await staging.app_create(unique_app) is True
    assert await staging.app_create(unique_app) is False  # "Name is already taken" tolerated
    assert unique_app in await staging.apps_list()
    await staging.app_destroy(unique_app)
    assert not await staging.app_exists(unique_app)
    with pytest.raises(AppNotFound, match=f"App {unique_app} does not exist"):
        await staging.config_export(unique_app)


async def test_version_and_unknown_command(staging: DokkuClient) -> None:
    assert await staging.version() == "0.38.27"
    with pytest.raises(DokkuCommandError, match="is not a dokku command"):
        await staging.check(["nosuch:command"])


async def test_scale_read_and_write(
    staging: DokkuClient, unique_app: str, demo_repo: Path
) -> None:
    await staging.app_create(unique_app)
    assert (await push(staging, demo_repo, "main", unique_app)).ok
    assert await staging.ps_scale(unique_app) == {"web": 1, "worker": 0}
    await staging.ps_scale_set(unique_app, {"worker": 2})
    assert await staging.ps_scale(unique_app) == {"web": 1, "worker": 2}


async def test_formation_lock_is_passed_through_in_dokkus_words(
    staging: DokkuClient, unique_app: str, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    sandbox_stack.set_fault(formation_lock=True)
    with pytest.raises(DokkuCommandError) as caught:
        await staging.ps_scale_set(unique_app, {"web": 2})
    assert caught.value.detail == (
        f"App {unique_app} contains an app.json file with a formations key "
        "and cannot be manually scaled"
    )


async def test_services_are_created_once_and_linked_once(
    staging: DokkuClient, unique_app: str
) -> None:
    await staging.app_create(unique_app)
    first = await staging.ensure_service("postgres", unique_app)
    assert (first.name, first.created, first.linked) == (f"postgres-{unique_app}", True, True)
    again = await staging.ensure_service("postgres", unique_app)
    assert (again.created, again.linked) == (False, False)
    redis = await staging.ensure_service("redis", unique_app)
    assert redis.created and redis.linked
    config = await staging.config_export(unique_app)
    assert config["DATABASE_URL"].startswith("postgres://")
    assert config["REDIS_URL"].startswith("redis://")
    info = await staging.service_info("postgres", first.name)
    assert unique_app in info.links


async def test_deploy_branch_follows_git_set(staging: DokkuClient, unique_app: str) -> None:
    await staging.app_create(unique_app)
    assert await staging.deploy_branch(unique_app) == "master"
    await staging.set_deploy_branch(unique_app, "main")
    assert await staging.deploy_branch(unique_app) == "main"


async def test_image_deploy_records_the_image(staging: DokkuClient, unique_app: str) -> None:
    await staging.app_create(unique_app)
    lines: list[str] = []
    result = await staging.git_from_image(unique_app, "registry.example/shop:1.0", lines.append)
    assert result.ok, result.message
    assert "-----> Generating build context" in lines
    source = await staging.deploy_source(unique_app)
    assert (source.source, source.image, source.sha) == (
        "docker-image", "registry.example/shop:1.0", None
    )
    again = await staging.git_from_image(unique_app, "registry.example/shop:1.0")
    assert not again.ok
    assert "No changes detected" in again.message


async def test_logs_are_parsed_and_a_follow_closes_its_channel(
    staging: DokkuClient, unique_app: str, demo_repo: Path, pool: SshPool
) -> None:
    await staging.app_create(unique_app)
    assert (await push(staging, demo_repo, "main", unique_app)).ok
    lines = [line async for line in staging.logs(unique_app, num=5)]
    assert lines and all(line.process.startswith(("web.", "worker.")) for line in lines)
    assert all(line.timestamp.endswith("Z") for line in lines)
    async with contextlib.aclosing(staging.logs(unique_app, num=1, follow=True)) as tail:
        first = await anext(tail)
    assert first.process == "web.1"
    # The tail's channel is gone; the connection carries on.
    assert await staging.version() == "0.38.27"
    assert pool.handshakes == 1


async def test_a_log_tail_whose_connection_drops_raises_a_clear_error(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    assert (await push(staging, demo_repo, "main", unique_app)).ok
    sandbox_stack.set_fault(drop_after_lines=1)
    received = []
    with pytest.raises(ConnectionDropped, match="stack staging: connection lost while running logs"):
        async for line in staging.logs(unique_app, num=5, follow=True):
            received.append(line)
    assert len(received) == 1
    sandbox_stack.clear_faults()
    assert await staging.version() == "0.38.27"  # reconnected


async def test_unlock_hint_names_the_stacks_endpoint(staging: DokkuClient) -> None:
    stack = staging.stack
    assert staging.unlock_hint("shop") == f"ssh -p {stack.port} dokku@127.0.0.1 apps:unlock shop"


# --- connection failures, each its own error, fast ---------------------------------------------


async def test_auth_refused(staging: DokkuClient, sandbox_stack: Any) -> None:
    sandbox_stack.set_fault(auth_refused=True)
    with pytest.raises(AuthenticationFailed, match=r"stack staging: .*refused our SSH keys"):
        await staging.version()


async def test_changed_host_key(staging: DokkuClient, sandbox_stack: Any) -> None:
    sandbox_stack.set_fault(host_key_changed=True)
    with pytest.raises(HostKeyChanged) as caught:
        await staging.version()
    presented = sandbox_stack.host_public_key.split()[1]
    assert caught.value.known_hosts_line.endswith(presented)
    assert caught.value.fingerprint in str(caught.value)


async def test_closed_port(staging: DokkuClient, sandbox_stack: Any) -> None:
    sandbox_stack.set_fault(port_closed=True)
    with pytest.raises(StackUnreachable, match="connection refused"):
        await staging.version()


async def test_one_stack_failing_leaves_the_others_working(
    sandbox_fleet: Any, pool: SshPool, trusted: None, sandbox_stack: Any
) -> None:
    sandbox_stack.set_fault(port_closed=True)
    other = DokkuClient(model_stack(sandbox_fleet["prod-east"]), pool)
    with pytest.raises(StackUnreachable):
        await DokkuClient(model_stack(sandbox_stack), pool).version()
    assert await other.version() == "0.38.27"
