"""A runtime log tail that survives dropped connections.

`follow_logs` follows one stack's ``logs -t`` and, when the connection drops, says so (a
gap: lines sent meanwhile are lost), waits a little and follows again from "now" (no backlog,
so nothing is shown twice). Refusals (app not deployed, auth failure) end the tail with the
reason: retrying them would only repeat it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ownstack_tui.errors import describe_failure, is_transient

if TYPE_CHECKING:
    from ownstack_tui.engine.engine import Engine
    from ownstack_tui.model.fleet import App, Stack

class TailEventKind(Enum):
    LINE = "line"
    GAP = "gap"  # the connection dropped; lines may be missing from here
    RESUMED = "resumed"  # following again after a gap
    ENDED = "ended"  # the stream ended by itself (e.g. the app stopped)
    FAILED = "failed"  # refused; not retried


@dataclass(frozen=True)
class TailEvent:
    kind: TailEventKind
    text: str  # the line, or the reason


def reason_of(error: BaseException) -> str:
    """dokku's own words when it refused (the pane already names the stack and command)."""
    detail = getattr(error, "detail", None)
    return str(detail) if detail else describe_failure(error)


def retry_delay(attempt: int, first: float = 0.5, most: float = 5.0) -> float:
    """Seconds before reconnect attempt ``attempt`` (1, 2, …): doubling, capped."""
    return min(most, first * 2 ** max(0, attempt - 1))


async def follow_logs(
    engine: Engine,
    app: App,
    stack: Stack,
    backlog: int = 100,
    process: str | None = None,
    first_delay: float = 0.5,
) -> AsyncIterator[TailEvent]:
    """Events for one stack's runtime log, until the caller stops iterating (or cancels)."""
    attempt = 0
    num = backlog
    while True:
        try:
            stream = engine.logs(app, stack, num=num, process=process, follow=True)
            async with contextlib.aclosing(stream):
                first = True
                async for line in stream:
                    if first and attempt:
                        yield TailEvent(TailEventKind.RESUMED, "")
                    first = False
                    attempt = 0
                    yield TailEvent(TailEventKind.LINE, line)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if not is_transient(error):  # a refusal: retrying would only repeat it
                yield TailEvent(TailEventKind.FAILED, reason_of(error))
                return
            attempt += 1
            yield TailEvent(TailEventKind.GAP, describe_failure(error))
            await asyncio.sleep(retry_delay(attempt, first_delay))
            num = 0  # from now on: what was sent during the gap is gone, show no repeats
            continue
        yield TailEvent(TailEventKind.ENDED, "the log stream ended")
        return
