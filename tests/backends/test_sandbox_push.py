"""git push deploys through the bridge, against the sandbox's dokku stand-in."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.errors import ConnectionDropped
from ownstack_tui.backends.dokku.parsers import PushLine
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.backends.dokku.push import push


def commit(repo: Path, message: str) -> None:
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", message], check=True)


async def test_push_streams_lines_and_the_stack_records_the_pushed_sha(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any, pool: SshPool
) -> None:
    await staging.app_create(unique_app)
    seen: list[PushLine] = []
    result = await push(staging, demo_repo, "main", unique_app, on_line=seen.append)
    assert result.ok, result.reason
    assert result.branch == "master"  # the stack's computed deploy branch
    assert await staging.deployed_sha(unique_app) == result.sha
    assert sandbox_stack.deployed_sha(unique_app) == result.sha
    texts = [line.text for line in seen if line.remote]
    assert f"-----> Building {unique_app} from herokuish" in texts
    assert "=====> Application deployed:" in texts
    assert not any("remote:" in text or "\x1b" in text for text in texts)
    assert pool.handshakes == 1


async def test_a_second_commit_redeploys_with_its_sha(
    staging: DokkuClient, unique_app: str, demo_repo: Path
) -> None:
    await staging.app_create(unique_app)
    first = await push(staging, demo_repo, "main", unique_app)
    commit(demo_repo, "second")
    second = await push(staging, demo_repo, "main", unique_app)
    assert first.ok and second.ok and first.sha != second.sha
    assert await staging.deployed_sha(unique_app) == second.sha


async def test_a_failing_build_reports_its_reason_and_keeps_the_old_sha(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    good = await push(staging, demo_repo, "main", unique_app)
    commit(demo_repo, "broken")
    sandbox_stack.set_fault(build_fail=True)
    bad = await push(staging, demo_repo, "main", unique_app)
    assert not bad.ok
    assert bad.reason == "Push rejected, failed to compile Python app."
    assert await staging.deployed_sha(unique_app) == good.sha


async def test_a_missing_procfile_fails_the_build(
    staging: DokkuClient, unique_app: str, demo_repo: Path
) -> None:
    subprocess.run(["git", "-C", str(demo_repo), "rm", "-q", "Procfile"], check=True)
    commit(demo_repo, "no procfile")
    result = await push(staging, demo_repo, "main", unique_app)
    assert not result.ok
    assert result.reason == "Failure attaching to container during app build"


async def test_a_deploy_lock_is_reported_with_the_command_to_clear_it(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    sandbox_stack.set_fault(deploy_locked=True)
    result = await push(staging, demo_repo, "main", unique_app)
    assert not result.ok and result.locked
    hint = f"ssh -p {sandbox_stack.port} dokku@127.0.0.1 apps:unlock {unique_app}"
    assert result.reason == (
        f"{unique_app} has a deploy lock in place; if no deploy is running, clear it with: {hint}"
    )


async def test_a_connection_dropped_mid_build_is_a_clear_error_and_the_next_push_works(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any, pool: SshPool
) -> None:
    await staging.app_create(unique_app)
    sandbox_stack.set_fault(drop_after_lines=8)
    seen: list[PushLine] = []
    with pytest.raises(ConnectionDropped) as caught:
        await push(staging, demo_repo, "main", unique_app, on_line=seen.append)
    assert str(caught.value) == (
        f"stack staging: connection lost during the push of {unique_app}; "
        "the build's outcome on the stack is unknown"
    )
    assert any(line.remote for line in seen)  # lines streamed before the drop
    sandbox_stack.clear_faults()
    result = await push(staging, demo_repo, "main", unique_app)
    assert result.ok, result.reason
    assert await staging.deployed_sha(unique_app) == result.sha
    assert pool.handshakes == 2


async def test_cancelling_a_push_leaves_the_connection_usable(
    staging: DokkuClient, unique_app: str, demo_repo: Path, sandbox_stack: Any
) -> None:
    await staging.app_create(unique_app)
    sandbox_stack.set_fault(build_line_delay_ms=200)
    started = asyncio.Event()
    task = asyncio.create_task(
        push(staging, demo_repo, "main", unique_app, on_line=lambda line: started.set())
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await staging.version() == "0.38.27"


async def test_pushes_to_several_stacks_share_nothing_but_the_pool(
    sandbox_fleet: Any, pool: SshPool, trusted: None, unique_app: str, demo_repo: Path
) -> None:
    from .conftest import model_stack

    clients = [DokkuClient(model_stack(stack), pool) for stack in sandbox_fleet]
    results = await asyncio.gather(*(push(c, demo_repo, "main", unique_app) for c in clients))
    assert all(result.ok for result in results)
    shas = {await c.deployed_sha(unique_app) for c in clients}
    assert shas == {results[0].sha}
    assert pool.handshakes == len(clients)
