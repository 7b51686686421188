"""Job log lines reach the screen in batches, whichever thread the backend calls from."""

from __future__ import annotations

import asyncio
import threading

from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.tui.line_batch import LineBatch


async def test_lines_from_another_thread_arrive_together_and_in_order() -> None:
    job = DeployJob(id=1, app="shop", stack="staging", via="ssh")
    batches: list[dict[DeployJob, list[str]]] = []
    batch = LineBatch(batches.append, every=0.1)
    batch.start(asyncio.get_running_loop())

    def backend() -> None:
        for number in range(1000):
            batch.add(job, [f"line {number}"])

    thread = threading.Thread(target=backend)
    thread.start()
    thread.join()
    await asyncio.sleep(0.3)
    assert len(batches) <= 2  # not a thousand messages
    assert [line for b in batches for line in b[job]] == [f"line {n}" for n in range(1000)]


async def test_flush_hands_on_what_is_pending_at_once() -> None:
    job = DeployJob(id=1, app="shop", stack="staging", via="ssh")
    batches: list[dict[DeployJob, list[str]]] = []
    batch = LineBatch(batches.append, every=60)
    batch.start(asyncio.get_running_loop())
    batch.add(job, ["-----> Building"])
    batch.flush()  # e.g. a status change follows
    assert batches == [{job: ["-----> Building"]}]
