"""The expected failures, below every layer. Front ends print ``str(error)`` as one line.

Backends raise these families (or subclasses of them), so the engine and the front ends can
react to a kind of failure (retry a transient one, ask about a host key) without importing a
backend: each error declares itself ``transient``; the host-key family carries the key.
"""

from __future__ import annotations


class OwnstackError(Exception):
    """An expected failure with a message fit for the user and an exit status."""

    exit_status = 1
    # True when the network failed, not the request: trying again may succeed (a dropped
    # connection, a refused connect, a 5xx). Retry loops (log tails) decide on this alone.
    transient = False


class InvalidInput(OwnstackError):
    """Bad usage or bad input: a name, key, value or file the user gave us."""

    exit_status = 2


class FleetFileError(InvalidInput):
    """The fleet file is unreadable, malformed, or changed under us."""


class NotFound(InvalidInput):
    """An app or stack name that the fleet does not know."""


class RemoteError(OwnstackError):
    """A stack (or the control plane) said no or could not be reached."""


class AppNotOnStack(RemoteError):
    """The app has not been created on that stack yet (its first deploy creates it)."""

    def __init__(self, stack: str, app: str) -> None:
        super().__init__(f"stack {stack}: app {app} does not exist there yet; its first deploy creates it")
        self.stack = stack
        self.app = app


class StackError(RemoteError):
    """A failure reaching or talking to one stack. ``stack`` is the stack's name; ``detail``
    the message without it (for places that already name the stack)."""

    def __init__(self, stack: str, message: str) -> None:
        super().__init__(f"stack {stack}: {message}")
        self.stack = stack
        self.detail = message


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
        # The line to append to known_hosts to trust this key.
        self.known_hosts_line = known_hosts_line


class UnknownHostKey(HostKeyError):
    """No key is recorded for this host: ask the user (TUI) or refuse (plain commands)."""


class HostKeyChanged(HostKeyError):
    """A different key is recorded for this host: refused, never accepted automatically."""


def is_transient(error: BaseException) -> bool:
    """Worth retrying: an error that says so, or a bare OS-level network error."""
    if isinstance(error, OwnstackError):
        return error.transient
    return isinstance(error, OSError)


def describe_failure(error: BaseException) -> str:
    """One line for any failure; unexpected ones still name their type, never a traceback."""
    if isinstance(error, OwnstackError):
        return str(error)
    if isinstance(error, TimeoutError):
        return "timed out"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
