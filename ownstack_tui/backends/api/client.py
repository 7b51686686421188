"""One ``httpx.AsyncClient`` per control plane: auth, retries, and one clear error per failure.

Idempotent reads (GET) retry with backoff on connection errors, timeouts and 5xx. Anything
that changes state is retried only when the request provably never left (the connection
could not be opened): a deploy POST is never repeated on a timeout or an error answer, since
the control plane may already have started it. Every message names the URL and the request,
never the token (and any text from the server is scrubbed of it too).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from ownstack_tui.errors import InvalidInput

from .credentials import Credentials
from .errors import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRejected,
    ApiServerError,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnreachable,
    DeployInProgress,
)

TIMEOUT_ENV = "OWNSTACK_API_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 3
BACKOFF = 0.25  # seconds before the 2nd try; doubles each time
MASK = "••••••"

# Failures after which a request may or may not have reached the control plane.
_AMBIGUOUS = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout, httpx.RemoteProtocolError,
              httpx.ReadError, httpx.WriteError)
# Failures before anything was sent: safe to retry any request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


def timeout_from_env() -> float:
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise InvalidInput(f"${TIMEOUT_ENV}={text!r}: give a number of seconds between 0 and 3600")
    return value


class ApiClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = BACKOFF,
    ) -> None:
        self.url = credentials.url
        self.token_source = credentials.token_source
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._token = credentials.token
        self._http = httpx.AsyncClient(
            base_url=self.url,
            headers={
                "Authorization": f"Bearer {credentials.token.reveal()}",
                "Accept": "application/json",
                "User-Agent": "ownstack-tui",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,  # a redirect could carry the token to another host
        )

    def __repr__(self) -> str:
        return f"ApiClient({self.url!r}, token from {self.token_source})"

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def retry_cycle(self) -> float:
        """Seconds a GET may take with all its tries and pauses: the bound callers wait."""
        pauses = sum(self.backoff * 2 ** (attempt - 2) for attempt in range(2, self.attempts + 1))
        return self.attempts * self.timeout + pauses

    # -- requests --------------------------------------------------------------------------

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """A GET with retries; returns the decoded JSON body."""
        return await self._request("GET", path, params=params, idempotent=True)

    async def send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        *,
        conflict: str | None = None,
    ) -> Any:
        """A state-changing request; retried only when it cannot have been sent."""
        return await self._request(
            method, path, params=params, json=dict(body), idempotent=False, conflict=conflict
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        idempotent: bool,
        json: Any = None,
        conflict: str | None = None,
    ) -> Any:
        last: ApiError | None = None
        loop = asyncio.get_running_loop()
        started = loop.time()
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 2))
            try:
                response = await self._http.request(method, path, params=_query(params), json=json)
            except _NOT_SENT as error:
                last = self._transport_error(error, method, path, attempt, took=loop.time() - started)
                continue
            except httpx.TimeoutException as error:
                last = self._transport_error(error, method, path, attempt, took=loop.time() - started)
                if idempotent:
                    continue
                raise last from None
            except (*_AMBIGUOUS, httpx.TransportError) as error:
                last = self._transport_error(error, method, path, attempt, took=loop.time() - started)
                if idempotent:
                    continue
                raise last from None
            took = loop.time() - started
            if response.status_code >= 500 and idempotent:
                last = self.error_for(response, method, path, attempt=attempt, took=took)
                continue
            if response.status_code >= 400:
                raise self.error_for(
                    response, method, path, attempt=attempt, conflict=conflict, took=took
                )
            try:
                return response.json()
            except ValueError:
                raise ApiError(
                    f"the control plane at {self.url} answered {method} {path} with something "
                    "that is not JSON"
                ) from None
        assert last is not None
        raise last

    @contextlib.asynccontextmanager
    async def stream(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_timeout: float | None,
    ) -> AsyncIterator[httpx.Response]:
        """An open streaming GET (status already checked). Not retried: callers resume."""
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0), read=read_timeout)
        request = self._http.build_request("GET", path, params=_query(params), timeout=timeout)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as error:
            raise self._transport_error(error, "GET", path, 1) from None
        try:
            if response.status_code >= 400:
                await response.aread()
                raise self.error_for(response, "GET", path, attempt=1)
            yield response
        finally:
            await response.aclose()

    async def stream_lines(
        self, response: httpx.Response, path: str
    ) -> AsyncIterator[list[str]]:
        """Complete lines in batches, as they arrive. A cut stream raises ApiUnreachable (or
        ApiTimeout) after the last complete line; a partial line is never yielded then."""
        pending = b""
        try:
            async for chunk in response.aiter_raw():
                pending += chunk
                if b"\n" not in pending:
                    continue
                *complete, pending = pending.split(b"\n")
                yield [_decode(line) for line in complete]
        except httpx.TransportError as error:
            raise self._transport_error(error, "GET", path, 1, stream=True) from None
        if pending:
            yield [_decode(pending)]

    # -- errors ------------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        token = self._token.reveal()
        return text.replace(token, MASK) if token else text

    def _transport_error(
        self,
        error: Exception,
        method: str,
        path: str,
        attempt: int,
        stream: bool = False,
        took: float = 0.0,
    ) -> ApiError:
        tries = f" (tried {attempt} times in {took:.1f} s)" if attempt > 1 else ""
        if isinstance(error, httpx.TimeoutException):
            what = "stopped sending" if stream else "did not answer"
            return ApiTimeout(
                f"the control plane at {self.url} {what} {method} {path} "
                f"within {self.timeout:g} s{tries}"
            )
        if stream:
            return ApiUnreachable(
                f"the control plane at {self.url} cut the stream of {method} {path}: "
                f"{self.redact(_reason(error))}"
            )
        return ApiUnreachable(
            f"cannot reach the control plane at {self.url} ({method} {path}): "
            f"{self.redact(_reason(error))}{tries}"
        )

    def error_for(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        *,
        attempt: int = 1,
        conflict: str | None = None,
        took: float = 0.0,
    ) -> ApiError:
        code = response.status_code
        detail = self.redact(_server_message(response))
        where = f"the control plane at {self.url}"
        if code == 401:
            return ApiUnauthorized(
                f"{where} refused the API token from {self.token_source} (401 Unauthorized); "
                "check that it is current and meant for this control plane"
            )
        if code == 403:
            return ApiForbidden(
                f"the API token from {self.token_source} may not {method} {path} on {where} "
                f"(403 Forbidden){': ' + detail if detail else ''}"
            )
        if code == 404:
            return ApiNotFound(f"{where}: {detail or 'not found'} ({method} {path}: 404)")
        if code == 409:
            text = conflict or "a deploy is already in progress"
            return DeployInProgress(
                f"{text}{': ' + detail if detail else ''} (409 from {self.url})"
            )
        if code >= 500:
            tries = f", tried {attempt} times in {took:.1f} s" if attempt > 1 else ""
            return ApiServerError(
                f"{where} failed: HTTP {code} on {method} {path}{tries}"
                f"{': ' + detail if detail else ''}"
            )
        return ApiRejected(
            f"{where} refused {method} {path} (HTTP {code}): {detail or 'no reason given'}"
        )


def _query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None}


def _decode(line: bytes) -> str:
    return line.decode("utf-8", errors="replace").removesuffix("\r")


def _reason(error: Exception) -> str:
    if isinstance(error, httpx.ConnectError):
        # httpx says "All connection attempts failed"; the OS's reason is further down.
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
                return "connection refused"
            if isinstance(cause, OSError) and cause.strerror:
                return cause.strerror.lower()
            cause = cause.__cause__ or cause.__context__
        return str(error) or "could not connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection closed before the answer was complete"
    return str(error) or type(error).__name__


def _server_message(response: httpx.Response) -> str:
    """The ``error`` field of a JSON error body, or the first line of a text one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"].strip().splitlines()[0] if body["error"].strip() else ""
    text = response.text.strip()
    return text.splitlines()[0][:200] if text else ""
