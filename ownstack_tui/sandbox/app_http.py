"""The stand-in's running apps: whether their processes run, and a tiny HTTP server answering
each deployed app's health path, so a rollout's health gate has something real to ask.

One server per stack on 127.0.0.1 serves every app under ``/<app>/...``; its port is kept in
``<state>/http.json`` so ``urls`` (in any process: asyncssh server or forced command) reports
``http://127.0.0.1:<port>/<app>``. dokku's own URL (``http://<app>.<stack>.localhost``) does
not resolve here, which is why ``urls`` gives the address that does.

Faults: ``unhealthy`` (processes exited, every path answers 503) and ``slow_health`` N (for N
seconds after a deploy the processes are restarting and the app answers 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from ownstack_tui.sandbox.faults import Faults
from ownstack_tui.sandbox.state import StackState

HTTP_FILE = "http.json"


def process_status(state: StackState, app: str, faults: Faults, now: float | None = None) -> str:
    """What docker would say of the app's containers: running, restarting or exited."""
    return status_from_meta(state.meta(app), faults, now)


def status_from_meta(meta: dict[str, Any], faults: Faults, now: float | None = None) -> str:
    if not meta["restore"] or faults.unhealthy:
        return "exited"
    now = time.time() if now is None else now
    if faults.slow_health and now - float(meta["started_at"] or 0) < faults.slow_health:
        return "restarting"
    return "running"


def http_port(state: StackState) -> int | None:
    try:
        return int(json.loads((state.root / HTTP_FILE).read_text())["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def app_urls(state: StackState, app: str) -> list[str]:
    port = http_port(state)
    if port is None:
        return [f"http://{app}.{state.name}.localhost"]
    return [f"http://127.0.0.1:{port}/{app}"]


def answer(state: StackState, path: str) -> tuple[int, str]:
    """(status, body) for a GET of ``path`` (``/<app>/...``)."""
    app = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
    if not state.app_exists(app):
        return 404, "no such app"
    if not state.meta(app)["deployed"]:
        return 503, "not deployed"
    status = process_status(state, app, state.faults())
    if status != "running":
        return 503, f"processes {status}"
    return 200, "ok"


class AppHttpServer:
    """Serves every app of one stack; started and stopped with the stack."""

    def __init__(self, state: StackState) -> None:
        self.state = state
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = int(self._server.sockets[0].getsockname()[1])
        path: Path = self.state.root / HTTP_FILE
        path.write_text(json.dumps({"port": port}))
        return port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        with contextlib.suppress(OSError):
            (self.state.root / HTTP_FILE).unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            words = request.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(words) < 2 or words[0] != "GET":
                status, body = 405, "GET only"
            else:
                status, body = answer(self.state, words[1])
            data = body.encode()
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: text/plain\r\nContent-Length: {len(data)}\r\n"
                "Connection: close\r\n\r\n".encode() + data
            )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()
