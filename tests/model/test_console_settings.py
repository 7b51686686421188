"""The fleet file's [console] table: how often the console reads the stacks."""

from __future__ import annotations

import pytest

from ownstack_tui.errors import FleetFileError
from ownstack_tui.model.fleet import fleet_from_dict


def test_the_refresh_interval_defaults_to_15_seconds() -> None:
    assert fleet_from_dict({}).refresh_interval == 15


def test_the_refresh_interval_is_read_from_the_console_table() -> None:
    assert fleet_from_dict({"console": {"refresh_interval": 2}}).refresh_interval == 2
    assert fleet_from_dict({"console": {"refresh_interval": 7.5}}).refresh_interval == 7.5


@pytest.mark.parametrize(
    ("value", "says"),
    [(1, "too short: use at least 2 seconds"), (0, "too short"), ("15", "not a number"),
     (True, "not a number"), (float("nan"), "too short")],
)
def test_a_bad_refresh_interval_is_refused_naming_the_key(value: object, says: str) -> None:
    with pytest.raises(FleetFileError, match=r"console\.refresh_interval") as error:
        fleet_from_dict({"console": {"refresh_interval": value}})
    assert says in str(error.value)
