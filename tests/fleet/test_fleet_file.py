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


def test_a_change_made_meanwhile_is_kept_and_our_edit_applied_on_top(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    someone_else = HAND_WRITTEN + "\n[stacks.eu]\nhost = \"192.0.2.9\"\n"
    fleet_path.write_text(someone_else)
    fleet_file.save()
    assert "# Our fleet. Keep prod-east first" in fleet_path.read_text()
    assert set(FleetFile.load(fleet_path).fleet.stacks) == {"prod-east", "staging", "eu", "prod-west"}


def test_an_edit_that_no_longer_fits_a_change_made_meanwhile_is_refused(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    someone_else = HAND_WRITTEN + "\n[stacks.prod-west]\nhost = \"192.0.2.77\"\n"
    fleet_path.write_text(someone_else)
    refused = r"changed by someone else meanwhile.*already exists.*nothing was written"
    with pytest.raises(FleetFileError, match=refused):
        fleet_file.save()
    assert fleet_path.read_text() == someone_else


def test_the_file_is_private_after_a_write(fleet_path: Path) -> None:
    os.chmod(fleet_path, 0o644)
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.save()
    assert stat.S_IMODE(fleet_path.stat().st_mode) == 0o600
    assert not list(fleet_path.parent.glob(".fleet.toml.*.tmp"))  # no temp file left


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


def test_a_refused_edit_leaves_nothing_behind_for_the_next_save(fleet_path: Path) -> None:
    fleet_file = FleetFile.load(fleet_path)
    with pytest.raises(InvalidInput, match="too large for dokku"):
        fleet_file.set_config("shop", None, {"BIG": "x" * 130_000})
    fleet_file.set_config("shop", None, {"SMALL": "ok"})
    fleet_file.save()
    config = FleetFile.load(fleet_path).fleet.apps["shop"].config
    assert config == {"LOG_LEVEL": "info", "SMALL": "ok"}


def test_a_symlinked_fleet_file_stays_a_link_and_its_target_gets_the_edit(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "fleet.toml"
    real.parent.mkdir()
    real.write_text(HAND_WRITTEN)
    link = tmp_path / "fleet.toml"
    link.symlink_to(real)
    fleet_file = FleetFile.load(link)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.save()
    assert link.is_symlink() and link.resolve() == real
    assert "[stacks.prod-west]" in real.read_text()
    assert not list(tmp_path.glob(".fleet.toml.*"))  # nothing written beside the link


def test_a_read_only_fleet_file_is_not_replaced(fleet_path: Path) -> None:
    os.chmod(fleet_path, 0o400)
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    refused = r"read-only \(mode 0400\); nothing was written: allow edits with 'chmod u\+w"
    with pytest.raises(FleetFileError, match=refused):
        fleet_file.save()
    assert fleet_path.read_text() == HAND_WRITTEN
    assert stat.S_IMODE(fleet_path.stat().st_mode) == 0o400


def test_temp_files_left_by_a_killed_writer_are_removed_by_the_next_write(fleet_path: Path) -> None:
    leftovers = [fleet_path.parent / ".fleet.toml.abc123.tmp", fleet_path.parent / ".fleet.toml.x9.tmp"]
    for leftover in leftovers:
        leftover.write_text("half a fle")
    unrelated = fleet_path.parent / "notes.tmp"
    unrelated.write_text("mine")
    fleet_file = FleetFile.load(fleet_path)
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.save()
    assert not any(leftover.exists() for leftover in leftovers)
    assert unrelated.read_text() == "mine"


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HAND_WRITTEN.encode())
    fleet_file = FleetFile.load(path)
    assert list(fleet_file.fleet.stacks) == ["prod-east", "staging"]
    fleet_file.add_stack("prod-west", "192.0.2.5")
    fleet_file.save()
    assert "prod-west" in FleetFile.load(path).fleet.stacks


def test_many_stacks_are_added_in_one_edit_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(HAND_WRITTEN)
    fleet_file = FleetFile.load(path)
    fleet_file.add_stacks([
        {"name": "prod-us-01", "host": "127.0.0.1", "port": 2201, "tags": ["prod", "us", "tier-a"]},
        {"name": "canary-eu-01", "host": "127.0.0.1", "port": 2202, "tags": ["canary", "eu"]},
    ])
    fleet_file.save()
    fleet = FleetFile.load(path).fleet
    assert fleet.stacks["prod-us-01"].tags == ("prod", "us", "tier-a")
    assert fleet.stacks["canary-eu-01"].port == 2202
    text = path.read_text()
    assert "# the cheap box" in text and "# order matters to us" in text  # comments kept

    before = path.read_text()
    again = FleetFile.load(path)
    with pytest.raises(InvalidInput, match="'stack-x' already exists"):
        again.add_stacks([{"name": "stack-x", "host": "127.0.0.1"}, {"name": "stack-x", "host": "127.0.0.1"}])
    assert "stack-x" not in again.fleet.stacks
    again.save()
    assert path.read_text() == before
