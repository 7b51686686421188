"""Run one coroutine per stack, in parallel under a bound, each failure kept to its own stack.

Below the backends (both use it for their own per-stack work) and the engine (which runs
every multi-stack operation through it); it knows nothing of either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ownstack_tui.errors import describe_failure

T = TypeVar("T")

# Deploys (a git push and its processes per stack): high enough that 20 stacks deploy at once.
DEFAULT_PARALLELISM = 32
# Commands that only read or set state cost almost nothing locally, and a fleet is refreshed
# in one round trip only if every stack is asked at once. SSH handshakes keep their own bound
# in the pool.
READ_PARALLELISM = 256


@dataclass(frozen=True)
class StackOutcome(Generic[T]):
    """What one stack gave: a value, or the one-line reason it failed."""

    stack: str
    value: T | None = None
    error: str | None = None
    exception: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def fan_out(
    stacks: Iterable[str],
    action: Callable[[str], Awaitable[T]],
    limit: int = DEFAULT_PARALLELISM,
) -> dict[str, StackOutcome[T]]:
    """Run ``action(stack)`` for every stack; results keep the stacks' order."""
    names = list(stacks)
    gate = asyncio.Semaphore(max(1, limit))

    async def one(name: str) -> StackOutcome[T]:
        try:
            return StackOutcome(name, value=await action(name))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one stack's failure must never reach the others
            return StackOutcome(name, error=describe_failure(error), exception=error)

    async def gated(name: str) -> StackOutcome[T]:
        async with gate:
            return await one(name)

    # Within the bound (a fleet's reading asks every stack at once) there is nothing to gate.
    each = one if len(names) <= limit else gated
    outcomes = await asyncio.gather(*(each(name) for name in names))
    return {outcome.stack: outcome for outcome in outcomes}
