"""Is a freshly deployed stack healthy? Every process type its scale asks for is running and,
when the app sets ``health_path``, a GET of the app's URL plus that path answers 2xx."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from ownstack_tui import clock
from ownstack_tui.backends.base import RolloutBackend
from ownstack_tui.backends.http_check import HealthRequestFailed, get_status
from ownstack_tui.model.fleet import App, Stack


async def health_finding(
    backend: RolloutBackend, app: App, stack: Stack, wanted: Mapping[str, int]
) -> str | None:
    """None when healthy, else one line saying what is not."""
    states = await backend.process_states(app, stack)
    for process, count in sorted(wanted.items()):
        if count <= 0:
            continue
        seen = states.get(process, [])
        running = seen.count("running")
        if running < count:
            detail = ", ".join(sorted(set(seen))) or "no containers"
            return f"{process}: {running} of {count} running ({detail})"
    if app.health_path:
        urls = await backend.app_urls(app, stack)
        if not urls:
            return "dokku reports no URL to check the health path on"
        url = urls[0].rstrip("/") + app.health_path
        try:
            status = await get_status(url)
        except HealthRequestFailed as error:
            return f"GET {url}: {error}"
        if not 200 <= status < 300:
            return f"GET {url} answered {status}"
    return None


async def wait_healthy(
    backend: RolloutBackend,
    app: App,
    stack: Stack,
    wanted: Mapping[str, int],
    timeout: float,
    on_finding: Callable[[str], None] | None = None,
    *,
    poll: float,
) -> str | None:
    """Poll every ``poll`` seconds until healthy (None) or ``timeout`` passes (the last
    finding, with the time)."""
    deadline = clock.now() + timeout
    last = None
    while True:
        finding = await health_finding(backend, app, stack, wanted)
        if finding is None:
            return None
        if finding != last and on_finding is not None:
            on_finding(finding)
        last = finding
        if clock.now() >= deadline:
            return f"not healthy within {timeout:g}s: {finding}"
        await asyncio.sleep(min(poll, max(0.05, deadline - clock.now())))
