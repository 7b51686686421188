"""A TCP relay in front of a stack's SSH port: the network faults live here.

Every chunk is held back rtt/2 in each direction (order kept), so handshakes and commands pay
the round trip as over a WAN. "Port closed" stops listening and cuts live connections; the
port is bound again, synchronously, when the fault is cleared.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable

from ownstack_tui.sandbox.faults import Faults


class DelayProxy:
    def __init__(self, target_port: Callable[[], int], faults: Callable[[], Faults]) -> None:
        self._target_port = target_port
        self._faults = faults
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open_task: asyncio.Task[None] | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        return self._server is not None or self._open_task is not None

    def open(self) -> int:
        """Bind now (port stays the same across close/open); accept from the running loop."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(128)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, sock=sock)
            self._open_task = None

        self._open_task = asyncio.get_running_loop().create_task(serve())
        return self.port

    async def wait_open(self) -> None:
        if self._open_task is not None:
            await self._open_task

    def close(self) -> None:
        """Stop listening and cut every relayed connection."""
        if self._open_task is not None:
            self._open_task.cancel()
            self._open_task = None
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()
        self._writers.clear()

    async def aclose(self) -> None:
        """close(), then wait for the relays to wind down."""
        self.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self._target_port())
        except OSError:
            client_w.transport.abort()
            return
        self._writers.update((client_w, up_w))
        try:
            await asyncio.gather(self._pump(client_r, up_w), self._pump(up_r, client_w))
        except asyncio.CancelledError:
            # Shutting down; asyncio's stream callback would report a cancelled handler.
            pass
        finally:
            for writer in (client_w, up_w):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    with contextlib.suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                try:
                    data = await reader.read(65536)
                except OSError:
                    data = b""
                delay = self._faults().rtt_ms / 2000
                queue.put_nowait((loop.time() + delay, data))
                if not data:
                    break
            await sender
        except (OSError, ConnectionError):
            pass
        finally:
            sender.cancel()
