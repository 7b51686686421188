"""The connection pool: one connection per stack, host keys, and fast, clear failures."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.dokku import hostkeys
from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.errors import (
    AuthenticationFailed,
    CommandTimeout,
    ConnectionDropped,
    ConnectTimeout,
    HostKeyChanged,
    StackError,
    StackUnreachable,
    UnknownHostKey,
)
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.model.fleet import Stack

from .tiny_server import TinyServer, new_server


def trust(server: TinyServer) -> None:
    hostkeys.append_known_host(server.known_hosts_line())


def stack_for(server: TinyServer, name: str = "staging", **changes: object) -> Stack:
    fields: dict[str, object] = {
        "name": name,
        "host": "127.0.0.1",
        "port": server.port,
        "identity": str(server.client_key_path),
    }
    fields.update(changes)
    return Stack(**fields)  # type: ignore[arg-type]


async def test_every_command_on_a_stack_shares_one_connection(server: TinyServer) -> None:
    trust(server)
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        results = await asyncio.gather(*(client.run(["echo", str(n)]) for n in range(10)))
        results.append(await DokkuClient(stack_for(server), pool).run(["echo", "again"]))
    assert [r.stdout for r in results[:3]] == ["echo 0\n", "echo 1\n", "echo 2\n"]
    assert pool.handshakes == 1
    assert server.connections == 1


async def test_each_stack_gets_its_own_connection(server: TinyServer) -> None:
    trust(server)
    async with SshPool(max_handshakes=1) as pool:
        stacks = [stack_for(server, name) for name in ("staging", "prod-east", "prod-west")]
        await asyncio.gather(*(DokkuClient(s, pool).run(["echo", s.name]) for s in stacks))
        await asyncio.gather(*(DokkuClient(s, pool).run(["echo", s.name]) for s in stacks))
    assert pool.handshakes == 3


async def test_simultaneous_handshakes_to_one_sshd_are_bounded(server: TinyServer) -> None:
    trust(server)
    async with SshPool(max_handshakes=2) as pool:
        stacks = [stack_for(server, f"stack-{n}") for n in range(8)]
        await asyncio.gather(*(DokkuClient(s, pool).run(["echo", s.name]) for s in stacks))
    assert server.connections == 8
    assert server.most_handshaking <= 2


async def test_a_silent_host_does_not_hold_up_the_others(server: TinyServer) -> None:
    trust(server)

    async def never_speak(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    silent = await asyncio.start_server(never_speak, "127.0.0.1", 0)
    finished: list[str] = []
    try:
        stuck = Stack(name="stuck", host="127.0.0.1", port=silent.sockets[0].getsockname()[1])
        async with SshPool(connect_timeout=1.0, max_handshakes=1) as pool:

            async def run(stack: Stack) -> None:
                with contextlib.suppress(ConnectTimeout):
                    await DokkuClient(stack, pool).run(["echo", "x"])
                finished.append(stack.name)

            await asyncio.gather(run(stuck), run(stack_for(server, "healthy")))
    finally:
        silent.close()
        await silent.wait_closed()
    assert finished == ["healthy", "stuck"]


async def test_a_dropped_connection_fails_the_command_then_reconnects(
    server: TinyServer,
) -> None:
    trust(server)
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        await client.run(["echo", "first"])
        with pytest.raises(ConnectionDropped, match="stack staging: connection lost"):
            await client.run(["drop"])
        result = await client.run(["echo", "after"])
    assert result.stdout == "echo after\n"
    assert pool.handshakes == 2


async def test_a_command_that_never_answers_times_out_and_the_connection_goes_on(
    server: TinyServer,
) -> None:
    """The channel opens, the command never ends: the command timeout ends the wait, names
    the setting, and the stack's connection still serves the next command."""
    trust(server)
    async with SshPool(command_timeout=0.5) as pool:
        client = DokkuClient(stack_for(server), pool)
        await client.run(["echo", "first"])
        started = time.monotonic()
        expected = r"hang timed out: no answer within 0\.5 s .*timeouts\.command"
        with pytest.raises(CommandTimeout, match=expected):
            await client.run(["hang"])
        assert time.monotonic() - started < 5
        result = await client.run(["echo", "after"])
    assert result.stdout == "echo after\n"
    assert pool.handshakes == 1


async def test_unknown_host_key_is_reported_with_its_fingerprint(server: TinyServer) -> None:
    async with SshPool() as pool:
        client = DokkuClient(stack_for(server), pool)
        with pytest.raises(UnknownHostKey) as caught:
            await client.run(["echo", "hi"])
        error = caught.value
        assert (error.stack, error.host, error.port) == ("staging", "127.0.0.1", server.port)
        assert error.key_type == "ssh-ed25519"
        assert error.fingerprint == server.host_key.get_fingerprint("sha256")
        assert error.fingerprint in str(error)
        assert server.commands == []

        saved = hostkeys.accept_host_key(error)
        assert saved == paths.known_hosts_path()
        assert (await client.run(["echo", "hi"])).stdout == "echo hi\n"


async def test_accept_new_saves_an_unknown_key_in_our_known_hosts(server: TinyServer) -> None:
    async with SshPool(accept_new_host_keys=True) as pool:
        await DokkuClient(stack_for(server), pool).run(["echo", "hi"])
    assert server.known_hosts_line() in paths.known_hosts_path().read_text().splitlines()


