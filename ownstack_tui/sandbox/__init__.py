"""Stand-in dokku hosts on 127.0.0.1, for the demo and the tests.

A *stack* is a state folder (apps, bare git repos, ENV files, scale, deploy metadata, locks,
faults) plus an asyncssh server on 127.0.0.1 whose commands behave and print like dokku
(shared/reference/dokku.md). The command handler only reads and writes the state folder, so the
same code also runs as an OpenSSH ``authorized_keys`` forced command
(``python -m ownstack_tui.sandbox.handler --state DIR``; see :mod:`.sshd`).

Public API (stable; other code and tests use only these names)::

    from ownstack_tui.sandbox import SandboxFleet, Faults, CommandResult, stack_names

    # In the current event loop:
    async with SandboxFleet(base_dir, names=["staging", "prod-east"]) as fleet:
        stack = fleet["staging"]            # also: fleet.stacks (list, in order)
        stack.name                          # "staging"
        stack.host, stack.port              # "127.0.0.1", ephemeral port (stable while running)
        stack.user                          # "dokku" (the server accepts any user name)
        stack.client_key_path               # private key (OpenSSH format, 0600); one per fleet
        stack.host_key_path                 # the stack's host key (its .pub next to it)
        stack.host_public_key               # "ssh-ed25519 AAAA..." (the key now presented)
        stack.state_dir                     # Path of the state folder
        stack.known_hosts_line()            # "[127.0.0.1]:PORT ssh-ed25519 AAAA..."
        stack.write_known_hosts(path)       # add/replace this stack's line in a known_hosts file
        fleet.write_known_hosts(path)       # same for every stack

        # Faults: stored on disk (state_dir/faults.json), switchable while running; the
        # forced-command form sees them too. Setters are synchronous and thread-safe.
        stack.set_fault(build_fail=True, build_line_delay_ms=20)
        stack.faults                        # Faults (frozen dataclass) now in force
        stack.clear_faults()

        # A dokku command straight against the state (no SSH), for assertions:
        result = await stack.run("config:get shop GIT_REV")   # parsed like SSH_ORIGINAL_COMMAND
        result = await stack.dokku("config:get", "shop", "GIT_REV")  # argv as-is, like local dokku
        result.exit_status, result.stdout, result.stderr      # CommandResult (str, str)
        stack.run_sync(...) / stack.dokku_sync(...)           # same, from synchronous code
        stack.deployed_sha("shop")          # apps:report --app-deploy-source-metadata, or None

        # The host's own facts (state, so the forced-command form sees them too):
        stack.set_dokku_version("0.37.6")   # what `version` prints (default 0.38.27)
        stack.set_plugin("letsencrypt")     # letsencrypt:list exists (absent by default)
        stack.set_certificate(75)           # a *.<stack>.sandbox.test cert for every app (None: none)
        stack.commands_received             # Counter of exec requests by command word (asyncssh form)

    # From synchronous code (pytest fixtures): the servers run on their own thread and loop,
    # so tests on any event loop can connect to them.
    with SandboxFleet.background(base_dir, names=stack_names(3)) as fleet:
        ...

    stack_names(5) == ["staging", "prod-east", "prod-west", "stack-4", "stack-5"]

Faults (all default off): ``rtt_ms`` (round-trip delay on every packet exchange, through a TCP
proxy in front of the SSH port), ``build_line_delay_ms``, ``build_fail``, ``release_fail``,
``drop_after_lines`` (abort the connection once a command has sent that many output lines),
``auth_refused``, ``host_key_changed``, ``port_closed``, ``deploy_locked`` (a deploy that never
finishes holds every app's lock), ``formation_lock`` (every app has app.json formations),
``freeze_after_auth`` (login works, then the host answers nothing: asyncssh form only),
``post_deploy_delay_ms`` (the release is recorded, then the push waits before it returns),
``cert_expiring`` (every app's certificate expires in 6 days), ``cert_expired`` (2 days ago),
``crashed="worker"`` (that process type's containers have exited: ``ps:report`` shows them).

Faults that only matter to the transport (rtt, auth, host key, port) are applied by the
server process; the others are read from faults.json by whichever process runs the command,
so they work in both forms. Clearing ``build_line_delay_ms`` frees a build that is already
running (the delay is re-read while waiting). A client that goes away mid-push stops the build.

Like dokku, commands that read stdin (``apps:destroy`` without ``--force``) wait for EOF:
clients should send EOF (asyncssh ``stdin=asyncssh.DEVNULL``; OpenSSH ``-n`` or </dev/null).

The same stack behind a real OpenSSH sshd (forced command), with the same attributes::

    from ownstack_tui.sandbox import SshdStack
    with SshdStack(base_dir) as stack:      # stack.user is the OS user running sshd
        ...                                 # every fault works here too (see sshd.py)

Pytest fixtures built on this live in ``tests/fixtures/sandbox.py``. ``python -m
ownstack_tui.sandbox up --stacks 3 --dir D`` starts stacks for the demo and ``python -m
ownstack_tui.sandbox fault --dir D STACK build_fail=true`` switches a running stack's faults
(see :mod:`.__main__`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ownstack_tui.sandbox.faults import Faults
    from ownstack_tui.sandbox.fleet import SandboxFleet, SandboxStack, stack_names
    from ownstack_tui.sandbox.runner import CommandResult
    from ownstack_tui.sandbox.sshd import SshdStack

__all__ = ["CommandResult", "Faults", "SandboxFleet", "SandboxStack", "SshdStack", "stack_names"]

# Imported lazily: the forced-command handler imports this package and must not pay for asyncssh.
_LAZY = {
    "Faults": "ownstack_tui.sandbox.faults",
    "SandboxFleet": "ownstack_tui.sandbox.fleet",
    "SandboxStack": "ownstack_tui.sandbox.fleet",
    "stack_names": "ownstack_tui.sandbox.fleet",
    "CommandResult": "ownstack_tui.sandbox.runner",
    "SshdStack": "ownstack_tui.sandbox.sshd",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
