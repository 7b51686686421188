"""A stack's whole config goes to dokku in one ``config:set`` at deploy time, so a config too
large for one command is refused before it reaches the fleet file, wherever it comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownstack_tui.backends.dokku import commands
from ownstack_tui.backends.dokku.errors import CommandTooLong
from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model import validation
from ownstack_tui.model.fleet import fleet_from_dict
from tests.cli.helpers import Cli

FLEET = """\
[stacks.s1]
host = "127.0.0.1"

[stacks.s2]
host = "127.0.0.1"

[apps.shop]
stacks = ["s1", "s2"]
needs_postgres = false

[apps.shop.config]
LOG_LEVEL = "info"
"""


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    return Cli(path, capsys)


def _config_over_the_limit_by(extra: int) -> dict[str, str]:
    """A config whose config:set line is exactly ``extra`` bytes over the limit (base64 grows
    in steps of 4, so the key's length takes up the rest)."""
    for key in ("B", "BI", "BIG", "BIGG"):
        for length in range(92_090, 92_130):
            config = {"LOG_LEVEL": "info", key: "v" * length}
            size = validation.config_command_bytes("shop", config)
            if size - validation.MAX_REMOTE_COMMAND_BYTES == extra:
                return config
    raise AssertionError(f"no config is {extra} bytes over")


@pytest.mark.parametrize("extra", [0, 1])
def test_the_fleet_and_the_command_builder_agree_on_the_limit(extra: int) -> None:
    config = _config_over_the_limit_by(extra)
    data = {"stacks": {"s1": {"host": "127.0.0.1"}}, "apps": {"shop": {"stacks": ["s1"], "config": config}}}
    if extra == 0:
        fleet_from_dict(data)
        built = commands.config_set("shop", config, restart=False)
        assert len(built.line.encode()) == validation.MAX_REMOTE_COMMAND_BYTES
    else:
        with pytest.raises(FleetFileError, match="too large for dokku"):
            fleet_from_dict(data)
        with pytest.raises(CommandTooLong):
            commands.config_set("shop", config, restart=False)


def test_config_set_of_an_oversized_value_is_refused_and_writes_nothing(cli: Cli) -> None:
    result = cli("config:set", "--app", "shop", "BIG=" + "x" * 130_000)
    assert result.status == 2
    assert result.err.count("\n") == 1
    assert "config of app shop on stack s1 is too large for dokku" in result.err
    assert "largest value is BIG" in result.err and "x" * 20 not in result.err
    assert cli.fleet.read_text() == FLEET


def test_an_oversized_override_on_one_stack_names_that_stack(cli: Cli) -> None:
    result = cli("config:set", "--app", "shop", "--stack", "s2", "HUGE=" + "y" * 100_000)
    assert result.status == 2
    assert "on stack s2" in result.err and "HUGE" in result.err
    assert cli.fleet.read_text() == FLEET


def test_config_push_that_adds_up_to_too_much_is_refused(cli: Cli, tmp_path: Path) -> None:
    env = tmp_path / "big.env"
    env.write_text("".join(f"PART_{i}='{'z' * 10_000}'\n" for i in range(12)))
    result = cli("config:push", "--app", "shop", "--file", str(env))
    assert result.status == 2
    assert result.err.count("\n") == 1 and "too large for dokku" in result.err
    assert cli.fleet.read_text() == FLEET


def test_an_oversized_value_edited_in_by_hand_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET + f'BIG = "{"q" * 130_000}"\n')
    with pytest.raises(FleetFileError) as caught:
        FleetFile.load(path)
    message = str(caught.value)
    assert message.startswith(f"fleet file {path}: config of app shop on stack s1 is too large")
    assert "largest value is BIG" in message


def test_an_app_without_stacks_is_held_to_the_same_limit() -> None:
    data = {"apps": {"shop": {"config": {"BIG": "b" * 100_000}}}}
    with pytest.raises(InvalidInput, match="config of app shop is too large"):
        fleet_from_dict(data)
