"""An engine reading that fails on demand, held until the test lets it: for what the console
does with requests made while a reading is in flight and then raises."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class FailsWhenTold:
    """Wraps an engine method: once :meth:`arm` is called, its next call waits for
    :meth:`release`, then raises (a bug's error, not a stack's); later calls are the real ones."""

    def __init__(self, real: Callable[..., Awaitable[Any]]) -> None:
        self.real = real
        self.in_flight = asyncio.Event()  # the armed call has begun
        self._armed = False
        self._release = asyncio.Event()

    def arm(self) -> None:
        self._armed = True

    def release(self) -> None:
        self._release.set()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._armed:
            self._armed = False
            self.in_flight.set()
            await self._release.wait()
            raise RuntimeError("the stacks' answer could not be used")
        return await self.real(*args, **kwargs)
