"""What an operator sees on the console, read from the widgets' visible text: the sidebar's
entries, each deploy pane's title and lines, a tab's status line. Tests wait for and assert
on these, never on the console's internal state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Static

from ownstack_tui.tui.widgets.entry_list import EntryList
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.row_table import RowTable
from ownstack_tui.tui.widgets.target_header import TargetHeader

FINAL = ("· succeeded ·", "· failed ·", "· cancelled ·")


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (a widget not composed yet: not yet).

    Polls mostly with a plain sleep: the app runs on this loop, so it goes on handling its
    messages and painting at its own frame rate meanwhile. ``pilot.pause`` posts a message to
    every widget and forces a repaint, which on every 20 ms poll made waiting the costliest part
    of a test; it runs every fifth poll, and once when the condition holds, so what the test
    reads off the screen next was painted after it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    polls = 0
    while not _holds(condition):
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the console")
        polls += 1
        if polls % 5:
            await asyncio.sleep(0.02)
        else:
            await pilot.pause()
    await pilot.pause()


def _holds(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except NoMatches:
        return False


def main(app: Any) -> Any:
    """The main screen, also while a modal (confirm, host key, plan) is shown over it."""
    return app.screen_stack[0]


def sidebar(app: Any) -> dict[str, str]:
    """Each stack's sidebar entry as shown: "✓ staging\\n  abcdef0 up\\n  checked 3s ago"
    (group headers left out), scrolled into view or not."""
    entries = main(app).query_one("#stacks", EntryList).entries
    return {key: prompt.plain for key, prompt in entries if not key.startswith("group:")}


def sidebar_rows(app: Any) -> list[str]:
    """The sidebar's rows top to bottom as shown, group headers ("▾ prod 3: ✓2 ✗1") too."""
    return [prompt.plain for _key, prompt in main(app).query_one("#stacks", EntryList).entries]


def checked(app: Any) -> bool:
    """Every stack has answered (or failed to) at least once: its entry says when (a big
    fleet's one-line entry ends in "…" until then)."""
    entries = sidebar(app).values()
    return bool(entries) and all(
        "checked " in entry or ("\n" not in entry and not entry.endswith("…")) for entry in entries
    )


def reachable(app: Any, stack: str) -> bool | None:
    # The second line reads "SHA up|down", then any health marks (crashed, tls, behind).
    words = sidebar(app)[stack].split("\n")[1].split()
    return True if "up" in words else False if "down" in words else None


def pane(app: Any, stack: str) -> LogPane:
    return main(app).query_one(f"#pane-{stack}", LogPane)


def title(app: Any, stack: str) -> str:
    return str(pane(app, stack).border_title)


def subtitle(app: Any, stack: str) -> str:
    return str(pane(app, stack).border_subtitle)


def pane_text(app: Any, stack: str) -> str:
    shown = pane(app, stack)
    shown.flush()
    return "\n".join(shown.lines)


def finished(app: Any, *stacks: str) -> bool:
    """The deploy panes of ``stacks`` show a final status."""
    return all(any(word in title(app, stack) for word in FINAL) for stack in stacks)


def status_line(app: Any, tab: str) -> str:
    """The line under the Config or Scale table: staged edits, results, errors."""
    return str(main(app).query_one(f"#{tab}-status", Static).render())


def tail_state(app: Any, stack: str) -> str:
    """What a Logs tab pane's title says of its tail: following, reconnecting, stopped, ..."""
    parts = str(main(app).query_one(f"#tail-{stack}").border_title).split(" · ")
    return parts[1] if len(parts) > 1 else ""


def _scrollbar_state(shown: LogPane) -> tuple[float, ...]:
    bar = shown.vertical_scrollbar
    return (bar.position, bar.window_size, bar.window_virtual_size, bar.size.height)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every pane has flushed and its measured width stopped changing (a pane widens
    when rendering finds a line longer than it measured), so the frame cannot move any more."""
    previous = None
    for _ in range(50):
        panes = list(pilot.app.screen.query(LogPane))
        for each in panes:
            each.flush()
        await pilot.pause(0.1)
        sizes = [
            (each.virtual_size, each.scroll_offset, each.scroll_y, *_scrollbar_state(each))
            for each in panes
        ]
        # A fractional scroll position draws a partial scrollbar thumb: wait for a whole one.
        if sizes == previous and all(each.scroll_y == int(each.scroll_y) for each in panes):
            # Repaint the scrollbars once more from the settled state: a thumb drawn from a
            # half-updated one was the last source of run-to-run differences.
            for each in panes:
                each.vertical_scrollbar.refresh()
            await pilot.pause(0.1)
            return
        previous = sizes


def deploy_summary(app: Any) -> str:
    """The line above the Deploy tab's panes: the last run's summary, or its failure."""
    return str(main(app).query_one("#deploy-summary", Static).render())


def deploy_finished(pilot: Pilot[Any]) -> bool:
    return "Last run:" in deploy_summary(pilot.app)


def header_text(app: Any) -> str:
    return str(main(app).query_one(TargetHeader).describe())


def toasts(app: Any) -> list[str]:
    """The notifications on screen now (run_test shows them only with notifications=True)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def table_updates(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, str]]:
    """From now on, each (table id, row) a RowTable is told to show anew (a row or a cell)."""
    told: list[tuple[str | None, str]] = []
    update_row, update_cell = RowTable.update_row, RowTable.update_cell

    def row_told(table: RowTable, key: str, cells: Any) -> None:
        told.append((table.id, key))
        update_row(table, key, cells)

    def cell_told(table: RowTable, key: str, column: str, cell: Any) -> None:
        told.append((table.id, key))
        update_cell(table, key, column, cell)

    monkeypatch.setattr(RowTable, "update_row", row_told)
    monkeypatch.setattr(RowTable, "update_cell", cell_told)
    return told
