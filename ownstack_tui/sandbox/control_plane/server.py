"""Run the stand-in: uvicorn on 127.0.0.1 in a thread of its own, with its own event loop.

Its own thread lets synchronous callers (pytest fixtures, the demo, plain commands that call
``asyncio.run``) use it while it serves. The engine and its SSH pool live on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import uvicorn

from ownstack_tui.backends.dokku.backend import DokkuBackend
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.history import History
from ownstack_tui.model.fleet import Fleet

from .faults import ApiFaults, FaultSwitch
from .registry import Registry
from .routes import build_app
from .streams import DropConnection

START_TIMEOUT = 10.0
STOP_GRACE = 1  # seconds open streams get before the server closes them


class _HideDrops(logging.Filter):
    """The dropped-stream fault cuts connections on purpose; do not log those as crashes."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, DropConnection):
                return False
            if isinstance(error, BaseExceptionGroup):
                error = error.exceptions[0] if error.exceptions else None
                continue
            error = error.__cause__ or error.__context__
        return True


_HIDE_DROPS = _HideDrops()


class ControlPlaneHandle:
    """A running stand-in. ``url`` to reach it, ``stop()`` to end it (idempotent)."""

    def __init__(
        self,
        fleet: Fleet,
        tokens: dict[str, bool],
        port: int,
        work_dir: Path,
        known_hosts: Sequence[Path] | None,
    ) -> None:
        self.fleet = fleet
        self._tokens = tokens
        self.faults = FaultSwitch()
        self.work_dir = work_dir
        self._known_hosts = known_hosts
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.registry: Registry | None = None
        self._thread = threading.Thread(target=self._serve, name="control-plane", daemon=True)

    def __repr__(self) -> str:
        return f"ControlPlaneHandle({self.url!r})"

    # -- faults --------------------------------------------------------------------------------

    def set_faults(self, **changes: Any) -> ApiFaults:
        """Switch faults on or off while running (see :class:`ApiFaults`)."""
        return self.faults.set(**changes)

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- life --------------------------------------------------------------------------------

    def start(self) -> ControlPlaneHandle:
        uvicorn_log = logging.getLogger("uvicorn")
        if not uvicorn_log.handlers:
            # Records still propagate to the host's handlers; this only stops logging's
            # last-resort printing to stderr when the host has none (under the TUI).
            uvicorn_log.addHandler(logging.NullHandler())
        logging.getLogger("uvicorn.error").addFilter(_HIDE_DROPS)  # once: same object
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            self.stop()
            raise RuntimeError(
                f"the control-plane stand-in did not start within {START_TIMEOUT:g} s"
            )
        if self._failure is not None:
            raise RuntimeError(f"the control-plane stand-in failed to start: {self._failure}")
        return self

    def stop(self) -> None:
        server = self._server
        if server is not None:
            server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(STOP_GRACE + 10)
        with contextlib.suppress(OSError):
            self._socket.close()

    def __enter__(self) -> ControlPlaneHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported to start(); a thread has nobody else to tell
            self._failure = error
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        pool = SshPool(known_hosts_files=list(self._known_hosts) if self._known_hosts else None)
        backend = DokkuBackend(self.fleet, pool=pool)
        engine = Engine(self.fleet, backend, history=History(self.work_dir))
        self.registry = Registry(self.fleet)
        app = build_app(engine, self.registry, self._tokens, self.faults)
        config = uvicorn.Config(
            app,
            log_level="warning",
            # Leave logging to the host program: uvicorn's own handlers would write to whatever
            # stderr was at start (a closed capture in tests, the screen under the TUI).
            log_config=None,
            access_log=False,  # request lines are harmless, but keep the stand-in quiet
            lifespan="off",
            timeout_graceful_shutdown=STOP_GRACE,
        )
        self._server = uvicorn.Server(config)
        serving = asyncio.get_running_loop().create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started and not serving.done():
            await asyncio.sleep(0.01)
        self._ready.set()
        try:
            await serving
        finally:
            for deployment in self.registry.deployments.values():
                deployment.running.cancel()
            await engine.close()


def start_control_plane(
    fleet: Fleet,
    token: str,
    port: int = 0,
    *,
    read_only_tokens: Sequence[str] = (),
    work_dir: Path | None = None,
    known_hosts: Sequence[Path] | None = None,
) -> ControlPlaneHandle:
    """Start the stand-in on 127.0.0.1 (``port`` 0: any free port) for ``fleet``'s stacks and
    apps. ``token`` may do everything; ``read_only_tokens`` get 403 on any change. SSH host
    keys are checked against ``known_hosts`` (default: the user's and ownstack-tui's files).
    Returns once it answers; call ``.stop()`` (or use it as a context manager)."""
    if not token:
        raise ValueError("the control plane needs a token")
    tokens = {token: True, **dict.fromkeys(read_only_tokens, False)}
    folder = work_dir or Path(tempfile.mkdtemp(prefix="ownstack-control-plane-"))
    return ControlPlaneHandle(fleet, tokens, port, folder, known_hosts).start()


@contextlib.contextmanager
def running_control_plane(fleet: Fleet, token: str | None = None, **options: Any) -> Iterator[
    tuple[ControlPlaneHandle, str]
]:
    """``with running_control_plane(fleet) as (handle, token):`` (a fresh token when none is
    given); stopped on leaving."""
    token = token or secrets.token_urlsafe(24)
    handle = start_control_plane(fleet, token, **options)
    try:
        yield handle, token
    finally:
        handle.stop()


@contextlib.contextmanager
def serving_fleet_file(fleet_path: Path, **options: Any) -> Iterator[ControlPlaneHandle]:
    """For ``demo --via api``: serve the stacks and apps of the fleet file at ``fleet_path``,
    point its ``[control_plane] url`` at the stand-in, and put a fresh random token in this
    process's ``$OWNSTACK_API_TOKEN`` (restored on leaving). The token is never written."""
    from ownstack_tui.backends.api.credentials import TOKEN_ENV
    from ownstack_tui.fleet_file import FleetFile

    fleet_file = FleetFile.load(fleet_path)
    with running_control_plane(fleet_file.fleet, **options) as (handle, token):
        fleet_file.set_value("control_plane", {"url": handle.url})
        fleet_file.save()
        before = os.environ.get(TOKEN_ENV)
        os.environ[TOKEN_ENV] = token
        try:
            yield handle
        finally:
            if before is None:
                os.environ.pop(TOKEN_ENV, None)
            else:
                os.environ[TOKEN_ENV] = before
