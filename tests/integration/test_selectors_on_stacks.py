"""Selectors against sandbox stacks over real SSH: a tag or a pattern reaches exactly the stacks it
names, and waves given by tags deploy in the order they say. Judged on what the stand-ins hold
(deployed SHA, whether the app exists there, config values) and on the fleet file."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Cli
from tests.fixtures.sandbox import write_sandbox_fleet

STACKS = ("staging", "prod-east", "prod-west")
# staging is the canary; prod-west is in the EU, like staging.
TAGS = {"staging": ("eu", "canary"), "prod-east": ("prod", "us"), "prod-west": ("prod", "eu")}


@pytest.fixture
def tagged(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Cli, str]:
    """(cli, app): an app without services on the three stacks, tagged as in TAGS."""
    fleet = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo, False)
    cli = Cli(fleet, capsys)
    for stack, tags in TAGS.items():
        assert cli("stack:tag", stack, *tags).status == 0
    return cli, unique_app


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def on_stack(sandbox_fleet: Any, stack: str, app: str, key: str) -> str | None:
    result = sandbox_fleet[stack].dokku_sync("config:get", app, key)
    return result.stdout[:-1] if result.exit_status == 0 else None


def test_deploy_to_a_tag_pushes_to_the_tagged_stacks_only(
    tagged: tuple[Cli, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    cli, app = tagged
    result = cli("deploy", app, "--stack", "tag:eu", "--wait")
    assert result.status == 0, result.out + result.err
    assert "prod-east" not in result.out
    sha = head(demo_repo)
    assert sandbox_fleet["staging"].deployed_sha(app) == sha
    assert sandbox_fleet["prod-west"].deployed_sha(app) == sha
    # Not a push, not even the app: prod-east was never asked for anything.
    assert not sandbox_fleet["prod-east"].state.app_exists(app)


def test_config_set_on_a_pattern_sets_each_matching_stacks_override(
    tagged: tuple[Cli, str], sandbox_fleet: Any
) -> None:
    cli, app = tagged
    for stack in STACKS:
        assert sandbox_fleet[stack].dokku_sync("apps:create", app).exit_status == 0
    result = cli("config:set", "--app", app, "--stack", "prod-*", "REGION=far")
    assert result.status == 0, result.err
    assert "✓ prod-east: +REGION" in result.out and "✓ prod-west: +REGION" in result.out
    assert "staging" not in result.out
    assert {s: on_stack(sandbox_fleet, s, app, "REGION") for s in STACKS} == {
        "staging": None, "prod-east": "far", "prod-west": "far",
    }
    overrides = tomllib.loads(cli.fleet.read_text())["apps"][app]["stack_config"]
    assert overrides == {"prod-east": {"REGION": "far"}, "prod-west": {"REGION": "far"}}

    # An exclusion alone: every stack of the app but the canary.
    unset = cli("config:unset", "--app", app, "--stack", "!tag:canary", "REGION")
    assert unset.status == 0, unset.err
    assert {s: on_stack(sandbox_fleet, s, app, "REGION") for s in STACKS} == dict.fromkeys(STACKS)

    # Reading commands take the same selectors.
    status = cli("status", "--app", app, "--stack", "tag:prod", "--json").json()
    assert [row["stack"] for row in status["stacks"]] == ["prod-east", "prod-west"]


def test_wave_options_by_tag_deploy_the_canary_first_then_the_rest(
    tagged: tuple[Cli, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    cli, app = tagged
    result = cli("deploy", app, "--wave", "tag:canary", "--wave", "tag:prod,!tag:canary", "--gate", "none")
    assert result.status == 0, result.out + result.err
    out = result.out
    assert "Wave 1 of 2: staging" in out and "Wave 2 of 2: prod-east, prod-west" in out
    assert out.index("Wave 1 of 2") < out.index("Wave 2 of 2")
    assert {sandbox_fleet[s].deployed_sha(app) for s in STACKS} == {head(demo_repo)}


def test_the_fleet_files_waves_by_tag_deploy_in_their_order(
    tagged: tuple[Cli, str], sandbox_fleet: Any, demo_repo: Path
) -> None:
    cli, app = tagged
    cli.fleet.write_text(
        cli.fleet.read_text()
        + f'\n[apps.{app}.rollout]\nwaves = [["tag:eu"], ["tag:us"]]  # EU first\ngate = "none"\n'
    )
    result = cli("deploy", app, "--json")
    assert result.status == 0, result.out + result.err
    waves = result.json()["waves"]
    assert [[stack["stack"] for stack in wave["stacks"]] for wave in waves] == [
        ["staging", "prod-west"], ["prod-east"],
    ]
    assert {sandbox_fleet[s].deployed_sha(app) for s in STACKS} == {head(demo_repo)}
