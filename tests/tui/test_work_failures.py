"""Work that raises in any tab is said out loud (a notification, an honest status) and the
console stays usable; it never just stops with "…ing" left on screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

from textual.widgets import TabbedContent

from ownstack_tui import paths
from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.engine.log_tail import TailEvent
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.plan import PlanScreen
from ownstack_tui.tui.tabs.config_tab import ConfigTab
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from ownstack_tui.tui.tabs.table_tab import TableTab
from ownstack_tui.tui.widgets.tail_pane import TailPane
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.held_failure import FailsWhenTold
from tests.tui.seen import (
    checked,
    deploy_finished,
    deploy_summary,
    main,
    reachable,
    sidebar,
    toasts,
    wait_for,
)

# Sooner than the console's own timer (every 15 s here) would read the stacks again.
SOON = 5.0


def toast_with(app: OwnstackApp, text: str) -> bool:
    return any(text in toast for toast in toasts(app))


async def still_usable(pilot: Any, app: OwnstackApp) -> None:
    """Keys still work: every tab can be shown, and the stacks are read again on f5."""
    tabs = main(app).query_one(TabbedContent)
    for key, tab in (("3", "config"), ("6", "history"), ("2", "deploy")):
        await pilot.press(key)
        await wait_for(pilot, lambda tab=tab: tabs.active == tab)
    await pilot.press("f5")
    await wait_for(pilot, lambda: checked(app))


TabT = TypeVar("TabT", bound=TableTab)


async def open_tab(pilot: Any, key: str, kind: type[TabT]) -> TabT:
    await pilot.press(key)
    tab = main(pilot.app).query_one(kind)
    await wait_for(pilot, lambda: tab.reads >= 1)
    return tab


async def apply_and_read_status(pilot: Any, tab: TableTab, toast: str) -> str:
    """Plan, apply, wait for the failure's toast; the tab's status line then."""
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PlanScreen))
    await pilot.press("a")
    await wait_for(pilot, lambda: toast_with(pilot.app, toast))
    return str(tab.query_one(f"#{tab.NAME}-status").render())


async def raising(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("the stacks' answer could not be used")


async def test_a_deploy_that_cannot_start_is_reported_and_a_later_one_runs(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("fail-deploy")
    counter = paths.data_dir() / "next-job-id"
    counter.parent.mkdir(parents=True, exist_ok=True)
    counter.mkdir()  # job ids cannot be taken: the deploy cannot start
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: toast_with(app, "deploy failed"))
        assert deploy_summary(app).startswith("✗ deploy failed")
        await still_usable(pilot, app)
        counter.rmdir()
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        assert "1 ok" in deploy_summary(app)


async def test_a_deploy_that_raises_is_followed_by_a_reading_of_the_stacks(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fail-deploy-read")
    counter = paths.data_dir() / "next-job-id"
    counter.parent.mkdir(parents=True, exist_ok=True)
    counter.mkdir()  # job ids cannot be taken: the deploy raises
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        assert reachable(app, "prod-east") is True
        fake.stack("prod-east").unreachable = True  # meanwhile, on its own
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: toast_with(app, "deploy failed"))
        await wait_for(pilot, lambda: reachable(app, "prod-east") is False, timeout=SOON)


async def test_a_refresh_asked_for_while_a_reading_raises_runs_when_it_ends(
    tab_console: ConsoleMaker, fake: FakeBackend, monkeypatch: Any
) -> None:
    app = tab_console("fail-status")
    reading = FailsWhenTold(app.engine.app_states)
    monkeypatch.setattr(app.engine, "app_states", reading)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        reading.arm()
        await pilot.press("f5")
        await wait_for(pilot, reading.in_flight.is_set)
        fake.stack("prod-east").unreachable = True
        await pilot.press("f5")  # asked for while the reading is in flight
        reading.release()
        await wait_for(pilot, lambda: toast_with(app, "refresh status failed"))
        await wait_for(pilot, lambda: reachable(app, "prod-east") is False, timeout=SOON)


async def test_unreadable_history_is_reported_and_the_console_carries_on(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("fail-history")
    records = paths.data_dir() / "history.jsonl"
    records.mkdir(parents=True)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: toast_with(app, "read deploy history failed"))
        await still_usable(pilot, app)


async def test_a_config_apply_that_raises_replaces_applying_with_the_error(
    tab_console: ConsoleMaker, monkeypatch: Any
) -> None:
    app = tab_console("fail-config", config={"LOG_LEVEL": "info"})
    monkeypatch.setattr(app.engine, "apply_config", raising)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        tab = await open_tab(pilot, "3", ConfigTab)
        tab.stage(ConfigEdit("LOG_LEVEL", "debug", "staging"))
        status = await apply_and_read_status(pilot, tab, "config plan failed: RuntimeError")
        assert status.startswith("✗ config plan failed") and "applying" not in status
        await still_usable(pilot, app)


async def test_a_scale_apply_that_raises_is_reported_on_the_tab(
    tab_console: ConsoleMaker, monkeypatch: Any
) -> None:
    app = tab_console("fail-scale", scale={"web": 1})
    monkeypatch.setattr(app.engine, "set_scales", raising)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        tab = await open_tab(pilot, "4", ScaleTab)
        tab.stage("staging", "web", 2)
        status = await apply_and_read_status(pilot, tab, "scale apply failed: RuntimeError")
        assert status.startswith("✗ scale apply failed") and "scaling" not in status
        await still_usable(pilot, app)


async def test_a_log_tail_whose_worker_raises_says_it_stopped(
    tab_console: ConsoleMaker, monkeypatch: Any
) -> None:
    app = tab_console("fail-logs")

    async def broken(*_args: Any, **_kwargs: Any) -> AsyncIterator[TailEvent]:
        raise RuntimeError("the tail broke")
        yield  # an async generator

    monkeypatch.setattr(app.controller, "follow_logs", broken)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.press("5")
        await wait_for(pilot, lambda: toast_with(app, "failed: RuntimeError: the tail broke"))
        pane = main(app).query_one("#tail-staging", TailPane)
        await wait_for(pilot, lambda: "stopped" in str(pane.border_title))
        assert "the tail broke" in str(pane.border_subtitle)
        await still_usable(pilot, app)
        assert sidebar(app)
