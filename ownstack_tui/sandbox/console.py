"""Where a command's output goes, with dokku's line prefixes and the output faults.

A :class:`Sink` is the transport (an asyncssh channel, the forced command's stdio, or memory).
:class:`Console` adds dokku's prefixes (dokku.md §0), ``--quiet``, the per-line build delay,
and the "drop the connection after N output lines" fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ownstack_tui.sandbox.faults import Faults

STDOUT = 1
STDERR = 2


class DokkuFail(Exception):
    """A failure dokku reports as `` !     <message>`` on stderr with an exit status."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_status = exit_status


class CommandExit(Exception):
    """End the command now with this status (after output already written)."""

    def __init__(self, exit_status: int) -> None:
        super().__init__(exit_status)
        self.exit_status = exit_status


class ConnectionDropped(Exception):
    """The drop fault fired: the connection was aborted mid-output."""


class ClientGone(Exception):
    """The client went away (a write failed)."""


class Sink(Protocol):
    async def write(self, stream: int, data: bytes) -> None: ...

    async def read_stdin(self, size: int) -> bytes: ...

    def stdin_fd(self) -> int | None: ...

    async def abort_connection(self) -> None: ...

    def is_closed(self) -> bool: ...


class Console:
    """dokku-style output for one command."""

    def __init__(
        self,
        sink: Sink,
        faults: Faults,
        quiet: bool = False,
        live_faults: Callable[[], Faults] | None = None,
    ) -> None:
        self.sink = sink
        self.faults = faults
        self.quiet = quiet
        # Re-read while a build is paced, so switching the delay off frees a frozen build.
        self._live_faults = live_faults
        self._lines = 0

    # -- raw writes -------------------------------------------------------------------
    async def write_bytes(self, stream: int, data: bytes) -> None:
        if not data:
            return
        limit = self.faults.drop_after_lines
        if limit > 0:
            remaining = limit - self._lines
            count = data.count(b"\n")
            if count >= remaining:
                cut = -1
                for _ in range(remaining):
                    cut = data.index(b"\n", cut + 1)
                await self._write(stream, data[: cut + 1])
                await self.sink.abort_connection()
                raise ConnectionDropped()
            self._lines += count
        await self._write(stream, data)

    async def _write(self, stream: int, data: bytes) -> None:
        if not data:
            return
        try:
            await self.sink.write(stream, data)
        except (BrokenPipeError, ConnectionError, OSError) as error:
            raise ClientGone() from error

    async def out(self, text: str) -> None:
        await self.write_bytes(STDOUT, text.encode("utf-8", "surrogateescape"))

    async def err(self, text: str) -> None:
        await self.write_bytes(STDERR, text.encode("utf-8", "surrogateescape"))

    async def line(self, text: str = "") -> None:
        await self.out(text + "\n")

    # -- dokku's log helpers ----------------------------------------------------------
    async def info1(self, msg: str) -> None:
        await self.line(f"-----> {msg}")

    async def info2(self, msg: str) -> None:
        await self.line(f"=====> {msg}")

    async def verbose(self, msg: str) -> None:
        await self.line(f"       {msg}")

    async def warn(self, msg: str) -> None:
        await self.err(f" !     {msg}\n")

    async def info1_quiet(self, msg: str) -> None:
        if not self.quiet:
            await self.info1(msg)

    async def info2_quiet(self, msg: str) -> None:
        if not self.quiet:
            await self.info2(msg)

    async def verbose_quiet(self, msg: str) -> None:
        if not self.quiet:
            await self.verbose(msg)

    # -- build output (paced by the build delay fault) ---------------------------------
    async def build(self, text: str, stream: int = STDOUT) -> None:
        waited = 0.0
        faults = self._live_faults() if self._live_faults is not None else self.faults
        delay = faults.build_line_delay_ms / 1000
        while waited < delay:
            step = min(0.2, delay - waited)
            await asyncio.sleep(step)
            waited += step
            if self._live_faults is not None:
                delay = self._live_faults().build_line_delay_ms / 1000
        await self.write_bytes(stream, (text + "\n").encode("utf-8", "surrogateescape"))

    async def hold(self, field: str) -> None:
        """Wait as long as the fault ``field`` (milliseconds) says; switching it off frees."""
        waited = 0.0
        while True:
            faults = self._live_faults() if self._live_faults is not None else self.faults
            if waited >= getattr(faults, field) / 1000:
                return
            await asyncio.sleep(0.2)
            waited += 0.2

    async def build_warn(self, msg: str) -> None:
        await self.build(f" !     {msg}", STDERR)
