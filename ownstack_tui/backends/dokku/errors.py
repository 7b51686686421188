"""The ways talking to a stack over SSH can fail, each a one-line message naming the stack.

Every class here is an :class:`~ownstack_tui.errors.RemoteError` (exit 1) except
:class:`CommandTooLong`, which is bad input (exit 2). Front ends print ``str(error)``.
:class:`StackError` and the host-key family live in :mod:`ownstack_tui.errors` (the front ends
handle them without importing this backend); they are named here too, for this package.
"""

from __future__ import annotations

from ownstack_tui.errors import (
    HostKeyChanged,
    HostKeyError,
    InvalidInput,
    RemoteError,
    StackError,
    UnknownHostKey,
)

__all__ = [
    "AppNotFound",
    "AuthenticationFailed",
    "CommandTimeout",
    "CommandTooLong",
    "ConnectTimeout",
    "ConnectionDropped",
    "DeployLocked",
    "DokkuCommandError",
    "HostKeyChanged",
    "HostKeyError",
    "StackError",
    "StackUnreachable",
    "UnknownHostKey",
]


class StackUnreachable(StackError):
    """Connection refused, no route, unknown host name: nothing answered as SSH."""

    transient = True


class ConnectTimeout(StackUnreachable):
    """The TCP connect or the SSH handshake did not finish within the connect timeout."""


class AuthenticationFailed(StackError):
    """The stack's sshd refused every key we offered (identity, agent, ~/.ssh defaults)."""


class ConnectionDropped(StackError):
    """An established connection was lost in the middle of a command, stream or push."""

    transient = True


class CommandTimeout(StackError):
    """An established connection stopped answering: a command, or a build that printed
    nothing, for longer than its limit (the fleet file's ``[timeouts]``)."""

    transient = True


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
