"""What a user sees: the current screen rendered to plain text, one string per row."""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.style import Style
from textual.app import App


def screen_text(app: App[object]) -> str:
    """The whole screen as plain text (modals over the screens behind them), the way
    ``App.export_screenshot`` renders it, without colours."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


def screen_rows(app: App[object]) -> list[str]:
    return screen_text(app).splitlines()


def region_text(app: App[object], selector: str) -> str:
    """The plain text on screen where the widget ``selector`` (on the current screen) sits,
    its rows joined with spaces: what the user reads there, wrapped or not."""
    region = app.screen.query_one(selector).region
    rows = screen_rows(app)[region.y: region.bottom]
    return " ".join(row[region.x: region.right].strip() for row in rows).strip()


def _table_lines(app: App[object], selector: str) -> tuple[list[str], list[int]]:
    """The rows of the table ``selector`` as shown (its header first), and where each of the
    header's labels starts (a label may hold a space, never two)."""
    region = app.screen.query_one(selector).scrollable_content_region  # no scrollbars
    lines = [row[region.x: region.right] for row in screen_rows(app)[region.y: region.bottom]]
    starts = [match.start(1) for match in re.finditer(r"(?:^ |  )(\S)", lines[0] if lines else "")]
    return lines, starts


def table_rows(app: App[object], selector: str) -> dict[str, list[str]]:
    """The table ``selector`` as shown, row by row under its header: each cut into cells where
    the header's labels start, keyed by its first cell."""
    lines, starts = _table_lines(app, selector)
    rows = {}
    for line in lines[1:]:
        cells = [line[start:end].strip() for start, end in zip(starts, [*starts[1:], len(line)], strict=True)]
        if cells and cells[0]:
            rows[cells[0]] = cells[1:]
    return rows


def table_cell_style(app: App[object], selector: str, row: str, label: str) -> Style:
    """How the cell of ``row`` (its first cell) under the header's ``label`` is drawn: the style
    of its first character on screen."""
    lines, starts = _table_lines(app, selector)
    y = next(number for number, line in enumerate(lines) if line[starts[0]:starts[1]].strip() == row)
    x = lines[0].index(label, starts[0])
    region = app.screen.query_one(selector).scrollable_content_region
    return app.screen.get_style_at(region.x + x, region.y + y)
