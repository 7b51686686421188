"""The ways talking to the control plane can fail: one class and one clear line each.

Messages name the control plane's URL and what was asked, never the token.
"""

from __future__ import annotations

from ownstack_tui.errors import NotFound, RemoteError


class ApiError(RemoteError):
    """Any failure of a request to the control plane."""


class ApiUnauthorized(ApiError):
    """401: the token was not accepted."""


class ApiForbidden(ApiError):
    """403: the token is valid but may not do this."""


class ApiNotFound(ApiError, NotFound):
    """404: no such app, stack or deployment on the control plane (exit status 2: the fleet
    file names something the control plane does not know)."""

    exit_status = 2


class DeployInProgress(ApiError):
    """409: a deploy of the app is already running on one of the stacks."""


class ApiRejected(ApiError):
    """400/422: the control plane (or dokku behind it) refused the request."""


class ApiServerError(ApiError):
    """5xx, after the retries an idempotent read gets."""

    transient = True


class ApiTimeout(ApiError):
    """No answer within the timeout."""

    transient = True


class ApiUnreachable(ApiError):
    """Nothing answered: connection refused, name not resolved, connection cut."""

    transient = True
