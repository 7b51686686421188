"""One bounded HTTP GET of an app's health URL (a rollout's health gate)."""

from __future__ import annotations

import httpx

HEALTH_REQUEST_TIMEOUT = 5.0


async def get_status(url: str, timeout: float = HEALTH_REQUEST_TIMEOUT) -> int:
    """The status code of ``GET url``; raises httpx.HTTPError when nothing answers in time."""
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        response = await client.get(url)
        return response.status_code
