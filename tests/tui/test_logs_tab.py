"""The Logs tab: runtime log tails of the fake backend's deployed stacks."""

from __future__ import annotations

import re
from typing import Any

from textual.worker import WorkerState

from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.tabs.logs_tab import LogsTab, parse_filter
from ownstack_tui.tui.widgets.tail_pane import TailPane
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.keys import burst
from tests.tui.screen_text import screen_text
from tests.tui.seen import tail_state, wait_for


async def deployed(pilot: Any, stacks: list[str]) -> None:
    app: OwnstackApp = pilot.app
    run = await app.engine.start_deploy(app.app_model, stacks).wait()
    assert run.succeeded, [job.reason for job in run.jobs]


def logs_tab(app: OwnstackApp) -> LogsTab:
    return app.screen.query_one(LogsTab)


def pane_of(app: OwnstackApp, stack: str) -> TailPane:
    return app.screen.query_one(f"#tail-{stack}", TailPane)


def lines_of(pane: Any) -> list[str]:
    pane.flush()
    return pane.lines


def expected_rows(lines: list[str], needle: str, context: int) -> list[str]:
    """What a grep -C would show: matches with context, "--" between separate groups."""
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    keep = sorted({
        j
        for i, line in enumerate(plain) if needle.lower() in line.lower()
        for j in range(max(0, i - context), min(len(plain), i + context + 1))
    })
    rows: list[str] = []
    for index, j in enumerate(keep):
        if index and j != keep[index - 1] + 1:
            rows.append("--")
        rows.append(plain[j])
    return rows


