"""One bounded HTTP GET of an app's health URL (a rollout's health gate).

httpx is imported on first use: the console imports the rollout engine at start-up, and httpx
alone is ~0.1 s of it (perf #1), while most sessions never check a health path."""

from __future__ import annotations

HEALTH_REQUEST_TIMEOUT = 5.0


class HealthRequestFailed(Exception):
    """Nothing answered the GET in time (or at all); the message names httpx's error class."""


async def get_status(url: str, timeout: float = HEALTH_REQUEST_TIMEOUT) -> int:
    """The status code of ``GET url``; raises HealthRequestFailed when nothing answers in time."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = await client.get(url)
            return response.status_code
    except httpx.HTTPError as error:
        raise HealthRequestFailed(type(error).__name__) from error
