"""The stand-in's front door: the bearer-token check, then the slow and failing faults."""

from __future__ import annotations

import asyncio
import hmac

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import FaultSwitch


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Guard:
    """ASGI middleware: bearer-token check, then the slow and failing faults."""

    def __init__(self, app: ASGIApp, tokens: dict[str, bool], faults: FaultSwitch) -> None:
        self.app = app
        self.tokens = tokens  # token -> may change things
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = given.partition(" ")
        writer = None
        if scheme.lower() == "bearer":
            for known, may_write in self.tokens.items():
                if hmac.compare_digest(known.encode(), token.encode()):
                    writer = may_write
        if writer is None:
            response: Response = error_response(401, "missing or invalid bearer token")
        elif not writer and scope["method"] != "GET":
            response = error_response(403, "this token may only read")
        else:
            faults = self.faults.current
            if faults.slow_ms:
                await asyncio.sleep(faults.slow_ms / 1000)
            if not self.faults.take_failure(scope["method"]):
                await self.app(scope, receive, send)
                return
            response = error_response(500, "injected failure (fault switch)")
        await response(scope, receive, send)