async def test_the_log_filter_shows_matching_lines_with_context(tab_console: ConsoleMaker) -> None:
    app = tab_console("logs-filter", scale={"web": 2, "worker": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        await deployed(pilot, ["staging"])
        await pilot.press("5")
        pane = pane_of(app, "staging")
        await wait_for(
            pilot,
            lambda: len(lines_of(pane)) >= 20 and any(" 404 " in line for line in pane.lines),
        )
        await pilot.press("space")  # pause: the lines stay put while we compare
        assert pane.paused and logs_tab(app).paused
        lines = lines_of(pane)
        await pilot.press("slash")
        for char in " 404 ":
            await pilot.press("space" if char == " " else char)
        await pilot.press("enter")  # context: the default 2
        await pilot.pause()
        shown = [pane.row_text(row) for row in range(pane.row_count)]
        assert shown == expected_rows(lines, " 404 ", 2)
        assert pane.filter_matches == sum(" 404 " in line for line in lines)
        assert len(shown) < len(lines)

        # Resume: the held lines arrive, the filter still applies.
        await wait_for(pilot, lambda: len(pane.held) > 0)
        await pilot.press("space")
        assert not pane.paused and pane.held == []
        # Clearing the filter shows every line again.
        tab = logs_tab(app)
        tab.set_filter("")
        assert pane.filter_matches is None and pane.row_count == pane.line_count


async def test_a_dropped_connection_shows_a_gap_marker_and_the_tail_resumes(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("logs-drop")
    async with app.run_test(size=(160, 50)) as pilot:
        await deployed(pilot, ["staging"])
        fake.stack("staging").cut_next_log_stream(after_lines=4)
        await pilot.press("5")
        pane = pane_of(app, "staging")
        await wait_for(pilot, lambda: pane.gaps >= 1 and tail_state(app, "staging") == "reconnecting")
        assert pane.has_class("-gap")
        fake.stack("staging").release_logs()

        def resumed_with_new_lines() -> bool:
            text = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines_of(pane)]
            marks = [i for i, line in enumerate(text) if "reconnected" in line]
            return bool(marks) and len(text) > marks[-1] + 2

        await wait_for(pilot, resumed_with_new_lines)
        text = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in pane.lines]
        lost = next(i for i, line in enumerate(text) if "connection lost" in line)
        assert text[lost].startswith("┄┄ ") and "reconnecting" in text[lost]
        assert all("app[" in line for line in text[:lost])  # real lines before the gap
        assert tail_state(app, "staging") == "following" and not pane.has_class("-gap")
        assert "1 gap" in str(pane.border_title)


async def test_side_by_side_or_merged_with_a_stack_column(tab_console: ConsoleMaker) -> None:
    app = tab_console("logs-merged")
    async with app.run_test(size=(160, 50)) as pilot:
        await deployed(pilot, ["staging", "prod-east"])
        await pilot.press("5")
        tab = logs_tab(app)
        assert tab.tailed() == ["staging", "prod-east", "prod-west"]
        await pilot.press("m")
        assert tab.merged and tab.merged_pane.display and tab.merged_pane.has_focus

        def both_stacks_merged() -> bool:
            merged = lines_of(tab.merged_pane)
            return all(any(line.startswith(f"{s:<9} │ ") for line in merged)
                       for s in ("staging", "prod-east"))

        await wait_for(pilot, both_stacks_merged)
        # prod-west has no deploy: its tail stops with dokku's reason, on its own pane.
        west = pane_of(app, "prod-west")
        await wait_for(pilot, lambda: tail_state(app, "prod-west") == "stopped")
        assert any("has not been deployed" in line for line in lines_of(west))
        assert "has not been deployed" in str(west.border_subtitle)
        await pilot.press("m")
        assert not tab.merged and not tab.merged_pane.display

        # Once deployed there, R starts the stopped tail again.
        await deployed(pilot, ["prod-west"])
        await pilot.press("R")
        await wait_for(pilot, lambda: tail_state(app, "prod-west") == "following")
        assert tab.tailed() == ["staging", "prod-east", "prod-west"]


async def test_removing_a_stacks_tail_cancels_its_worker(tab_console: ConsoleMaker) -> None:
    app = tab_console("logs-remove")
    async with app.run_test(size=(160, 50)) as pilot:
        await deployed(pilot, ["staging"])
        await pilot.press("5")
        pane = pane_of(app, "staging")
        await wait_for(pilot, lambda: tail_state(app, "staging") == "following")
        (worker,) = [w for w in app.workers if w.node is pane]
        await pilot.press("1", "5", "t")  # the sidebar's highlighted stack: staging
        await wait_for(pilot, lambda: worker.state is WorkerState.CANCELLED)
        assert logs_tab(app).tailed() == ["prod-east", "prod-west"]
        await pilot.press("1", "5", "t")
        assert logs_tab(app).tailed() == ["staging", "prod-east", "prod-west"]


def test_a_filter_between_slashes_is_a_regular_expression() -> None:
    assert parse_filter("/GET .* 404/") == ("GET .* 404", True)
    assert parse_filter(" 404 ") == (" 404 ", False)
    assert parse_filter("  ") == ("", False)
    assert parse_filter("/") == ("/", False)


def test_docker_timestamps_are_shortened_to_the_time_of_day() -> None:
    from ownstack_tui.tui.widgets.tail_pane import short_stamp

    coloured = "\x1b[36m2026-11-30T09:43:22.641378304Z app[web.1]:\x1b[0m GET /"
    assert short_stamp(coloured) == "\x1b[36m09:43:22 app[web.1]:\x1b[0m GET /"
    assert short_stamp("said 2026-11-30T09:43:22Z later") == "said 2026-11-30T09:43:22Z later"


def test_reconnect_delays_double_up_to_a_cap() -> None:
    from ownstack_tui.engine.log_tail import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


async def test_filtered_lines_are_on_screen_and_escape_closes_the_filter_bar(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("logs-filter-seen", scale={"web": 1})
    async with app.run_test(size=(80, 24)) as pilot:
        await deployed(pilot, ["staging"])
        await pilot.press("5")
        pane = pane_of(app, "staging")
        await wait_for(pilot, lambda: any("GET /" in line for line in lines_of(pane)))
        await pilot.press("space")  # paused: the screen does not move while we read it
        await pilot.press("slash")
        await pilot.pause()
        assert "filter: text or /regex/" in screen_text(app)
        burst(app, "GET\t\b0\r")  # in one go, as a terminal sends it: no context lines
        await pilot.pause(0.3)
        assert "filter 'GET' ±0" in screen_text(app)
        assert pane.filter_matches
        newest = pane.row_text(pane.row_count - 1)
        # The newest filtered row is on screen (as far as the pane is wide).
        assert newest[:30] in screen_text(app)
        # Esc, back in the filter field, closes the bar; the filter stays applied.
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(app)
        assert "filter: text or /regex/" not in text
        assert "filter 'GET'" in text
        assert pane.has_focus
