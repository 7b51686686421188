"""The Deploy tab's compact table (one row per stack), in its own module: the console's first
frame shows no table, so RowTable is imported when the tab first needs one."""

from __future__ import annotations

from ownstack_tui.tui.widgets.row_table import RowTable


class DeployTable(RowTable):
    DEFAULT_CSS = """
    DeployTable { height: 1fr; }
    """
