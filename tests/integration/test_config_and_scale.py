"""Per-stack config and scale against sandbox stacks over real SSH: layers, plans, drift, bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownstack_tui.errors import InvalidInput
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model import validation
from tests.cli.helpers import Cli
from tests.fixtures.sandbox import write_sandbox_fleet

STACKS = ("staging", "prod-east", "prod-west")


def on_stack(sandbox_fleet: Any, stack: str, app: str, key: str) -> str | None:
    result = sandbox_fleet[stack].dokku_sync("config:get", app, key)
    return result.stdout[:-1] if result.exit_status == 0 else None


def create_everywhere(sandbox_fleet: Any, app: str) -> None:
    """As after a first deploy: the app exists on every stack."""
    for stack in STACKS:
        assert sandbox_fleet[stack].dokku_sync("apps:create", app).exit_status == 0


def storable(value: str) -> bool:
    try:
        validation.config_value("K", value)
    except InvalidInput:
        return False
    return True


# Every character class that breaks naive quoting, plus anything else hypothesis finds.
TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(" '\"\n\r\t$`=\\;&|*?#~!{}[]()<>%^-")),
        st.characters(codec="utf-8", exclude_characters="\x00"),
    ),
    max_size=40,
).filter(storable)


@pytest.fixture
def single_stack_cli(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Cli, str]:
    path = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, unique_app, demo_repo)
    fleet_file = FleetFile.load(path)
    for stack in STACKS[1:]:
        fleet_file.remove_target(unique_app, stack)
    fleet_file.save()
    trusted_sandbox["staging"].dokku_sync("apps:create", unique_app)
    return Cli(path, capsys), unique_app


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(TRICKY, min_size=1, max_size=5))
def test_any_value_survives_set_stack_and_config_json(
    single_stack_cli: tuple[Cli, str], values: list[str]
) -> None:
    cli, app = single_stack_cli
    pairs = {f"V{i}": value for i, value in enumerate(values)}
    result = cli("config:set", "--app", app, "--no-restart", *(f"{k}={v}" for k, v in pairs.items()))
    assert result.status == 0, result.err
    shown = cli("config", "--app", app, "--reveal", "--json").json()
    stack_vars = shown["stacks"]["staging"]["vars"]
    assert {key: stack_vars[key]["value"] for key in pairs} == pairs
    assert shown["stacks"]["staging"]["drift"] == []


def test_effective_config_is_app_level_plus_each_stacks_overrides(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    create_everywhere(sandbox_fleet, app)
    assert shop_cli("config:set", "--app", app, "LOG_LEVEL=info", "REGION=none").status == 0
    assert shop_cli("config:set", "--app", app, "--stack", "prod-east", "REGION=us-east-1").status == 0
    assert {s: on_stack(sandbox_fleet, s, app, "REGION") for s in STACKS} == {
        "staging": "none", "prod-east": "us-east-1", "prod-west": "none",
    }
    assert {s: on_stack(sandbox_fleet, s, app, "LOG_LEVEL") for s in STACKS} == dict.fromkeys(STACKS, "info")

    # Changing an override reaches only its stack.
    changed = shop_cli("config:set", "--app", app, "--stack", "prod-east", "REGION=us-east-2")
    assert changed.status == 0
    assert "✓ prod-east: ~REGION" in changed.out and "staging" not in changed.out
    assert on_stack(sandbox_fleet, "prod-east", app, "REGION") == "us-east-2"

    # Unsetting the override falls back to the app-level value.
    unset = shop_cli("config:unset", "--app", app, "--stack", "prod-east", "REGION")
    assert unset.status == 0
    assert on_stack(sandbox_fleet, "prod-east", app, "REGION") == "none"

    # Unsetting at app level removes the key everywhere.
    assert shop_cli("config:unset", "--app", app, "LOG_LEVEL").status == 0
    assert {s: on_stack(sandbox_fleet, s, app, "LOG_LEVEL") for s in STACKS} == dict.fromkeys(STACKS)


def test_a_hand_change_shows_as_drift_on_that_stack_only_and_apply_fixes_it(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    create_everywhere(sandbox_fleet, app)
    assert shop_cli("config:set", "--app", app, "FEATURE=on").status == 0
    sandbox_fleet["prod-west"].dokku_sync("config:set", "--no-restart", app, "FEATURE=off", "HAND_MADE=yes")
    drift = shop_cli("config", "--app", app, "--drift", "--json").json()["stacks"]
    assert {stack: entry["drift"] for stack, entry in drift.items()} == {
        "staging": [], "prod-east": [], "prod-west": ["FEATURE"],
    }
    assert drift["prod-west"]["vars"]["FEATURE"] == {"value": "off", "source": "app", "fleet_value": "on"}
    text = shop_cli("config", "--app", app, "--drift").out
    assert "FEATURE  off  DRIFT: fleet wants on" in text

    applied = shop_cli("config:apply", "--app", app)
    assert applied.status == 0
    assert "✓ prod-west: ~FEATURE" in applied.out and "✓ staging: already up to date" in applied.out
    assert on_stack(sandbox_fleet, "prod-west", app, "FEATURE") == "on"
    assert on_stack(sandbox_fleet, "prod-west", app, "HAND_MADE") == "yes"  # unmanaged: untouched


def test_reserved_and_unstorable_values_are_refused_before_anything_changes(
    shop_cli: Cli, shop: tuple[Path, str]
) -> None:
    fleet, app = shop
    before = fleet.read_bytes()
    for pair, message in (
        ("PORT=5000", "PORT is reserved"),
        ("DOKKU_APP_TYPE=x", "read-only"),
        ("BAD-KEY=1", "invalid config key"),
        ("TRAILING=a\\", "ends with a backslash"),
        ("ZIP=01234", "dokku would store as 1234"),
    ):
        result = shop_cli("config:set", "--app", app, pair)
        assert result.status == 2 and message in result.err, (pair, result.err)
    assert fleet.read_bytes() == before


def test_config_push_applies_a_heroku_style_file_and_refuses_a_malformed_one(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any, tmp_path: Path
) -> None:
    fleet, app = shop
    create_everywhere(sandbox_fleet, app)
    good = tmp_path / "good.env"
    good.write_text("# production\nexport GREETING='it'\"'\"'s a \"test\".'\nMULTI='line one\nline two'\n")
    assert shop_cli("config:push", "--app", app, "--file", str(good)).status == 0
    assert on_stack(sandbox_fleet, "staging", app, "GREETING") == "it's a \"test\"."
    assert on_stack(sandbox_fleet, "prod-west", app, "MULTI") == "line one\nline two"

    before = fleet.read_bytes()
    bad = tmp_path / "bad.env"
    bad.write_text("A='fine'\nB='also fine'\nthis is not a pair\n")
    result = shop_cli("config:push", "--app", app, "--file", str(bad))
    assert result.status == 2
    assert f"{bad}, line 3: expected KEY='value'" in result.err
    assert fleet.read_bytes() == before
    assert on_stack(sandbox_fleet, "staging", app, "A") is None


def test_scale_on_one_stack_leaves_the_others_and_the_formation_lock_is_reported(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    assert shop_cli("deploy", app, "--wait").status == 0
    scaled = shop_cli("ps:scale", "--app", app, "--stack", "prod-east", "web=3", "worker=1", "--json")
    assert scaled.status == 0 and scaled.json()["scale"] == {"web": 3, "worker": 1}
    for stack in ("staging", "prod-west"):
        assert shop_cli("ps:scale", "--app", app, "--stack", stack, "--json").json()["scale"] == {
            "web": 1, "worker": 0,
        }
    refused = shop_cli("ps:scale", "--app", app, "--stack", "staging", "web=-1")
    assert refused.status == 2 and "whole number >= 0" in refused.err

    sandbox_fleet["prod-west"].set_fault(formation_lock=True)
    locked = shop_cli("ps:scale", "--app", app, "--stack", "prod-west", "web=2")
    assert locked.status == 1
    assert "contains an app.json file with a formations key and cannot be manually scaled" in locked.err


def test_without_postgres_an_external_database_url_reaches_every_stack(
    tmp_path: Path, trusted_sandbox: Any, unique_app: str, demo_repo: Path, clean_faults: None,
    capsys: pytest.CaptureFixture[str], sandbox_fleet: Any,
) -> None:
    path = write_sandbox_fleet(
        tmp_path / "f.toml", trusted_sandbox, unique_app, demo_repo, needs_postgres=False
    )
    cli = Cli(path, capsys)
    external = "postgres://shop:s3cret@db.example.org:5432/shop"
    assert cli("config:set", "--app", unique_app, "--no-restart", f"DATABASE_URL={external}").status == 0
    result = cli("deploy", unique_app, "--wait")
    assert result.status == 0, result.out
    assert "postgres service" not in result.out
    for stack in STACKS:
        assert on_stack(sandbox_fleet, stack, unique_app, "DATABASE_URL") == external
        assert sandbox_fleet[stack].dokku_sync("postgres:exists", f"postgres-{unique_app}").exit_status != 0
    shown = cli("config", "--app", unique_app).out
    assert "s3cret" not in shown  # credentials in URLs are masked unless revealed


def test_replicate_makes_a_sibling_sharing_the_sources_database(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    fleet, app = shop
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    sibling = f"{app}-blue"
    result = shop_cli("app", "replicate", app, sibling, "--stack", "staging")
    assert result.status == 0, result.err
    source_url = on_stack(sandbox_fleet, "staging", app, "DATABASE_URL")
    assert source_url and on_stack(sandbox_fleet, "staging", sibling, "DATABASE_URL") == source_url
    assert FleetFile.load(fleet).fleet.apps[sibling].stacks == ("staging",)


def test_config_for_a_stack_without_the_app_waits_for_its_first_deploy(
    shop_cli: Cli, shop: tuple[Path, str], sandbox_fleet: Any
) -> None:
    _, app = shop
    result = shop_cli("config:set", "--app", app, "GREETING=hello")
    assert result.status == 0
    assert "• staging: app not created there yet; its first deploy sets the config" in result.out
    assert shop_cli("deploy", app, "--stack", "staging", "--wait").status == 0
    assert on_stack(sandbox_fleet, "staging", app, "GREETING") == "hello"
