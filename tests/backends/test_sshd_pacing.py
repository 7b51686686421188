"""Handshake pacing against a real OpenSSH sshd with its default ``MaxStartups 10:30:100``:
sixty stacks behind one host:port connect at once, sshd drops none of them, and it takes less
time than connecting them one after another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.model.fleet import Stack
from ownstack_tui.sandbox.keys import host_pattern, public_key_text, write_known_hosts
from ownstack_tui.sandbox.sshd import SshdStack, sshd_binary

pytestmark = [
    pytest.mark.sshd,
    pytest.mark.skipif(sshd_binary() is None, reason="needs OpenSSH's sshd"),
]

STACKS = 60


@pytest.fixture
def default_sshd(tmp_path: Path) -> Iterator[SshdStack]:
    """sshd as real hosts run it (no MaxStartups line), logging each connect it drops."""
    stack = SshdStack(tmp_path / "sshd", max_startups=None, log_level="INFO")
    stack.start()
    try:
        write_known_hosts(
            paths.known_hosts_path(),
            {host_pattern(stack.host, stack.sshd_port): public_key_text(stack.host_key_path)},
        )
        yield stack
    finally:
        stack.stop()


def behind(sshd: SshdStack, count: int) -> list[Stack]:
    """``count`` fleet stacks that are all this one sshd (one host:port)."""
    return [
        Stack(
            name=f"tenant-{n}",
            host=sshd.host,
            port=sshd.sshd_port,  # sshd itself, not the sandbox's relay in front of it
            user=sshd.user,
            identity=str(sshd.client_key_path),
        )
        for n in range(count)
    ]


async def test_sixty_stacks_behind_one_sshd_connect_at_once_and_none_is_dropped(
    default_sshd: SshdStack,
) -> None:
    stacks = behind(default_sshd, STACKS)
    async with SshPool(connect_timeout=20.0) as pool:
        await pool.connection(stacks[-1])  # asyncssh imported, sshd warmed up
        serial_started = time.perf_counter()
        for stack in stacks[:10]:
            await pool.connection(stack)
        serial_each = (time.perf_counter() - serial_started) / 10
    async with SshPool(connect_timeout=20.0) as pool:
        started = time.perf_counter()
        connections = await asyncio.gather(*(pool.connection(stack) for stack in stacks))
        together = time.perf_counter() - started
        assert all(not connection.is_closed() for connection in connections)
    assert default_sshd.dropped_connects() == 0
    # Paced, not serialised: all sixty take less than sixty one after another.
    assert together < serial_each * STACKS, (together, serial_each)


async def test_connects_an_sshd_drops_past_max_startups_are_tried_again(
    default_sshd: SshdStack,
) -> None:
    # Other clients may hold sshd's unauthenticated slots too: here, pacing well above its
    # limit makes sshd drop some connects, and each dropped one is tried again.
    stacks = behind(default_sshd, STACKS)
    async with SshPool(connect_timeout=20.0, max_handshakes=30) as pool:
        connections = await asyncio.gather(*(pool.connection(stack) for stack in stacks))
        assert all(not connection.is_closed() for connection in connections)
        retried = pool.handshakes - STACKS
    dropped = default_sshd.dropped_connects()
    assert dropped > 0
    assert retried == dropped
