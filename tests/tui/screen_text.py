"""What a user sees: the current screen rendered to plain text, one string per row."""

from __future__ import annotations

import io

from rich.console import Console
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
