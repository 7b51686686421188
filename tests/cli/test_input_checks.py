"""Input the plain commands refuse before anything is written or any stack is contacted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.helpers import Cli, make_git_repo


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    repo = make_git_repo(tmp_path / "shop")
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(
        'via = "ssh"\n'
        "[stacks.staging]\nhost = \"198.51.100.7\"\n"
        "[stacks.prod-east]\nhost = \"203.0.113.10\"\n"
        f"[apps.shop]\nrepo = \"{repo}\"\nstacks = [\"staging\", \"prod-east\"]\n"
        "[apps.shop.config]\nLOG_LEVEL = \"info\"\nAPI_SECRET = \"hunter2-s3cr3t\"\n"
    )
    os.chmod(fleet, 0o600)
    return Cli(fleet, capsys)


def test_config_set_via_api_without_url_or_token_changes_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = cli.fleet.read_bytes()
    result = cli("--via", "api", "config:set", "--app", "shop", "LOG_LEVEL=debug")
    assert result.status == 2
    assert "no control-plane URL" in result.err and len(result.err.splitlines()) == 1
    monkeypatch.setenv("OWNSTACK_API_URL", "http://127.0.0.1:9")
    for argv in (("config:set", "A=1"), ("config:unset", "LOG_LEVEL")):
        result = cli("--via", "api", *argv, "--app", "shop")
        assert result.status == 2 and "no API token" in result.err, argv
    assert cli.fleet.read_bytes() == before


def test_a_stack_named_twice_in_an_apps_targets_is_refused_at_load(cli: Cli) -> None:
    text = cli.fleet.read_text().replace('["staging", "prod-east"]', '["staging", "prod-east", "staging"]')
    cli.fleet.write_text(text)
    result = cli("app", "list")
    assert result.status == 2
    assert result.err.endswith("stacks in [apps.shop] names staging twice; remove the duplicate\n")


def test_config_get_json_masks_a_secret_unless_revealed(cli: Cli) -> None:
    assert cli("config:get", "API_SECRET").out == "hunter2-s3cr3t\n"  # the plain form is for $(...)
    masked = cli("config:get", "API_SECRET", "--json")
    assert masked.status == 0 and "hunter2" not in masked.out
    assert masked.json() == {"stack": None, "key": "API_SECRET", "value": "••••••"}
    assert cli("config:get", "API_SECRET", "--json", "--reveal").json()["value"] == "hunter2-s3cr3t"
    assert cli("config:get", "LOG_LEVEL", "--json").json()["value"] == "info"


def test_a_fleet_path_that_never_ends_is_refused_after_a_bounded_read(
    cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    result = Cli(Path("/dev/zero"), capsys)("app", "list")
    assert result.status == 2
    assert result.err.startswith("ownstack-tui: fleet file /dev/zero is larger than 1 MB")


def test_a_non_utf8_env_file_is_named_by_line_without_its_bytes(cli: Cli, tmp_path: Path) -> None:
    env = tmp_path / "bad.env"
    env.write_bytes(b"A=1\nTOKEN='\xff\xfesecret'\n")
    before = cli.fleet.read_bytes()
    result = cli("config:push", "--app", "shop", "--file", str(env))
    assert (result.status, result.err) == (
        2, f"ownstack-tui: {env}, line 2: not UTF-8 text; save the file as UTF-8\n"
    )
    assert cli.fleet.read_bytes() == before
