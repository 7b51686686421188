"""Fixtures for the SSH backend tests: a pool, and model Stacks pointing at sandbox stacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.model.fleet import Stack

from .tiny_server import TinyServer, new_server


def model_stack(sandbox: Any) -> Stack:
    """The fleet-file view of a sandbox stack."""
    return Stack(
        name=sandbox.name,
        host=sandbox.host,
        port=sandbox.port,
        user=sandbox.user,
        identity=str(sandbox.client_key_path),
    )


@pytest.fixture
def trusted(sandbox_fleet: Any) -> None:
    """Every sandbox stack's host key in our known_hosts (this test's own home)."""
    path = paths.known_hosts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    sandbox_fleet.write_known_hosts(path)


@pytest.fixture
async def pool() -> AsyncIterator[SshPool]:
    async with SshPool(connect_timeout=5.0) as shared:
        yield shared


@pytest.fixture
def staging(sandbox_stack: Any, pool: SshPool, trusted: None) -> DokkuClient:
    return DokkuClient(model_stack(sandbox_stack), pool)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[TinyServer]:
    """A tiny asyncssh server with a real git-receive-pack behind it."""
    tiny = new_server(tmp_path)
    await tiny.start()
    try:
        yield tiny
    finally:
        await tiny.stop()
