"""Job log lines gathered from any thread and handed on in batches, at most every ``every``
seconds: a screen shown a message per line spends its time on messages, not on lines."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

from ownstack_tui.model.jobs import DeployJob

Deliver = Callable[[dict[DeployJob, list[str]]], None]


class LineBatch:
    def __init__(self, deliver: Deliver, every: float = 0.1) -> None:
        self._deliver = deliver
        self._every = every
        self._lock = threading.Lock()
        self._pending: dict[DeployJob, list[str]] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Batches are delivered on ``loop`` from now on (before: at once)."""
        self._loop = loop

    def add(self, job: DeployJob, lines: Sequence[str]) -> None:
        """Safe from any thread."""
        with self._lock:
            self._pending.setdefault(job, []).extend(lines)
            if self._scheduled:
                return
            self._scheduled = True
        loop = self._loop
        if loop is None:
            self.flush()
        else:
            loop.call_soon_threadsafe(loop.call_later, self._every, self.flush)

    def flush(self) -> None:
        """Deliver what is pending now (e.g. before a status change, to keep the order)."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._scheduled = False
        if pending:
            self._deliver(pending)
