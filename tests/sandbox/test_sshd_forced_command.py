"""The same stand-in behind a real OpenSSH sshd, as an authorized_keys forced command.

Runs in CI (openssh-server is installed there); it is not skipped.
"""

from __future__ import annotations

import asyncio
import shlex
import time

import asyncssh
import pytest

from tests.sandbox.helpers import connect, git_push, head_sha, ssh

pytestmark = pytest.mark.sshd

# (words) run on both forms; each must print and exit the same way.
SCRIPT = [
    ("apps:create", "{app}"),
    ("apps:create", "{app}"),
    ("apps:exists", "nope"),
    ("apps:create", "Bad_Name"),
    ("config:set", "--no-restart", "{app}", "K=two words; 'quoted' $x"),
    ("config:get", "{app}", "K"),
    ("config:get", "{app}", "MISSING"),
    ("config:export", "--format", "json", "{app}"),
    ("config:show", "{app}"),
    ("config:set", "--encoded", "{app}", "B=abcd="),
    ("config:set", "{app}", "--bogus", "A=1"),
    ("ps:scale", "{app}"),
    ("ps:restart", "{app}"),
    ("apps:report", "{app}", "--app-locked"),
    ("git:report", "{app}", "--git-sha"),
    ("logs", "{app}", "-n", "3"),
    ("foo:bar", "{app}"),
    ("version",),
    ("--version",),
]


async def transcript(stack, known_hosts, app: str) -> list[tuple[int, str, str]]:
    results = []
    async with connect(stack, known_hosts) as conn:
        for words in SCRIPT:
            line = " ".join(shlex.quote(word.format(app=app)) for word in words)
            result = await conn.run(line, stdin=asyncssh.DEVNULL)
            results.append((result.exit_status, str(result.stdout), str(result.stderr)))
    return results


async def test_both_forms_answer_every_command_alike(
    sandbox_fleet, sandbox_known_hosts, sshd_stack, tmp_path, unique_app
):
    known_hosts = tmp_path / "sshd_known_hosts"
    sshd_stack.write_known_hosts(known_hosts)
    through_asyncssh_server = await transcript(sandbox_fleet["prod-west"], sandbox_known_hosts, unique_app)
    through_sshd = await transcript(sshd_stack, known_hosts, unique_app)
    for words, mine, theirs in zip(SCRIPT, through_asyncssh_server, through_sshd, strict=True):
        assert mine == theirs, words
    assert through_sshd[0] == (0, f"-----> Creating {unique_app}...\n", "")
    assert through_sshd[2] == (20, "", " !     App nope does not exist\n")


async def test_openssh_client_and_git_push_through_sshd(
    sshd_stack, tmp_path, demo_repo, unique_app, remote_lines
):
    known_hosts = tmp_path / "known_hosts"
    sshd_stack.write_known_hosts(known_hosts)
    done = await ssh(sshd_stack, known_hosts, "apps:exists", unique_app)
    assert (done.returncode, done.stderr) == (20, f" !     App {unique_app} does not exist\n")
    done = await git_push(sshd_stack, known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 0, done.stderr
    lines = remote_lines(done.stderr)
    assert f"-----> Building {unique_app} from herokuish" in lines
    assert lines[-3] == "=====> Application deployed:"
    assert " * [new branch]      main -> main" in done.stderr
    assert sshd_stack.deployed_sha(unique_app) == head_sha(demo_repo)
    done = await ssh(sshd_stack, known_hosts, "apps:report", unique_app, "--app-deploy-source-metadata")
    assert done.stdout == head_sha(demo_repo) + "\n"


async def test_command_faults_reach_the_forced_command(
    sshd_stack, tmp_path, demo_repo, unique_app, remote_lines
):
    known_hosts = tmp_path / "known_hosts"
    sshd_stack.write_known_hosts(known_hosts)
    sshd_stack.set_fault(build_fail=True)
    done = await git_push(sshd_stack, known_hosts, demo_repo, unique_app, "main")
    assert done.returncode == 1 and remote_lines(done.stderr)[-1] == " !     App build failed"
    sshd_stack.set_fault(build_fail=False, drop_after_lines=2)
    done = await ssh(sshd_stack, known_hosts, "apps:report", unique_app)
    assert done.returncode == 255 and done.stdout.count("\n") == 2
    sshd_stack.set_fault(drop_after_lines=0)
    done = await ssh(sshd_stack, known_hosts, "apps:report", unique_app)
    assert done.returncode == 0 and done.stdout.count("\n") == 7


async def test_transport_faults_of_the_sshd_form(sshd_stack, tmp_path):
    known_hosts = tmp_path / "known_hosts"
    sshd_stack.write_known_hosts(known_hosts)
    sshd_stack.set_fault(auth_refused=True)
    done = await ssh(sshd_stack, known_hosts, "version")
    assert done.returncode == 255 and "Permission denied (publickey)" in done.stderr
    sshd_stack.set_fault(auth_refused=False, host_key_changed=True)
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        async with connect(sshd_stack, known_hosts):
            pass
    sshd_stack.set_fault(host_key_changed=False, port_closed=True)
    with pytest.raises(OSError):
        async with connect(sshd_stack, known_hosts):
            pass
    sshd_stack.set_fault(port_closed=False, rtt_ms=150)
    started = time.monotonic()
    async with connect(sshd_stack, known_hosts) as conn:
        result = await asyncio.wait_for(conn.run("version", stdin=asyncssh.DEVNULL), 10)
    assert result.stdout == "dokku version 0.38.27\n"
    assert time.monotonic() - started >= 0.45  # several round trips of at least 150 ms
    sshd_stack.set_fault(rtt_ms=0)