async def test_the_users_own_known_hosts_is_honoured(server: TinyServer) -> None:
    user_file = hostkeys.user_known_hosts_path()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text(server.known_hosts_line() + "\n")
    async with SshPool() as pool:
        assert (await DokkuClient(stack_for(server), pool).run(["echo", "x"])).ok
    assert not paths.known_hosts_path().exists()


async def test_changed_host_key_is_refused_even_with_accept_new(server: TinyServer) -> None:
    import asyncssh

    old_key = asyncssh.generate_private_key("ssh-ed25519")
    hostkeys.append_known_host(server.known_hosts_line(old_key))
    async with SshPool(accept_new_host_keys=True) as pool:
        with pytest.raises(HostKeyChanged) as caught:
            await DokkuClient(stack_for(server), pool).run(["echo", "hi"])
    error = caught.value
    assert error.fingerprint == server.host_key.get_fingerprint("sha256")
    assert "HOST KEY CHANGED" in str(error)
    assert old_key.get_fingerprint("sha256") in str(error)
    assert server.commands == []


async def test_refused_key_is_an_authentication_failure(server: TinyServer) -> None:
    import asyncssh

    trust(server)
    stranger = server.directory / "id_stranger"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(stranger))
    async with SshPool() as pool:
        with pytest.raises(AuthenticationFailed, match=r"stack staging: .* refused our SSH keys"):
            await DokkuClient(stack_for(server, identity=str(stranger)), pool).run(["echo"])


async def test_closed_port_is_unreachable(server: TinyServer) -> None:
    stack = stack_for(server)
    await server.stop()
    async with SshPool() as pool:
        with pytest.raises(StackUnreachable, match=f"connection refused by dokku@127.0.0.1:{stack.port}"):
            await DokkuClient(stack, pool).run(["echo"])


async def test_a_silent_server_times_out_within_the_connect_timeout(tmp_path: Path) -> None:
    async def never_speak(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # hold the socket open, say nothing
        writer.close()

    silent = await asyncio.start_server(never_speak, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        stack = Stack(name="staging", host="127.0.0.1", port=port)
        async with SshPool(connect_timeout=0.3) as pool:
            with pytest.raises(ConnectTimeout, match=r"no SSH answer .* within 0.3 s"):
                await DokkuClient(stack, pool).run(["echo"])
    finally:
        silent.close()
        await silent.wait_closed()


async def test_missing_identity_file_is_named(server: TinyServer) -> None:
    async with SshPool() as pool:
        with pytest.raises(StackError, match=r"identity file .*nope not found"):
            await DokkuClient(stack_for(server, identity="/nope"), pool).run(["echo"])


async def test_ssh_config_host_alias_is_honoured(server: TinyServer) -> None:
    trust(server)
    ssh_dir = Path("~/.ssh").expanduser()
    ssh_dir.mkdir(parents=True, exist_ok=True)
    (ssh_dir / "config").write_text(
        "Host staging-alias\n"
        "    HostName 127.0.0.1\n"
        f"    Port {server.port}\n"
        f"    IdentityFile {server.client_key_path}\n"
    )
    stack = Stack(name="staging", host="staging-alias")
    async with SshPool() as pool:
        assert (await DokkuClient(stack, pool).run(["echo", "via-alias"])).ok


async def test_ssh_config_proxyjump_is_honoured(server: TinyServer, tmp_path: Path) -> None:
    jump = new_server(tmp_path / "jump-host")
    (tmp_path / "jump-host").mkdir()
    await jump.start()
    try:
        trust(server)
        # The jump host's key is checked by asyncssh against ~/.ssh/known_hosts, as ssh does.
        user_file = hostkeys.user_known_hosts_path()
        user_file.parent.mkdir(parents=True, exist_ok=True)
        user_file.write_text(jump.known_hosts_line() + "\n")
        (user_file.parent / "config").write_text(
            "Host jump\n"
            "    HostName 127.0.0.1\n"
            f"    Port {jump.port}\n"
            f"    IdentityFile {jump.client_key_path}\n"
            "Host behind\n"
            "    HostName 127.0.0.1\n"
            f"    Port {server.port}\n"
            "    ProxyJump jump\n"
        )
        stack = Stack(name="staging", host="behind", identity=str(server.client_key_path))
        async with SshPool() as pool:
            assert (await DokkuClient(stack, pool).run(["echo", "jumped"])).stdout == "echo jumped\n"
        assert jump.forwarded == [("127.0.0.1", server.port)]
    finally:
        await jump.stop()


@pytest.fixture
def ssh_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real ssh-agent on a private socket, stopped by PID."""
    if not shutil.which("ssh-agent"):
        pytest.skip("ssh-agent is not installed")
    sock = tmp_path / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if sock.exists():
                break
            time.sleep(0.01)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        yield sock
    finally:
        process.terminate()
        process.wait()


async def test_ssh_agent_keys_are_used(server: TinyServer, ssh_agent: Path) -> None:
    trust(server)
    subprocess.run(
        ["ssh-add", "-q", str(server.client_key_path)], check=True, capture_output=True
    )
    stack = Stack(name="staging", host="127.0.0.1", port=server.port)  # no identity
    async with SshPool() as pool:
        assert (await DokkuClient(stack, pool).run(["echo", "agent"])).ok


def test_importing_the_backend_does_not_import_asyncssh() -> None:
    code = (
        "import sys\n"
        "import ownstack_tui.backends.dokku\n"
        "from ownstack_tui.backends.dokku import backend, client, commands, parsers, pool, push\n"
        "assert 'asyncssh' not in sys.modules, 'asyncssh imported at module load'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
