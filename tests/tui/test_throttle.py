"""The Console's change notices (stacks changed, run progress, a rollout's view) go out at most
once a window however many changes come, and the last change is never lost."""

from __future__ import annotations

import asyncio
import threading

from textual.widget import Widget

from ownstack_tui.tui import messages
from ownstack_tui.tui.throttle import Throttle
from tests.fakes.console import ConsoleMaker


async def test_a_burst_of_changes_fires_once_at_once_and_once_at_the_end_of_the_window() -> None:
    fired: list[float] = []
    loop = asyncio.get_running_loop()
    throttle = Throttle(lambda: fired.append(loop.time()), every=0.1, loop=loop)
    started = loop.time()
    for _ in range(1000):
        throttle.request()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(fired) == 1  # the first change is not held back
    await asyncio.sleep(0.05)
    throttle.request()  # within the window: waits for its end
    assert len(fired) == 1
    await asyncio.sleep(0.3)
    assert len(fired) == 2
    assert fired[1] - started >= 0.1


async def test_a_lone_change_after_a_quiet_window_fires_on_the_next_turn() -> None:
    fired: list[str] = []
    throttle = Throttle(lambda: fired.append("x"), every=0.05, loop=asyncio.get_running_loop())
    throttle.request()
    await asyncio.sleep(0.2)
    throttle.request()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert fired == ["x", "x"]


async def test_flush_fires_a_waiting_change_now_and_only_once() -> None:
    fired: list[str] = []
    throttle = Throttle(lambda: fired.append("x"), every=0.1, loop=asyncio.get_running_loop())
    throttle.request()
    throttle.flush()
    assert fired == ["x"]
    await asyncio.sleep(0.25)
    assert fired == ["x"]  # nothing was left waiting
    throttle.flush()
    assert fired == ["x"]


async def test_changes_from_another_thread_fire_on_the_loop() -> None:
    loop = asyncio.get_running_loop()
    threads: list[int] = []
    throttle = Throttle(lambda: threads.append(threading.get_ident()), every=0.05, loop=loop)
    worker = threading.Thread(target=lambda: [throttle.request() for _ in range(500)])
    worker.start()
    worker.join()
    await asyncio.sleep(0.2)
    assert 1 <= len(threads) <= 2
    assert set(threads) == {threading.get_ident()}


def test_without_a_loop_every_change_fires_at_once() -> None:
    fired: list[str] = []
    throttle = Throttle(lambda: fired.append("x"), every=0.1, loop=None)
    throttle.request()
    throttle.request()
    assert fired == ["x", "x"]


async def test_a_deploy_of_every_stack_tells_the_screen_a_few_times_not_per_job_event(
    console_for: ConsoleMaker,
) -> None:
    """The Console's own wiring: StacksChanged does reach its receiver, and a deploy's many
    job events come as a few of them."""
    app = console_for("tui-throttle")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.5)
        seen = Recorder()
        await app.screen.mount(seen)
        app.controller.attach(seen)  # from now on the Console publishes to the recorder
        assert app.controller.deploy_app(at_once=True)
        for _ in range(100):
            await pilot.pause(0.1)
            if seen.finished:
                break
        await pilot.pause(0.3)
    assert seen.finished
    assert 1 <= seen.stacks_changed < seen.job_updates  # 3 stacks x 5+ statuses each


class Recorder(Widget):
    def __init__(self) -> None:
        super().__init__()
        self.stacks_changed = 0
        self.job_updates = 0
        self.finished = False

    def on_stacks_changed(self, _message: messages.StacksChanged) -> None:
        self.stacks_changed += 1

    def on_job_updated(self, _message: messages.JobUpdated) -> None:
        self.job_updates += 1

    def on_run_finished(self, _message: messages.RunFinished) -> None:
        self.finished = True
