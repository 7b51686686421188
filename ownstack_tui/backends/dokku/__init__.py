"""Direct to dokku over SSH: connection pool, command builder, parsers, client, git push.

Importing this package never imports asyncssh; that happens when a stack is first contacted.

Public API::

    from ownstack_tui.backends.dokku import DokkuClient, SshPool, push, accept_host_key

    async with SshPool(connect_timeout=10.0, max_handshakes=6,
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

import importlib
import sys
import types
from typing import TYPE_CHECKING

# Each public name and the submodule that defines it. They are imported on first use (PEP 562),
# so importing one submodule (say ``.errors`` for the host-key errors) does not pull in the
# client, pool and push modules: the console's start-up pays only for what it uses.
_HOMES = {
    "CommandResult": "client",
    "DokkuClient": "client",
    "ServiceState": "client",
    "AppNotFound": "errors",
    "AuthenticationFailed": "errors",
    "CommandTooLong": "errors",
    "ConnectionDropped": "errors",
    "ConnectTimeout": "errors",
    "DeployLocked": "errors",
    "DokkuCommandError": "errors",
    "HostKeyChanged": "errors",
    "HostKeyError": "errors",
    "StackError": "errors",
    "StackUnreachable": "errors",
    "UnknownHostKey": "errors",
    "accept_host_key": "hostkeys",
    "SshPool": "pool",
    "PushResult": "push",
    "push": "push",
}

if TYPE_CHECKING:
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


class _Package(types.ModuleType):
    """``push`` names both a submodule and the function in it. Importing the submodule makes
    the import system set the package's ``push`` to the module; the public name stays the
    function, as it was when this package imported everything eagerly."""

    @property
    def push(self) -> object:
        from .push import push

        return push

    @push.setter
    def push(self, value: object) -> None:
        pass  # the submodule being bound by the import system: ``.push`` stays the function


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
