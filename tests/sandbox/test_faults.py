"""Every fault can be switched on and off while the stack runs, and has its effect.

Where a fault is about time, the checks are lower bounds (an injected delay can only make
things slower), never upper bounds.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import asyncssh
import pytest

from tests.sandbox.helpers import commit, connect, git_push, head_sha, ssh


async def version_ok(stack, known_hosts) -> bool:
    async with connect(stack, known_hosts) as conn:
        result = await conn.run("version", stdin=asyncssh.DEVNULL)
    return result.stdout == "dokku version 0.38.27\n"


async def test_rtt_delays_every_exchange_then_goes_away(sandbox_stack, sandbox_known_hosts):
    sandbox_stack.set_fault(rtt_ms=120)
    started = time.monotonic()
    assert await version_ok(sandbox_stack, sandbox_known_hosts)
    # Handshake and command need several round trips; each costs at least 120 ms.
    assert time.monotonic() - started >= 0.36
    sandbox_stack.set_fault(rtt_ms=0)
    assert await version_ok(sandbox_stack, sandbox_known_hosts)


async def test_build_line_delay_paces_the_build_and_output_streams(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    s = sandbox_stack
    assert (await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")).returncode == 0
    s.set_fault(build_line_delay_ms=30)
    async with connect(s, sandbox_known_hosts) as conn:
        process = await conn.create_process(f"ps:rebuild {unique_app}", stdin=asyncssh.DEVNULL)
        first = await process.stdout.readline()
        assert first == "-----> Cleaning up...\n"
        assert process.exit_status is None  # still building: lines arrive as they are made
        started = time.monotonic()
        rest = await process.stdout.read()
        await process.wait()
    assert time.monotonic() - started >= 10 * 0.03
    assert rest.rstrip("\n").endswith(f"http://{unique_app}.staging.localhost")
    s.set_fault(build_line_delay_ms=0)


async def test_build_fail_rejects_the_push_until_switched_off(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, remote_lines
):
    s = sandbox_stack
    s.set_fault(build_fail=True)
    done = await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 1
    assert remote_lines(done.stderr)[-1] == " !     App build failed"
    assert "(pre-receive hook declined)" in done.stderr
    s.set_fault(build_fail=False)
    done = await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 0
    assert s.deployed_sha(unique_app) == head_sha(demo_repo)


async def test_release_fail_rejects_the_push_after_the_build(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, remote_lines
):
    s = sandbox_stack
    s.set_fault(release_fail=True)
    done = await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")
    lines = remote_lines(done.stderr)
    assert done.returncode == 1
    assert "       Procfile declares types -> web, worker" in lines
    assert lines[-1] == " !     Execution of release task failed: ./release.sh"
    s.clear_faults()
    assert (await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")).returncode == 0


async def test_connection_drops_after_n_output_lines(sandbox_stack, sandbox_known_hosts, unique_app):
    s = sandbox_stack
    await s.dokku("apps:create", unique_app)
    s.set_fault(drop_after_lines=3)
    async with connect(s, sandbox_known_hosts) as conn:
        process = await conn.create_process(f"ps:report {unique_app}", stdin=asyncssh.DEVNULL)
        received = await process.stdout.read()
        await process.wait_closed()
        assert process.exit_status is None
    assert received.count("\n") == 3
    done = await ssh(s, sandbox_known_hosts, "ps:report", unique_app)
    assert done.returncode == 255 and done.stdout.count("\n") == 3
    s.set_fault(drop_after_lines=0)
    done = await ssh(s, sandbox_known_hosts, "ps:report", unique_app)
    assert done.returncode == 0 and done.stdout.count("\n") > 3


async def test_connection_drop_breaks_a_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app):
    s = sandbox_stack
    s.set_fault(drop_after_lines=8)
    done = await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")
    assert done.returncode != 0
    assert "Application deployed" not in done.stderr


async def test_auth_refused(sandbox_stack, sandbox_known_hosts):
    sandbox_stack.set_fault(auth_refused=True)
    with pytest.raises(asyncssh.PermissionDenied):
        await version_ok(sandbox_stack, sandbox_known_hosts)
    done = await ssh(sandbox_stack, sandbox_known_hosts, "version")
    assert done.returncode == 255 and "Permission denied (publickey)" in done.stderr
    sandbox_stack.set_fault(auth_refused=False)
    assert await version_ok(sandbox_stack, sandbox_known_hosts)


async def test_host_key_changed(sandbox_stack, sandbox_known_hosts):
    original = sandbox_stack.host_public_key
    sandbox_stack.set_fault(host_key_changed=True)
    assert sandbox_stack.host_public_key != original
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await version_ok(sandbox_stack, sandbox_known_hosts)
    done = await ssh(sandbox_stack, sandbox_known_hosts, "version")
    assert done.returncode == 255 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in done.stderr
    sandbox_stack.set_fault(host_key_changed=False)
    assert await version_ok(sandbox_stack, sandbox_known_hosts)


async def test_port_closed_then_open_again_on_the_same_port(sandbox_stack, sandbox_known_hosts):
    port = sandbox_stack.port
    sandbox_stack.set_fault(port_closed=True)
    with pytest.raises(OSError):
        await version_ok(sandbox_stack, sandbox_known_hosts)
    sandbox_stack.set_fault(port_closed=False)
    assert sandbox_stack.port == port
    assert await version_ok(sandbox_stack, sandbox_known_hosts)


async def test_port_closed_cuts_open_connections(sandbox_stack, sandbox_known_hosts):
    async with connect(sandbox_stack, sandbox_known_hosts) as conn:
        assert (await conn.run("version", stdin=asyncssh.DEVNULL)).exit_status == 0
        sandbox_stack.set_fault(port_closed=True)
        with pytest.raises((asyncssh.ConnectionLost, asyncssh.ChannelOpenError, OSError)):
            await asyncio.wait_for(conn.run("version", stdin=asyncssh.DEVNULL), 5)


async def test_stuck_deploy_lock(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, remote_lines):
    s = sandbox_stack
    await s.dokku("apps:create", unique_app)
    s.set_fault(deploy_locked=True)
    assert (await s.dokku("apps:report", unique_app, "--app-locked")).stdout == "true\n"
    done = await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 1
    assert remote_lines(done.stderr)[-2] == (
        f" !     {unique_app} currently has a deploy lock in place. Exiting..."
    )
    s.set_fault(deploy_locked=False)
    assert (await git_push(s, sandbox_known_hosts, demo_repo, unique_app, "main")).returncode == 0


async def test_formation_lock_refuses_manual_scaling(sandbox_stack, sandbox_known_hosts, unique_app):
    s = sandbox_stack
    await s.dokku("apps:create", unique_app)
    s.set_fault(formation_lock=True)
    done = await ssh(s, sandbox_known_hosts, "ps:scale", unique_app, "web=2")
    assert (done.returncode, done.stderr) == (
        1,
        f" !     App {unique_app} contains an app.json file with a formations key "
        "and cannot be manually scaled\n",
    )
    assert (await s.dokku("ps:report", unique_app, "--ps-can-scale")).stdout == "false\n"
    s.set_fault(formation_lock=False)
    assert (await s.dokku("ps:scale", unique_app, "web=2")).exit_status == 0


async def test_app_json_formations_in_the_pushed_code_also_lock_scaling(
    sandbox_stack, sandbox_known_hosts, demo_repo, unique_app
):
    commit(demo_repo, "formations", {"app.json": '{"formation": {"web": {"quantity": 2}}}'})
    assert (await git_push(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app, "main")).returncode == 0
    result = await sandbox_stack.dokku("ps:scale", unique_app, "web=3")
    assert result.exit_status == 1 and "formations key" in result.stderr


async def test_faults_switched_from_another_process_reach_the_running_server(
    sandbox_stack, sandbox_known_hosts
):
    base = sandbox_stack.state_dir.parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ownstack_tui.sandbox",
            "fault",
            "--dir",
            str(base),
            "staging",
            "auth_refused=true",
        ],
        check=True,
        capture_output=True,
    )
    refused = False
    for _ in range(40):  # the server polls faults.json a few times a second
        try:
            await version_ok(sandbox_stack, sandbox_known_hosts)
        except asyncssh.PermissionDenied:
            refused = True
            break
        await asyncio.sleep(0.05)
    assert refused
