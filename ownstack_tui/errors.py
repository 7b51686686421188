"""The expected failures. Front ends print ``str(error)`` as one line; no traceback."""

from __future__ import annotations


class OwnstackError(Exception):
    """An expected failure with a message fit for the user and an exit status."""

    exit_status = 1


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
