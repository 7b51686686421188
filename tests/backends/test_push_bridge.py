"""git push over the pooled connection, against the tiny server's real git-receive-pack.

(The same behaviours are checked against the sandbox's dokku stand-in in test_sandbox_*.)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ownstack_tui.backends.dokku import hostkeys
from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.errors import ConnectionDropped, UnknownHostKey
from ownstack_tui.backends.dokku.parsers import PushLine
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.backends.dokku.push import push
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import Stack

from .tiny_server import TinyServer


def make_repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / "Procfile").write_text("web: python -m http.server\n")
    subprocess.run(["git", "-C", str(path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "first"], check=True)
    return path


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def stack_for(server: TinyServer) -> Stack:
    return Stack("staging", "127.0.0.1", server.port, identity=str(server.client_key_path))


@pytest.fixture
def no_ssh_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only git and sh on PATH: the push must not need an ssh binary."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "sh"):
        (bin_dir / tool).symlink_to(shutil.which(tool))  # type: ignore[arg-type]
    monkeypatch.setenv("PATH", str(bin_dir))


async def test_push_streams_remote_lines_and_records_the_sha_without_ssh(
    server: TinyServer, tmp_path: Path, no_ssh_on_path: None
) -> None:
    hostkeys.append_known_host(server.known_hosts_line())
    repo = make_repo(tmp_path / "src")
    seen: list[PushLine] = []
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        await client.run(["echo", "warm"])
        result = await push(client, repo, "main", "shop", branch="main", on_line=seen.append)
    assert result.ok, result.reason
    assert result.sha == head(repo)
    assert (server.directory / "deployed").read_text().strip() == result.sha
    assert PushLine("-----> Building from refs/heads/main", remote=True) in seen
    assert PushLine("=====> Application deployed:", remote=True) in seen
    assert pool.handshakes == 1  # the push rode the same connection
    assert server.connections == 1


async def test_failed_build_reports_its_reason_line(server: TinyServer, tmp_path: Path) -> None:
    hostkeys.append_known_host(server.known_hosts_line())
    repo = make_repo(tmp_path / "src")
    (server.directory / "fail").touch()
    async with SshPool() as pool:
        result = await push(DokkuClient(stack_for(server), pool), repo, "main", "shop", branch="main")
    assert not result.ok
    assert result.reason == "Procfile not found"
    assert not (server.directory / "deployed").exists()


async def test_pushing_the_same_commit_again_is_up_to_date(
    server: TinyServer, tmp_path: Path
) -> None:
    hostkeys.append_known_host(server.known_hosts_line())
    repo = make_repo(tmp_path / "src")
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        first = await push(client, repo, "main", "shop", branch="main")
        again = await push(client, repo, "main", "shop", branch="main")
    assert first.ok and not first.up_to_date
    assert again.ok and again.up_to_date


async def test_dropped_connection_mid_build_is_a_clear_error_and_the_next_push_works(
    server: TinyServer, tmp_path: Path
) -> None:
    hostkeys.append_known_host(server.known_hosts_line())
    repo = make_repo(tmp_path / "src")
    (server.directory / "slow").touch()
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        building = asyncio.Event()

        def on_line(line: PushLine) -> None:
            if line.text.startswith("-----> Building"):
                building.set()

        task = asyncio.create_task(push(client, repo, "main", "shop", branch="main", on_line=on_line))
        await building.wait()
        (await pool.connection(client.stack)).abort()  # the network goes away mid-build
        with pytest.raises(ConnectionDropped, match="stack staging: connection lost during the push"):
            await task
        (server.directory / "slow").unlink()
        result = await push(client, repo, "main", "shop", branch="main")
    assert result.ok
    assert pool.handshakes == 2


async def test_cancelling_a_push_kills_git_and_cleans_up(
    server: TinyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostkeys.append_known_host(server.known_hosts_line())
    repo = make_repo(tmp_path / "src")
    (server.directory / "slow").touch()
    # A temp folder of this test's own (short: the bridge's socket lives in it), so pushes of
    # tests running alongside cannot show up in it.
    private = Path(tempfile.mkdtemp(prefix="t-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    before = set(private.glob("ownstack-push-*"))
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        building = asyncio.Event()
        task = asyncio.create_task(
            push(client, repo, "main", "shop", branch="main", on_line=lambda _line: building.set())
        )
        await building.wait()
        assert set(private.glob("ownstack-push-*")) != before  # the push's folder is there
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert set(private.glob("ownstack-push-*")) == before
        # The connection is still good for the next command.
        assert (await client.run(["echo", "still-here"])).ok
    assert not _git_push_processes()
    private.rmdir()


def _git_push_processes() -> list[str]:
    """Our own child processes that are still a git push."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue
        if parent == str(os.getpid()) and "push --force ownstack@" in cmdline:
            found.append(cmdline)
    return found


async def test_push_uses_the_same_host_key_decision(server: TinyServer, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "src")
    async with SshPool() as pool:
        with pytest.raises(UnknownHostKey):
            await push(DokkuClient(stack_for(server), pool), repo, "main", "shop", branch="main")
    assert not (server.directory / "repos").exists()


async def test_an_unknown_ref_is_bad_input(server: TinyServer, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "src")
    async with SshPool() as pool:
        with pytest.raises(InvalidInput, match="'nope' is not a commit"):
            await push(DokkuClient(stack_for(server), pool), repo, "nope", "shop", branch="main")
