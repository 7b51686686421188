"""The fleet file: edits keep the user's comments and order, writes are atomic and private,
a malformed or concurrently changed file is never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.fleet_file import FleetFile

HAND_WRITTEN = """\
# Our fleet. Keep prod-east first: it is the primary.
via = "ssh"   # direct to dokku

[stacks.prod-east]
host = "203.0.113.10"   # us-east
port = 22
user = "dokku"

[stacks.staging]
# the cheap box
host = "198.51.100.7"

[apps.shop]
repo = "~/src/shop"
branch = "main"
stacks = ["staging", "prod-east"]  # order matters to us

[apps.shop.config]
LOG_LEVEL = "info"  # quiet in prod

[apps.shop.stack_config.prod-east]
REGION = "us-east-1"
"""


@pytest.fixture
def fleet_path(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(HAND_WRITTEN)
    return path


def test_the_hand_written_shape_loads(fleet_path: Path) -> None:
    fleet = FleetFile.load(fleet_path).fleet
    assert list(fleet.stacks) == ["prod-east", "staging"]
    assert fleet.stacks["staging"].port == 22 and fleet.stacks["staging"].user == "dokku"
    shop = fleet.apps["shop"]
    assert shop.stacks == ("staging", "prod-east")
    assert shop.config == {"LOG_LEVEL": "info"}
    assert shop.stack_config == {"prod-east": {"REGION": "us-east-1"}}
    assert shop.needs_postgres is True


def test_comments_and_order_survive_an_add_and_remove_round_trip(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5", 2222)
    fleet_file.save()
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.remove_stack("prod-west")
    fleet_file.save()
    assert fleet_path.read_text() == HAND_WRITTEN


def test_added_entries_keep_existing_comments_and_order(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.add_target("shop", "prod-west")
    fleet_file.set_config("shop", "prod-west", {"REGION": "us-west-2"})
    fleet_file.save()
    text = fleet_path.read_text()
    comments = ("# Our fleet", "# us-east", "# the cheap box", "# order matters to us", "# quiet in prod")
    for comment in comments:
        assert comment in text
    assert text.index("[stacks.prod-east]") < text.index("[stacks.staging]") < text.index(
        "[stacks.prod-west]"
    )
    reloaded = FleetFile.load(fleet_path).fleet
    assert reloaded.apps["shop"].stacks == ("staging", "prod-east", "prod-west")
    assert reloaded.apps["shop"].stack_config["prod-west"] == {"REGION": "us-west-2"}


def test_any_config_value_survives_the_file(fleet_path: Path) -> None:
    value = "it's \"quoted\"\nnext line $HOME `cmd` = ünï©ødé\ttab"
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.set_config("shop", None, {"TRICKY": value})
    fleet_file.save()
    assert FleetFile.load(fleet_path).fleet.apps["shop"].config["TRICKY"] == value


def test_a_malformed_file_is_reported_with_line_and_column_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    broken = 'via = "ssh"\n[stacks.a]\nhost = "x\n'
    path.write_text(broken)
    with pytest.raises(FleetFileError) as caught:
        FleetFile.load(path)
    message = str(caught.value)
    assert "line 3" in message and "column" in message and str(path) in message
    assert "\n" not in message
    assert path.read_text() == broken


def test_a_file_with_invalid_entries_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text('[stacks.a]\nhost = "h"\nport = 99999\n')
    with pytest.raises(FleetFileError, match="invalid port 99999"):
        FleetFile.load(path)


def test_a_concurrent_change_is_detected_and_nothing_is_written(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    someone_else = HAND_WRITTEN + "\n# edited meanwhile\n"
    fleet_path.write_text(someone_else)
    with pytest.raises(FleetFileError, match="changed on disk since it was read"):
        fleet_file.save()
    assert fleet_path.read_text() == someone_else


def test_the_file_is_private_after_a_write(fleet_path: Path) -> None:
    os.chmod(fleet_path, 0o644)
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.save()
    assert stat.S_IMODE(fleet_path.stat().st_mode) == 0o600
    assert [p.name for p in fleet_path.parent.iterdir()] == ["fleet.toml"]  # no temp file left


def test_a_new_fleet_file_is_created_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "fleet.toml"
    fleet_file = FleetFile.load_or_new(path)
    fleet_file.add_stack("staging", "127.0.0.1")
    fleet_file.save()
    assert FleetFile.load(path).fleet.stacks["staging"].host == "127.0.0.1"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_stack_in_use_cannot_be_removed(fleet_path: Path) -> None:
    with pytest.raises(InvalidInput, match="app stacks:remove shop staging"):
        FleetFile.load(fleet_path).remove_stack("staging")


def test_invalid_edits_are_refused_before_they_reach_the_document(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    with pytest.raises(InvalidInput, match="PORT is reserved"):
        fleet_file.set_config("shop", None, {"PORT": "5000"})
    with pytest.raises(InvalidInput, match=r"unknown stack .nowhere.; known stacks: prod-east, staging"):
        fleet_file.set_config("shop", "nowhere", {"A": "1"})
    fleet_file.save()
    assert fleet_path.read_text() == HAND_WRITTEN
