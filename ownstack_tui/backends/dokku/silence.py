"""Notice output that stopped: a build (or a long command) silent for longer than its limit.

Nothing is done per line: the watcher samples a count the reader keeps anyway (the length of
its list of lines) a few times per limit, so a quiet build costs a timer, a busy one nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def watch_silence(count: Callable[[], int], limit: float, on_silent: Callable[[], None]) -> None:
    """Call ``on_silent()`` once ``count()`` has not changed for ``limit`` seconds (checked
    every quarter of the limit, at most every 5 s), then return. Cancel it when done."""
    loop = asyncio.get_running_loop()
    step = min(5.0, limit / 4)
    seen = count()
    quiet_since = loop.time()
    while True:
        await asyncio.sleep(step)
        now = count()
        if now != seen:
            seen, quiet_since = now, loop.time()
        elif loop.time() - quiet_since >= limit:
            on_silent()
            return
