"""The two streaming answers: a deployment's build log (resumable) and a runtime-log tail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from .registry import Deployment

LOG_WAIT = 1.0  # a following log re-checks at least this often
FIRST_LOG_WAIT = 2.0  # how long a runtime-log request waits for dokku's first word


class DropConnection(Exception):
    """Raised inside a streaming body to cut the connection (the dropped-stream fault)."""


async def log_body(
    deployment: Deployment, offset: int, follow: bool, drop_after: int, stall_at: int = 0
) -> AsyncIterator[bytes]:
    """Lines from ``offset``; with ``follow`` until the deployment is final and all are sent.
    ``drop_after`` > 0 cuts the answer after that many lines and half of the next;
    ``stall_at`` > 0 cuts it (half a line) on reaching that absolute line number."""
    sent = 0
    position = offset
    while True:
        seen = deployment.version
        start, lines = deployment.lines_from(position)
        position = start
        for line in lines:
            data = (line + "\n").encode()
            if (drop_after and sent >= drop_after) or (stall_at and position >= stall_at):
                yield data[: max(1, len(data) // 2)]  # half a line, then hang up
                raise DropConnection
            yield data
            sent += 1
            position += 1
        if deployment.job.is_final and position >= deployment.total_lines:
            return
        if not follow:
            return
        await deployment.changed(seen, LOG_WAIT)


async def streamed_lines(lines: AsyncIterator[str]) -> Response:
    """Runtime log lines as a text stream. A failure before the first line is raised here,
    so it becomes a JSON error; one after it cuts the stream."""
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for line in lines:
                await queue.put(("line", line))
            await queue.put(("end", None))
        except Exception as error:
            await queue.put(("error", error))

    task = asyncio.get_running_loop().create_task(pump())
    # Wait briefly for the first answer, so a refusal (no such app) is a JSON error.
    try:
        first = await asyncio.wait_for(queue.get(), FIRST_LOG_WAIT)
    except TimeoutError:
        first = None
    if first is not None and first[0] == "error":
        task.cancel()
        raise first[1]

    async def body() -> AsyncIterator[bytes]:
        item = first
        try:
            while True:
                if item is None:
                    item = await queue.get()
                kind, value = item
                if kind == "end":
                    return
                if kind == "error":
                    raise DropConnection
                yield (value + "\n").encode()
                item = None
        finally:
            task.cancel()

    return StreamingResponse(body(), media_type="text/plain; charset=utf-8")
