"""The fleet file's [timeouts]: documented defaults, numbers of seconds, bad ones named."""

from __future__ import annotations

import pytest

from ownstack_tui.errors import FleetFileError
from ownstack_tui.model.fleet import Timeouts, fleet_from_dict


def test_the_defaults_hold_without_a_timeouts_table() -> None:
    assert fleet_from_dict({}).timeouts == Timeouts(
        connect=10, command=60, keepalive=15, build_silence=600
    )


def test_given_timeouts_replace_only_their_own_defaults() -> None:
    fleet = fleet_from_dict({"timeouts": {"connect": 3, "build_silence": 0.5}})
    assert fleet.timeouts == Timeouts(connect=3, command=60, keepalive=15, build_silence=0.5)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"connect": 0}, "timeouts.connect = 0: give a number of seconds above 0"),
        ({"command": -5}, "timeouts.command = -5"),
        ({"keepalive": "15"}, "timeouts.keepalive = '15'"),
        ({"build_silence": True}, "timeouts.build_silence = True"),
        ({"command": 10**9}, "at most 86400"),
        ({"conect": 5}, "unknown key 'conect' in [timeouts]: did you mean 'connect'?"),
    ],
)
def test_bad_timeouts_are_refused_naming_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(FleetFileError) as caught:
        fleet_from_dict({"timeouts": table})
    assert message in str(caught.value)


def test_timeouts_must_be_a_table() -> None:
    with pytest.raises(FleetFileError, match=r"\[timeouts\] must be a table"):
        fleet_from_dict({"timeouts": 5})
