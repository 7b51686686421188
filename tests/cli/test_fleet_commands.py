"""The fleet commands as a user types them: output, --json forms, exit statuses, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import Cli, make_git_repo


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "fleet.toml", capsys)


@pytest.fixture
def shop_fleet(cli: Cli, tmp_path: Path) -> Cli:
    repo = make_git_repo(tmp_path / "shop")
    assert cli("stack:add", "staging", "--host", "198.51.100.7").status == 0
    assert cli("stack:add", "prod-east", "--host", "203.0.113.10", "--port", "2222").status == 0
    assert cli("app", "create", "shop", "--repo", str(repo), "--stack", "staging").status == 0
    return cli


def test_stack_add_creates_the_fleet_file_and_lists_the_stack(cli: Cli) -> None:
    added = cli("stack:add", "staging", "--host", "198.51.100.7")
    assert added.status == 0
    assert "Added stack staging (dokku@198.51.100.7, port 22)" in added.out
    listed = cli("stacks", "--offline")
    assert listed.status == 0
    assert "staging" in listed.out and "198.51.100.7" in listed.out


def test_listings_match_their_json_forms(shop_fleet: Cli) -> None:
    cli = shop_fleet
    stacks = cli("stacks", "--offline", "--json").json()
    assert [(s["name"], s["host"], s["port"]) for s in stacks] == [
        ("staging", "198.51.100.7", 22),
        ("prod-east", "203.0.113.10", 2222),
    ]
    text = cli("stacks", "--offline").out.splitlines()
    assert [line.split()[:3] for line in text[1:]] == [
        [s["name"], s["host"], str(s["port"])] for s in stacks
    ]
    apps = cli("app", "list", "--json").json()
    assert [(a["name"], a["stacks"]) for a in apps] == [("shop", ["staging"])]
    assert cli("app", "list").out.splitlines()[1].split()[:2] == ["shop", "staging"]
    targets = cli("app", "stacks", "shop", "--json").json()
    assert [t["name"] for t in targets] == ["staging"]


def test_global_options_work_before_and_after_the_command(shop_fleet: Cli) -> None:
    before = shop_fleet("--json", "app", "list")
    after = shop_fleet("app", "list", "--json")
    assert before.status == after.status == 0
    assert before.json() == after.json()


def test_adding_and_removing_a_target(shop_fleet: Cli) -> None:
    cli = shop_fleet
    added = cli("app", "stacks:add", "shop", "prod-east")
    assert added.status == 0 and "target of shop" in added.out
    assert [t["name"] for t in cli("app", "stacks", "shop", "--json").json()] == ["staging", "prod-east"]
    removed = cli("app", "stacks:remove", "shop", "prod-east")
    assert removed.status == 0
    assert "stay on 203.0.113.10" in removed.out
    assert "ssh -p 2222 dokku@203.0.113.10 apps:destroy shop" in removed.out
    assert [t["name"] for t in cli("app", "stacks", "shop", "--json").json()] == ["staging"]


def test_unknown_names_are_refused_naming_the_known_ones(shop_fleet: Cli) -> None:
    result = shop_fleet("app", "stacks", "shoop")
    assert result.status == 2
    assert result.err == "ownstack-tui: unknown app 'shoop'; known apps: shop\n"
    result = shop_fleet("app", "stacks:add", "shop", "prod-west")
    assert result.status == 2
    assert "unknown stack 'prod-west'; known stacks: prod-east, staging" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stack:add", "Prod", "--host", "h"], "invalid stack name 'Prod'"),
        (["stack:add", "p", "--host", "h", "--port", "0"], "invalid port '0'"),
        (["stack:add", "p", "--host", "a b"], "invalid host 'a b'"),
        (["stack:add", "staging", "--host", "h"], "stack 'staging' already exists"),
        (["app", "create", "Shop_2", "--repo", "."], "invalid app name 'Shop_2'"),
        (["app", "create", "other", "--repo", "/nonexistent"], "not a git repository"),
        (["stack:add", "p"], "the following arguments are required: --host"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2_and_the_file_is_unchanged(
    shop_fleet: Cli, argv: list[str], message: str
) -> None:
    before = shop_fleet.fleet.read_bytes()
    result = shop_fleet(*argv)
    assert result.status == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert shop_fleet.fleet.read_bytes() == before


def test_a_missing_fleet_file_says_how_to_start(cli: Cli) -> None:
    result = cli("app", "list")
    assert result.status == 2
    assert "no fleet file at" in result.err and "stack:add" in result.err


def test_a_malformed_fleet_file_is_one_line_with_its_position(cli: Cli) -> None:
    cli.fleet.write_text("via = \n")
    result = cli("app", "list")
    assert result.status == 2
    assert "line 1" in result.err and "column" in result.err
    assert result.err.count("\n") == 1


def test_the_installed_command_prints_no_traceback_and_never_imports_textual(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text("[stacks.a]\nhost = 'h'\nport = 'x'\n")
    probe = (
        "import sys; from ownstack_tui.cli import main; status = main(sys.argv[1:]); "
        "assert 'textual' not in sys.modules and 'asyncssh' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('textual', 'asyncssh'))); sys.exit(status)"
    )
    env = {**os.environ, "OWNSTACK_TUI_FLEET": str(fleet), "OWNSTACK_TUI_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe, "app", "list"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("ownstack-tui: fleet file")

    # A command that works imports neither either (only reads the fleet: no tomlkit).
    repo = make_git_repo(tmp_path / "shop")
    fleet.write_text(f"[stacks.a]\nhost = 'h'\n[apps.shop]\nrepo = '{repo}'\nstacks = ['a']\n")
    reading = probe.replace("'asyncssh' not in", "'asyncssh' not in sys.modules and 'tomlkit' not in")
    for command in (["app", "list"], ["app", "stacks", "shop"], ["history"]):
        result = subprocess.run(
            [sys.executable, "-c", reading, *command], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, (command, result.stderr)


def test_a_closed_pipe_ends_a_command_silently_with_status_0(shop_fleet: Cli) -> None:
    from tests.cli.closed_pipe import run_into_closed_pipe

    for argv in (("app", "list"), ("stacks", "--offline", "--json"), ("--help",)):
        result = run_into_closed_pipe("--fleet", str(shop_fleet.fleet), *argv)
        assert (result.returncode, result.stderr) == (0, ""), argv
