"""A notice that something changed, sent at most once per ``every`` seconds however often it
changes: at 200 stacks a deploy makes ~1,000 status changes in seconds, and a message for each
had the main screen redraw the whole sidebar and every pane title each time (issue 14's
profile: ~90% of the console's main thread while a 200-stack deploy started)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

# Seconds: how often the Console says "the stacks changed", a run's progress, a rollout's view.
CHANGES_EVERY = 0.1


class Throttle:
    """``request()`` from any thread; ``fire`` runs on the loop: on its next turn for the
    first request, then at most once a window for the requests that came meanwhile. The last
    request is never lost. Without a loop, ``fire`` runs at once on every request."""

    def __init__(
        self, fire: Callable[[], None], every: float, loop: asyncio.AbstractEventLoop | None
    ) -> None:
        self._fire = fire
        self._every = every
        self._loop = loop
        self._lock = threading.Lock()
        self._pending = False  # a request not yet fired
        self._armed = False  # a call of _run is scheduled (or its window runs)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Fire on ``loop`` from now on (before: at once)."""
        self._loop = loop

    def request(self) -> None:
        loop = self._loop
        if loop is None:
            self._fire()
            return
        with self._lock:
            self._pending = True
            if self._armed:
                return
            self._armed = True
        # A closed loop: the console is gone, there is nobody to tell.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._run)

    def flush(self) -> None:
        """Fire now if a request is waiting (on the loop: before a message that must come
        after it)."""
        with self._lock:
            if not self._pending:
                return
            self._pending = False
        self._fire()

    def _run(self) -> None:
        with self._lock:
            if not self._pending:
                self._armed = False
                return
            self._pending = False
        try:
            self._fire()
        finally:
            assert self._loop is not None
            self._loop.call_later(self._every, self._run)
