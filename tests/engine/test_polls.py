"""The health gate re-reads a stack every ``poll`` seconds the engine is given (tests give short
ones; production keeps a second), and says what it last saw when the timeout passes."""

from __future__ import annotations

import asyncio

from ownstack_tui.engine.health import wait_healthy
from ownstack_tui.engine.polls import PRODUCTION_POLLS, PollIntervals
from ownstack_tui.model.fleet import App, Stack

APP = App("shop", stacks=("staging",))
STACK = Stack("staging", "127.0.0.1")


class StartingStack:
    """``ps:report`` answers: the web container starting for ``starting_reads`` reads."""

    def __init__(self, starting_reads: int) -> None:
        self.starting_reads = starting_reads
        self.reads = 0

    async def process_states(self, app: App, stack: Stack) -> dict[str, list[str]]:
        self.reads += 1
        return {"web": ["starting" if self.reads <= self.starting_reads else "running"]}


def test_the_production_intervals_are_a_second_for_health_and_slow_jobs_two_for_a_held_lock(
) -> None:
    assert PollIntervals(health=1.0, lock=2.0, slow=1.0) == PRODUCTION_POLLS


def test_the_health_gate_waits_as_many_polls_as_the_stack_is_starting() -> None:
    stack = StartingStack(starting_reads=3)
    findings: list[str] = []
    problem = asyncio.run(
        wait_healthy(stack, APP, STACK, {"web": 1}, 30.0, findings.append, poll=0.05)  # type: ignore[arg-type]
    )
    assert problem is None
    assert stack.reads == 4  # three starting readings, then the running one
    assert findings == ["web: 0 of 1 running (starting)"]  # said once, not at every poll


def test_a_stack_never_healthy_is_reread_every_poll_until_the_timeout() -> None:
    stack = StartingStack(starting_reads=10_000)
    problem = asyncio.run(
        wait_healthy(stack, APP, STACK, {"web": 1}, 0.5, poll=0.05)  # type: ignore[arg-type]
    )
    assert problem == "not healthy within 0.5s: web: 0 of 1 running (starting)"
    assert stack.reads >= 4  # about ten at 0.05s; with the production second, two
