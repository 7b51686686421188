"""The console's command line is read by a parser of its options alone (the commands'
parsers cost ~15 ms before the first frame): every command line must mean what the full
parser makes of it, errors included."""

from __future__ import annotations

import pytest

from ownstack_tui.cli.parser import build_parser, parse
from ownstack_tui.errors import InvalidInput

SAME = [
    [],
    ["--fleet", "/tmp/f.toml"],
    ["--fleet=/tmp/f.toml", "--via", "api", "--json"],
    ["--accept-new-host-key", "--app", "shop"],
    ["--fl", "x.toml", "--acc"],  # abbreviations, as argparse allows them
    ["--fleet", "stacks"],  # a command's name as an option's value
    ["stacks", "--offline"],
    ["--fleet", "f.toml", "app", "list"],
    ["demo", "--stacks", "5"],
]

REFUSED = [
    ["--fleet"],
    ["--fleet", ""],
    ["--via", "telnet"],
    ["--v", "ssh"],  # ambiguous: --via or --version
    ["--nosuch"],
    ["nosuch"],
    ["--stacks", "5"],  # demo's option without demo
]


@pytest.mark.parametrize("argv", SAME, ids=" ".join)
def test_a_command_line_means_what_the_full_parser_reads(argv: list[str]) -> None:
    assert vars(parse(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", REFUSED, ids=" ".join)
def test_a_bad_command_line_gets_the_full_parsers_error(argv: list[str]) -> None:
    with pytest.raises(InvalidInput) as full:
        build_parser().parse_args(argv)
    with pytest.raises(InvalidInput) as ours:
        parse(argv)
    assert str(ours.value) == str(full.value)


def test_help_still_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--help"])
    assert "stack:add" in capsys.readouterr().out
