"""The one sizing rule for grids of log panes (the Deploy tab's and the Logs tab's)."""

from __future__ import annotations

from textual.containers import Grid


def grid_shape(count: int, width: int, min_width: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` panes across ``width`` cells: as many columns as fit at
    ``min_width`` each, at least one and never more than there are panes."""
    count = max(1, count)
    columns = max(1, min(count, width // min_width))
    return columns, -(-count // columns)


def shape_grid(grid: Grid, count: int, min_width: int) -> None:
    """Give ``grid`` the shape for ``count`` panes at its current width."""
    columns, rows = grid_shape(count, grid.size.width, min_width)
    grid.styles.grid_size_columns = columns
    grid.styles.grid_size_rows = rows
