"""The grid rule shared by the Deploy and Logs tabs: as many columns as fit, rows for the rest."""

from ownstack_tui.tui.widgets.pane_grid import grid_shape


def test_panes_sit_side_by_side_as_far_as_the_width_allows() -> None:
    assert grid_shape(3, 160, 48) == (3, 1)
    assert grid_shape(3, 120, 48) == (2, 2)
    assert grid_shape(5, 100, 40) == (2, 3)


def test_a_narrow_screen_stacks_the_panes_and_never_makes_zero_columns() -> None:
    assert grid_shape(3, 30, 48) == (1, 3)
    assert grid_shape(3, 0, 48) == (1, 3)


def test_never_more_columns_than_panes_and_one_cell_for_none() -> None:
    assert grid_shape(2, 500, 40) == (2, 1)
    assert grid_shape(0, 160, 40) == (1, 1)
