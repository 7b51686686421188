"""Config, scale, runtime logs and status through the control plane match what SSH sees."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import ApiWorld


def deployed(world: ApiWorld) -> ApiWorld:
    result = world.ssh("deploy", world.app, "--wait")
    assert result.status == 0, result.out + result.err
    return world


def test_config_changes_via_api_read_the_same_via_ssh(world: ApiWorld, sandbox_fleet: Any) -> None:
    deployed(world)
    app = world.app
    changed = world.api("config:set", "--app", app, "LOG_LEVEL=debug", "API_SECRET=s3cr3t value")
    assert changed.status == 0, changed.out + changed.err
    assert changed.out.splitlines() == [
        f"✓ {stack}: +API_SECRET, +LOG_LEVEL" for stack in ("staging", "prod-east", "prod-west")
    ]
    override = world.api("config:set", "--app", app, "--stack", "prod-east", "--no-restart",
                         "LOG_LEVEL=warn")
    assert override.status == 0, override.err
    assert "✓ prod-east: ~LOG_LEVEL (no restart" in override.out

    via_api = world.api("config", "--app", app, "--json", "--reveal")
    via_ssh = world.ssh("config", "--app", app, "--json", "--reveal")
    assert via_api.status == via_ssh.status == 0
    assert via_api.json() == via_ssh.json()
    stacks = via_api.json()["stacks"]
    assert stacks["prod-east"]["vars"]["LOG_LEVEL"]["value"] == "warn"
    assert stacks["staging"]["vars"]["API_SECRET"]["value"] == "s3cr3t value"
    assert sandbox_fleet["prod-west"].dokku_sync("config:get", app, "LOG_LEVEL").stdout == "debug\n"

    removed = world.api("config:unset", "--app", app, "API_SECRET")
    assert removed.status == 0, removed.err
    assert world.api("config:get", "--app", app, "--stack", "staging", "API_SECRET").status == 1
    assert world.ssh("config:get", "--app", app, "--stack", "staging", "API_SECRET").status == 1
    assert world.api("config", "--app", app, "--json").json() == (
        world.ssh("config", "--app", app, "--json").json()
    )


def test_the_next_deploy_via_api_keeps_config_set_via_api(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    deployed(world)
    changed = world.api("config:set", "--app", world.app, "--stack", "staging", "FEATURE=on")
    assert changed.status == 0, changed.err
    assert world.api("deploy", world.app, "--stack", "staging", "--wait").status == 0
    result = sandbox_fleet["staging"].dokku_sync("config:get", world.app, "FEATURE")
    assert result.stdout == "on\n"


def test_scale_via_api_and_via_ssh_agree(world: ApiWorld) -> None:
    deployed(world)
    app = world.app
    scaled = world.api("ps:scale", "--app", app, "--stack", "staging", "web=2", "worker=1")
    assert scaled.status == 0, scaled.err
    assert scaled.out.splitlines()[0] == f"Scaled {app} on staging: web=2 worker=1"
    read_back = world.ssh("ps:scale", "--app", app, "--stack", "staging", "--json")
    assert read_back.json()["scale"] == {"web": 2, "worker": 1}

    assert world.ssh("ps:scale", "--app", app, "--stack", "prod-west", "web=0").status == 0
    for stack in ("staging", "prod-west"):
        via_api = world.api("ps:scale", "--app", app, "--stack", stack)
        via_ssh = world.ssh("ps:scale", "--app", app, "--stack", stack)
        assert via_api.status == via_ssh.status == 0
        assert via_api.out == via_ssh.out


def test_a_refused_scale_is_refused_the_same_way_via_api(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    deployed(world)
    sandbox_fleet["staging"].set_fault(formation_lock=True)
    via_api = world.api("ps:scale", "--app", world.app, "--stack", "staging", "web=3")
    via_ssh = world.ssh("ps:scale", "--app", world.app, "--stack", "staging", "web=3")
    assert via_api.status == via_ssh.status == 1
    assert via_ssh.err.strip().splitlines()[-1].split(": ")[-1] in via_api.err
    assert "Traceback" not in via_api.err


def test_app_info_and_runtime_logs_via_api_match_ssh(world: ApiWorld) -> None:
    deployed(world)
    assert world.api("app", "info", world.app).out == world.ssh("app", "info", world.app).out

    args = ("logs", "--app", world.app, "--stack", "staging", "--tail", "5")
    via_api, via_ssh = world.api(*args), world.ssh(*args)
    assert via_api.status == via_ssh.status == 0, via_api.err
    assert "Listening on port" in via_api.out

    def shape(out: str) -> list[str]:  # timestamps move on between the two reads
        return [re.sub(r"^\S+", "TIME", line) for line in out.splitlines()]

    assert shape(via_api.out) == shape(via_ssh.out)


def test_stacks_are_probed_through_the_control_plane(world: ApiWorld) -> None:
    result = world.api("stacks", "--json")
    assert result.status == 0, result.err
    rows = result.json()
    assert [(row["name"], row["reachable"]) for row in rows] == [
        ("staging", True), ("prod-east", True), ("prod-west", True),
    ]
    assert all(row["dokku_version"] for row in rows)
