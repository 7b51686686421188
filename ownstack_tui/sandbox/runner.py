"""Run a dokku command straight against a state folder, collecting its output in memory."""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass
from pathlib import Path

from ownstack_tui.sandbox.console import STDOUT
from ownstack_tui.sandbox.faults import Faults


@dataclass(frozen=True)
class CommandResult:
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


class MemorySink:
    """Output to buffers, stdin from bytes; there is no connection to drop."""

    def __init__(self, stdin: bytes = b"") -> None:
        self.out = bytearray()
        self.err = bytearray()
        self._stdin = stdin
        self.aborted = False

    async def write(self, stream: int, data: bytes) -> None:
        (self.out if stream == STDOUT else self.err).extend(data)

    async def read_stdin(self, size: int) -> bytes:
        chunk, self._stdin = self._stdin[:size], self._stdin[size:]
        return chunk

    def stdin_fd(self) -> int | None:
        return None

    async def abort_connection(self) -> None:
        self.aborted = True

    def is_closed(self) -> bool:
        return self.aborted

    def result(self, status: int) -> CommandResult:
        return CommandResult(
            status,
            self.out.decode("utf-8", "replace"),
            self.err.decode("utf-8", "replace"),
        )


async def run_in_memory(
    state_dir: Path,
    command: str | None = None,
    argv: list[str] | None = None,
    stdin: bytes = b"",
    faults: Faults | None = None,
) -> CommandResult:
    """``command`` is parsed like SSH_ORIGINAL_COMMAND; ``argv`` is used as-is."""
    from ownstack_tui.sandbox.dispatch import run_argv, run_ssh_command
    from ownstack_tui.sandbox.state import StackState

    state = StackState(state_dir)
    sink = MemorySink(stdin)
    if command is not None:
        status = await run_ssh_command(state, sink, command, faults)
    else:
        status = await run_argv(state, sink, list(argv or []), faults)
    return sink.result(status)


def run_sync(coro_factory) -> CommandResult:  # type: ignore[no-untyped-def]
    """Run a coroutine to completion from sync code, even inside a running loop's thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


class StateCommands:
    """Commands straight against a stack's state folder (no SSH); mixed into stack classes."""

    state_dir: Path

    async def run(self, command: str, stdin: bytes = b"") -> CommandResult:
        """Run a command line as if received over SSH (dokku's word handling applies)."""
        return await run_in_memory(self.state_dir, command=command, stdin=stdin)

    async def dokku(self, *argv: str, stdin: bytes = b"") -> CommandResult:
        """Run ``dokku ARGV`` on the host (no SSH word handling)."""
        return await run_in_memory(self.state_dir, argv=list(argv), stdin=stdin)

    def run_sync(self, command: str, stdin: bytes = b"") -> CommandResult:
        return run_sync(lambda: self.run(command, stdin))

    def dokku_sync(self, *argv: str, stdin: bytes = b"") -> CommandResult:
        return run_sync(lambda: self.dokku(*argv, stdin=stdin))

    def set_dokku_version(self, version: str) -> None:
        """What ``version`` prints on this stack (``dokku version <version>``)."""
        from ownstack_tui.sandbox.state import StackState

        StackState(self.state_dir).set_dokku_version(version)

    def set_plugin(self, name: str, installed: bool = True) -> None:
        """Install or remove a plugin (``letsencrypt`` adds ``letsencrypt:*``)."""
        from ownstack_tui.sandbox.state import StackState

        StackState(self.state_dir).set_plugin(name, installed)

    def set_certificate(self, days: float | None) -> None:
        """A certificate for every app that expires ``days`` from now (None: no certificate)."""
        import time

        from ownstack_tui.sandbox.state import StackState

        expires = None if days is None else int(time.time() + days * 86400)
        StackState(self.state_dir).set_certificate(expires)

    def deployed_sha(self, app: str) -> str | None:
        """What dokku records for the last successful deploy (apps:report metadata)."""
        from ownstack_tui.sandbox.state import StackState

        state = StackState(self.state_dir)
        if not state.app_exists(app):
            return None
        return state.meta(app)["deploy_source_metadata"] or None
