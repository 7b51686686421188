"""The Scale tab on the fake backend's stacks: stage counts, plan, apply per stack."""

from __future__ import annotations

from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import Label, Static

from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.plan import PlanScreen
from ownstack_tui.tui.screens.scale_count import ScaleCountScreen
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.screen_text import screen_text
from tests.tui.seen import status_line, wait_for


def scale_tab(app: OwnstackApp) -> ScaleTab:
    return app.screen.query_one(ScaleTab)


async def open_scale(pilot: Any) -> ScaleTab:
    await pilot.press("4")
    tab = scale_tab(pilot.app)
    await wait_for(pilot, lambda: tab.reads >= 1)
    return tab


async def move_to(pilot: Any, tab: ScaleTab, process: str, stack: str) -> None:
    table = tab.table
    table.cursor_coordinate = Coordinate(table.get_row_index(process), table.get_column_index(stack))
    table.focus()
    await pilot.pause()


async def plan_and_apply(pilot: Any, tab: ScaleTab) -> str:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PlanScreen))
    body = str(pilot.app.screen.query_one("#plan-body", Static).render()).strip()
    reads = tab.reads
    await pilot.press("a")
    await wait_for(pilot, lambda: tab.reads > reads)
    return body


async def test_scale_changes_reach_only_their_stack(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("scale-only", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_scale(pilot)
        assert tab.table.get_cell("web", "prod-east").plain == "1"
        await move_to(pilot, tab, "web", "prod-east")
        await pilot.press("+", "+")
        assert tab.table.get_cell("web", "prod-east").plain == "1 → 3 ✎"
        await move_to(pilot, tab, "worker", "staging")
        await pilot.press("-")
        assert tab.table.get_cell("worker", "staging").plain == "1 → 0 ✎"
        assert "2 staged" in status_line(app, "scale")
        body = await plan_and_apply(pilot, tab)
        assert body == "staging\n  worker: 1 → 0\nprod-east  (production)\n  web: 1 → 3"
        assert fake.stack("staging").scale("scale-only") == {"web": 1, "worker": 0}
        assert fake.stack("prod-east").scale("scale-only") == {"web": 3, "worker": 1}
        assert fake.stack("prod-west").scale("scale-only") == {"web": 1, "worker": 1}
        assert tab.table.get_cell("web", "prod-east").plain == "3"
        assert "staged" not in status_line(app, "scale")


async def test_a_count_can_be_typed_and_bad_counts_are_refused(tab_console: ConsoleMaker) -> None:
    app = tab_console("scale-typed", scale={"web": 2})
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_scale(pilot)
        await move_to(pilot, tab, "web", "staging")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleCountScreen))
        await pilot.press("backspace", "x", "enter")
        assert "invalid count 'x'" in str(app.screen.query_one("#count-error", Label).render())
        await pilot.press("backspace", "5", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScaleCountScreen))
        assert tab.table.get_cell("web", "staging").plain == "2 → 5 ✎"
        await pilot.press("u")
        assert tab.table.get_cell("web", "staging").plain == "2"
        assert "staged" not in status_line(app, "scale")


async def test_a_formation_lock_error_shows_on_the_stack_that_raised_it(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("scale-locked", scale={"web": 1})
    fake.stack("prod-west").formation_lock = True
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_scale(pilot)
        await move_to(pilot, tab, "web", "staging")
        await pilot.press("+")
        await move_to(pilot, tab, "web", "prod-west")
        await pilot.press("+")
        await plan_and_apply(pilot, tab)
        assert fake.stack("staging").scale("scale-locked") == {"web": 2}
        assert fake.stack("prod-west").scale("scale-locked") == {"web": 1}
        headers = [str(column.label) for column in tab.table.ordered_columns]
        assert headers == ["Process", "staging", "prod-east", "✗ prod-west"]
        status = str(tab.query_one("#scale-status", Static).render())
        assert "✓ staging: web=2" in status and "✗ prod-west:" in status
        assert "formations key" in status and "prod-east" not in status
        assert tab.table.get_cell("web", "prod-west").plain == "1 → 2 ✎"  # kept staged, to retry


async def test_scaling_web_to_zero_on_production_asks_first_and_no_means_nothing_scaled(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("scale-zero", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        tab = await open_scale(pilot)
        await move_to(pilot, tab, "web", "prod-east")
        await pilot.press("-")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Stop every web process on prod-east?" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: "Nothing scaled" in screen_text(app), timeout=5)
        assert fake.stack("prod-east").scale("scale-zero") == {"web": 1, "worker": 1}
        assert tab.table.get_cell("web", "prod-east").plain == "1 → 0 ✎"  # still staged

        # A worker to 0, or web to 0 on staging, is asked about by the plan alone.
        await move_to(pilot, tab, "web", "prod-east")
        await pilot.press("+")
        await move_to(pilot, tab, "web", "staging")
        await pilot.press("-")
        await move_to(pilot, tab, "worker", "prod-west")
        await pilot.press("-")
        await plan_and_apply(pilot, tab)
        assert fake.stack("staging").scale("scale-zero") == {"web": 0, "worker": 1}
        assert fake.stack("prod-west").scale("scale-zero") == {"web": 1, "worker": 0}
