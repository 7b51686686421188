"""Direct to dokku over SSH: connection pool, command builder, parsers, client, git push.

Importing this package never imports asyncssh; that happens when a stack is first contacted.

Public API::

    from ownstack_tui.backends.dokku import DokkuClient, SshPool, push, accept_host_key

    async with SshPool(connect_timeout=10.0, max_handshakes=8,
                       accept_new_host_keys=False) as pool:   # one per process/engine
        client = DokkuClient(stack, pool)                     # cheap; one per stack as needed
        await client.version()                                # "0.38.27"
        result = await client.run(["config:get", "shop", "KEY"])  # CommandResult, never raises
        result.exit_status, result.stdout, result.stderr, result.ok, result.message
        await client.check([...])                             # raises DokkuCommandError if != 0

        await client.apps_list() / app_exists(app) / app_create(app) -> bool (False: existed)
        await client.app_destroy(app) / app_unlock(app)
        await client.app_report(app) -> dict;  await client.deploy_source(app) -> DeploySource
        await client.deployed_sha(app) -> str | None          # apps:report metadata (§11)
        await client.config_export(app) -> dict[str, str]
        await client.config_set(app, {"K": "v"}, restart=False)   # --encoded
        await client.config_unset(app, ["K"], restart=True)
        await client.ps_scale(app) -> {"web": 1};  await client.ps_scale_set(app, {"web": 2})
        await client.ensure_service("postgres", app) -> ServiceState(name, created, linked)
        await client.deploy_branch(app) -> "main";  await client.set_deploy_branch(app, "main")
        await client.git_from_image(app, image, on_line=print) -> CommandResult
        async with contextlib.aclosing(client.logs(app, num=100, ps="web", follow=True)) as lines:
            async for line in lines: line.timestamp, line.process, line.message, line.raw

        result = await push(client, repo_path, "main", app, on_line=print)  # PushResult
        result.ok, result.sha, result.reason, result.locked, result.up_to_date, result.lines

        pool.handshakes                                       # connection attempts so far

Errors (``.errors``), each one line naming the stack: ``UnknownHostKey`` (``.fingerprint``,
``.key_type``, ``.host``, ``.port``; trust it with ``accept_host_key(error)``),
``HostKeyChanged``, ``AuthenticationFailed``, ``StackUnreachable``, ``ConnectTimeout``,
``ConnectionDropped``, ``DokkuCommandError`` (``AppNotFound``, ``DeployLocked`` with
``.unlock_hint``), and ``CommandTooLong`` (bad input, exit 2).
"""

from __future__ import annotations

from .client import CommandResult, DokkuClient, ServiceState
from .errors import (
    AppNotFound,
    AuthenticationFailed,
    CommandTooLong,
    ConnectionDropped,
    ConnectTimeout,
    DeployLocked,
    DokkuCommandError,
    HostKeyChanged,
    HostKeyError,
    StackError,
    StackUnreachable,
    UnknownHostKey,
)
from .hostkeys import accept_host_key
from .pool import SshPool
from .push import PushResult, push

__all__ = [
    "AppNotFound",
    "AuthenticationFailed",
    "CommandResult",
    "CommandTooLong",
    "ConnectTimeout",
    "ConnectionDropped",
    "DeployLocked",
    "DokkuClient",
    "DokkuCommandError",
    "HostKeyChanged",
    "HostKeyError",
    "PushResult",
    "ServiceState",
    "SshPool",
    "StackError",
    "StackUnreachable",
    "UnknownHostKey",
    "accept_host_key",
    "push",
]
