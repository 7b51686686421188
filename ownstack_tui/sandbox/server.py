"""The asyncssh server of one sandbox stack: auth, host key, and exec requests → dispatch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import asyncssh

from ownstack_tui.sandbox.console import STDOUT
from ownstack_tui.sandbox.dispatch import run_ssh_command
from ownstack_tui.sandbox.faults import Faults
from ownstack_tui.sandbox.state import StackState


class ChannelSink:
    """A command's output and input over an SSH session channel (bytes, no encoding)."""

    def __init__(self, process: asyncssh.SSHServerProcess[bytes]) -> None:
        self._process = process

    async def write(self, stream: int, data: bytes) -> None:
        if self._process.channel.is_closing():
            raise BrokenPipeError("channel closed")
        target = self._process.stdout if stream == STDOUT else self._process.stderr
        target.write(data)
        await target.drain()

    async def read_stdin(self, size: int) -> bytes:
        try:
            return await self._process.stdin.read(size)
        except (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged):
            return b""

    def stdin_fd(self) -> int | None:
        return None

    async def abort_connection(self) -> None:
        conn = self._process.get_extra_info("connection")
        if conn is not None:
            # Let the lines already written reach the client before the connection dies.
            await asyncio.sleep(0.05)
            conn.abort()

    def is_closed(self) -> bool:
        return self._process.channel.is_closing()


def _make_server_class(
    authorized: Callable[[], set[bytes]], faults: Callable[[], Faults]
) -> type[asyncssh.SSHServer]:
    frozen: list[asyncssh.SSHServerConnection] = []

    class StackServer(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            self._conn = conn

        def auth_completed(self) -> None:
            if faults().freeze_after_auth:
                # The freeze fault: stop reading, so channel opens and keepalives go
                # unanswered while TCP stays up. asyncssh has no public way to do this.
                self._conn._transport.pause_reading()  # type: ignore[attr-defined]
                # Not reading, nothing refers to the connection any more: the garbage
                # collector would close its socket. Kept for the server's lifetime.
                frozen.append(self._conn)

        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return False

        def kbdint_auth_supported(self) -> bool:
            return False

        def public_key_auth_supported(self) -> bool:
            return True

        def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
            if faults().auth_refused:
                return False
            return key.public_data in authorized()

    return StackServer


async def start_ssh_server(
    state: StackState,
    host_key: Path,
    authorized: Callable[[], set[bytes]],
    faults: Callable[[], Faults],
    running: set[asyncio.Task[None]],
    received: Counter[str] | None = None,
) -> asyncssh.SSHAcceptor:
    """Listen on an ephemeral port; ``running`` collects the command tasks (for stop());
    ``received`` counts exec requests by their first word (tests count channels with it)."""

    async def handle(process: asyncssh.SSHServerProcess[bytes]) -> None:
        task = asyncio.current_task()
        if task is not None:
            running.add(task)
            task.add_done_callback(running.discard)
        if received is not None:
            received[(process.command or "").split(" ", 1)[0]] += 1
        sink = ChannelSink(process)
        try:
            status = await run_ssh_command(state, sink, process.command or "", state.faults())
        except Exception as error:  # a bug in the stand-in must not kill the server
            process.stderr.write(f" !     sandbox error: {error!r}\n".encode())
            status = 1
        if not process.channel.is_closing():
            process.exit(status)

    return await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[str(host_key)],
        server_factory=_make_server_class(authorized, faults),
        process_factory=handle,
        encoding=None,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
        keepalive_interval=0,
        reuse_address=True,
    )
