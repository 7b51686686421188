"""The ways talking to a stack over SSH can fail, each a one-line message naming the stack.

Every class here is an :class:`~ownstack_tui.errors.RemoteError` (exit 1) except
:class:`CommandTooLong`, which is bad input (exit 2). Front ends print ``str(error)``.
"""

from __future__ import annotations

from ownstack_tui.errors import InvalidInput, RemoteError


class StackError(RemoteError):
    """A failure reaching or talking to one stack. ``stack`` is the stack's name."""

    def __init__(self, stack: str, message: str) -> None:
        super().__init__(f"stack {stack}: {message}")
        self.stack = stack
        self.detail = message


class StackUnreachable(StackError):
    """Connection refused, no route, unknown host name: nothing answered as SSH."""


class ConnectTimeout(StackUnreachable):
    """The TCP connect or the SSH handshake did not finish within the connect timeout."""


class AuthenticationFailed(StackError):
    """The stack's sshd refused every key we offered (identity, agent, ~/.ssh defaults)."""


class ConnectionDropped(StackError):
    """An established connection was lost in the middle of a command, stream or push."""


class HostKeyError(StackError):
    """Base of the two host-key refusals; carries what the UI needs to show the key."""

    def __init__(
        self,
        stack: str,
        message: str,
        *,
        host: str,
        port: int,
        key_type: str,
        fingerprint: str,
        known_hosts_line: str,
    ) -> None:
        super().__init__(stack, message)
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint
        # The line to append to known_hosts to trust this key (see hostkeys.accept_host_key).
        self.known_hosts_line = known_hosts_line


class UnknownHostKey(HostKeyError):
    """No key is recorded for this host: ask the user (TUI) or refuse (plain commands)."""


class HostKeyChanged(HostKeyError):
    """A different key is recorded for this host: refused, never accepted automatically."""


class DokkuCommandError(RemoteError):
    """dokku ran and said no: ``dokku_status`` (dokku's exit code) and its ` !     ` message.

    Not ``exit_status``: that name is this program's own exit status (1 for a remote failure)."""

    def __init__(self, stack: str, command: str, exit_status: int, message: str) -> None:
        super().__init__(f"stack {stack}: {command} failed: {message}")
        self.stack = stack
        self.command = command
        self.dokku_status = exit_status
        self.detail = message


class AppNotFound(DokkuCommandError):
    """dokku's exit 20: the app does not exist on that stack."""


class DeployLocked(DokkuCommandError):
    """A deploy lock is in place; ``unlock_hint`` is the command that clears it."""

    def __init__(
        self, stack: str, command: str, exit_status: int, message: str, unlock_hint: str
    ) -> None:
        super().__init__(stack, command, exit_status, f"{message}; to clear it: {unlock_hint}")
        self.unlock_hint = unlock_hint


class CommandTooLong(InvalidInput):
    """The SSH command line would exceed what dokku's xargs accepts."""
