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


def test_the_fleet_tabs_health_interval_defaults_to_15_seconds_with_a_floor_of_2() -> None:
    assert fleet_from_dict({}).health_interval == 15
    assert fleet_from_dict({"console": {"health_interval": 2}}).health_interval == 2
    with pytest.raises(FleetFileError, match=r"console\.health_interval = 1\.5 is too short: use at least 2"):
        fleet_from_dict({"console": {"health_interval": 1.5}})


def test_tls_thresholds_default_to_14_and_3_days_and_are_read_from_the_health_table() -> None:
    tls = fleet_from_dict({}).tls
    assert (tls.warning_days, tls.critical_days) == (14, 3)
    tls = fleet_from_dict({"health": {"tls_warning_days": 30, "tls_critical_days": 7}}).tls
    assert (tls.warning_days, tls.critical_days) == (30, 7)


@pytest.mark.parametrize(
    ("table", "says"),
    [({"tls_warning_days": "14"}, "health.tls_warning_days = '14': give a whole number of days"),
     ({"tls_critical_days": -1}, "health.tls_critical_days = -1: give a whole number"),
     ({"tls_warning_days": 2.5}, "health.tls_warning_days = 2.5"),
     ({"tls_warning_days": 5, "tls_critical_days": 6},
      "critical_days = 6 is above health.tls_warning_days = 5"),
     ({"tls_warn_days": 5}, "unknown key 'tls_warn_days' in [health]")],
)
def test_bad_tls_thresholds_are_refused_naming_the_key(table: dict[str, object], says: str) -> None:
    with pytest.raises(FleetFileError) as error:
        fleet_from_dict({"health": table})
    assert says in str(error.value)


def test_the_sidebars_grouping_is_read_from_the_console_table() -> None:
    assert fleet_from_dict({}).group_by == ()
    assert fleet_from_dict({"console": {"group_by": ["prod", "staging"]}}).group_by == ("prod", "staging")


@pytest.mark.parametrize(
    ("value", "says"),
    [("prod", "console.group_by must be a list of tags"), ([1], "must be a list of tags"),
     (["Prod"], "console.group_by: invalid tag 'Prod'"), (["a", "a"], "names a twice")],
)
def test_a_bad_grouping_is_refused_naming_the_key(value: object, says: str) -> None:
    with pytest.raises(FleetFileError) as error:
        fleet_from_dict({"console": {"group_by": value}})
    assert says in str(error.value)
