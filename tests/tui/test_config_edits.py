"""Staged config edits (what the Config tab collects) as pure data, and their write to the fleet."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownstack_tui.engine.config_edits import (
    ConfigEdit,
    preview,
    removed_keys,
    stage,
    touched_stacks,
    write_config_edits,
)
from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.fleet import App
from ownstack_tui.tui.tabs.config_view import ConfigView, one_line

APP = App(
    "shop",
    stacks=("staging", "prod-east"),
    config={"LOG_LEVEL": "info", "OLD": "1"},
    stack_config={"prod-east": {"REGION": "us-east-1"}},
)


def test_a_later_edit_of_the_same_key_and_layer_replaces_the_earlier_one() -> None:
    edits = stage([], ConfigEdit("LOG_LEVEL", "debug"))
    edits = stage(edits, ConfigEdit("LOG_LEVEL", "warn", "prod-east"))
    edits = stage(edits, ConfigEdit("LOG_LEVEL", "trace"))
    assert edits == [ConfigEdit("LOG_LEVEL", "warn", "prod-east"), ConfigEdit("LOG_LEVEL", "trace")]


@pytest.mark.parametrize("key", ["PORT", "DOKKU_APP_TYPE", "1X", "A-B", ""])
def test_reserved_and_invalid_keys_are_refused_when_staged(key: str) -> None:
    with pytest.raises(InvalidInput):
        stage([], ConfigEdit(key, "v"))


def test_the_preview_layers_edits_over_the_fleet_without_changing_it() -> None:
    edits = [ConfigEdit("OLD", None), ConfigEdit("REGION", "eu-west-1", "prod-east"),
             ConfigEdit("NEW", "x", "staging")]
    shown = preview(APP, edits)
    assert shown.config == {"LOG_LEVEL": "info"}
    assert shown.stack_config == {"prod-east": {"REGION": "eu-west-1"}, "staging": {"NEW": "x"}}
    assert APP.config == {"LOG_LEVEL": "info", "OLD": "1"}


def test_only_the_stacks_an_edit_can_change_are_touched() -> None:
    assert touched_stacks(APP, [ConfigEdit("REGION", "x", "prod-east")]) == ["prod-east"]
    assert touched_stacks(APP, [ConfigEdit("A", "x")]) == ["staging", "prod-east"]
    assert removed_keys(APP, [ConfigEdit("OLD", None), ConfigEdit("REGION", None, "prod-east")]) == {
        "staging": ["OLD"], "prod-east": ["OLD", "REGION"],
    }


def test_edits_are_written_to_the_fleet_file_keeping_comments(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    fleet_file = FleetFile.load_or_new(path)
    fleet_file.add_stack("staging", "127.0.0.1")
    fleet_file.add_app("shop", None, stacks=["staging"])
    fleet_file.set_config("shop", None, {"OLD": "1"})
    fleet_file.save()
    path.write_text("# keep me\n" + path.read_text())
    value = 'two "quoted"\nlines'
    fleet = write_config_edits(path, "shop", [ConfigEdit("OLD", None),
                                              ConfigEdit("MOTD", value, "staging")])
    assert fleet.app("shop").config == {}
    assert fleet.app("shop").stack_config == {"staging": {"MOTD": value}}
    assert path.read_text().startswith("# keep me\n")
    assert FleetFile.load(path).fleet.app("shop").stack_config["staging"]["MOTD"] == value


def test_a_fleet_file_that_disappeared_is_reported_not_recreated(tmp_path: Path) -> None:
    with pytest.raises(FleetFileError):
        write_config_edits(tmp_path / "gone.toml", "shop", [ConfigEdit("A", "1")])


def test_drift_counts_managed_keys_whose_stack_value_differs() -> None:
    actual = {"staging": {"LOG_LEVEL": "info", "OLD": "1"}, "prod-east": {"LOG_LEVEL": "warn"}}
    view = ConfigView(APP, APP, [], actual)
    assert view.drift_count("staging") == 0
    assert view.drift_count("prod-east") == 3  # LOG_LEVEL differs, OLD and REGION missing
    assert ConfigView(APP, APP, [], {"staging": None}).drift_count("staging") is None


def test_values_are_shown_on_one_line_and_cut() -> None:
    assert one_line("a\nb\r\nc") == "a↵b↵c"
    assert one_line("x" * 40, 10) == "x" * 9 + "…"
