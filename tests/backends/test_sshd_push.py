"""The client and the push bridge against a real OpenSSH sshd running the dokku stand-in as an
authorized_keys forced command: the way dokku itself is reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.errors import AuthenticationFailed
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.backends.dokku.push import push
from ownstack_tui.model.fleet import Stack

pytestmark = pytest.mark.sshd


@pytest.fixture
def sshd(sshd_stack: Any) -> Iterator[Stack]:
    path = paths.known_hosts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    sshd_stack.write_known_hosts(path)
    yield Stack(
        name="sshd-stack",
        host=sshd_stack.host,
        port=sshd_stack.port,
        user=sshd_stack.user,
        identity=str(sshd_stack.client_key_path),
    )


async def test_config_and_push_through_real_sshd(sshd: Stack, demo_repo: Path, unique_app: str) -> None:
    async with SshPool(connect_timeout=5.0) as pool:
        client = DokkuClient(sshd, pool)
        assert await client.app_create(unique_app)
        values = {"QUOTED": "it's \"x\" $HOME `id`", "LINES": "a\nb", "UNICODE": "☃"}
        await client.config_set(unique_app, values, restart=False)
        assert await client.config_export(unique_app) == values
        result = await push(client, demo_repo, "main", unique_app)
        assert result.ok, result.reason
        assert await client.deployed_sha(unique_app) == result.sha
        assert pool.handshakes == 1


async def test_auth_refused_by_real_sshd(sshd: Stack, sshd_stack: Any) -> None:
    sshd_stack.set_fault(auth_refused=True)
    async with SshPool(connect_timeout=5.0) as pool:
        with pytest.raises(AuthenticationFailed):
            await DokkuClient(sshd, pool).version()
