"""What an SSH connection writes in one loop turn reaches its transport as one write, in order,
and nothing written is lost when the connection closes."""

from __future__ import annotations

import asyncio

from ownstack_tui.backends.dokku.gathered_writes import GatheredWrites


class Recording(asyncio.Transport):
    """A transport that keeps what it was asked to write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


async def test_writes_of_one_loop_turn_leave_as_one_write_in_order() -> None:
    sent = Recording()
    gathered = GatheredWrites(sent, asyncio.get_running_loop())
    gathered.write(b"ignore;")
    gathered.write(b"channel-open;")
    assert sent.writes == []  # nothing yet: the turn is not over
    await asyncio.sleep(0)
    assert sent.writes == [b"ignore;channel-open;"]
    gathered.write(b"exec;")
    await asyncio.sleep(0)
    assert sent.writes == [b"ignore;channel-open;", b"exec;"]


async def test_closing_sends_what_is_pending_first() -> None:
    sent = Recording()
    gathered = GatheredWrites(sent, asyncio.get_running_loop())
    gathered.write(b"disconnect;")
    gathered.close()
    assert sent.writes == [b"disconnect;"] and sent.closed
    await asyncio.sleep(0)
    assert sent.writes == [b"disconnect;"]  # not sent twice


async def test_the_rest_is_the_transports_own() -> None:
    sent = Recording()
    gathered = GatheredWrites(sent, asyncio.get_running_loop())
    assert gathered.is_closing() is False
    sent.closed = True
    gathered.write(b"late;")
    await asyncio.sleep(0)
    assert sent.writes == []  # a closed transport is not written to
