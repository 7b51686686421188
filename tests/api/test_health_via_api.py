"""``status``, ``ps:restart`` and ``ps:rebuild`` through the control plane read and act like
they do over SSH (docs/api.md: health, restart, rebuild), and the token never leaks."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiWorld


def test_status_via_api_matches_status_via_ssh(world: ApiWorld, sandbox_fleet: Any) -> None:
    deployed = world.ssh("deploy", world.app, "--wait")
    assert deployed.status == 0, deployed.out + deployed.err
    sandbox_fleet["prod-east"].set_fault(crashed="web")

    via_api = world.api("status", "--app", world.app, "--json")
    via_ssh = world.ssh("status", "--app", world.app, "--json")

    assert via_api.status == via_ssh.status == 1

    def comparable(result: Any) -> list[dict[str, Any]]:
        rows = result.json()["stacks"]
        for row in rows:
            row.pop("age_seconds")
            row["columns"].pop("last_deploy")  # an age, read a moment apart
        return rows

    assert comparable(via_api) == comparable(via_ssh)
    problems = [p["message"] for row in via_api.json()["stacks"] for p in row["problems"]]
    assert problems == ["web crashed (0/1 running)"]


def test_restart_and_rebuild_via_api(world: ApiWorld, sandbox_fleet: Any) -> None:
    deployed = world.ssh("deploy", world.app, "--wait")
    assert deployed.status == 0, deployed.out + deployed.err
    stack = sandbox_fleet["staging"]
    before = stack.dokku_sync("ps:report", world.app, "--status-web.1").stdout
    restarted = world.api("ps:restart", "--app", world.app, "--stack", "staging", "--process", "web")
    assert restarted.status == 0, restarted.err
    assert "-----> Deploying web (count=1)" in restarted.out.splitlines()
    assert stack.dokku_sync("ps:report", world.app, "--status-web.1").stdout != before
    rebuilt = world.api("ps:rebuild", "--app", world.app, "--stack", "staging")
    assert rebuilt.status == 0, rebuilt.err
    assert f"-----> Building {world.app} from herokuish" in rebuilt.out
