"""Staged rollouts through the control-plane stand-in: the same engine as over SSH, each wave's
stacks as control-plane deployments, the health gate and the deploy lock read through the API.

Every rule is checked on what the stand-in recorded (its deployments), on what the sandbox
stacks run, and on the command's output and exit status.
"""

from __future__ import annotations

import getpass
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ApiWorld
from tests.api.test_deploy_via_api import head_sha, server_deployments
from tests.integration.test_deploy_lock import lock_on, wait_until
from tests.integration.test_rollout import commit, with_rollout

WAVES = ("--wave", "staging", "--wave", "prod-east", "--wave", "prod-west")


def deployed(world: ApiWorld) -> list[tuple[str, str | None, str]]:
    """(stack, sha, status) of every deployment the stand-in made, in the order it made them."""
    return [(d.job.stack, d.job.sha, d.job.status.value) for d in server_deployments(world)]


def shape(value: Any) -> Any:
    """The keys of a JSON value, all the way down (lists by their first element)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_waves_deploy_in_order_each_as_its_own_control_plane_deployment(
    world: ApiWorld, sandbox_fleet: Any, demo_repo: Path
) -> None:
    result = world.api("deploy", world.app, "--wave", "staging", "--wave", "prod-east,prod-west",
                       "--gate", "none")
    assert result.status == 0, result.out + result.err
    assert f"Rolling out app {world.app} in 2 waves (gate: none, on failure: halt)" in result.out
    assert "Wave 1 of 2: staging" in result.out and "Wave 2 of 2: prod-east, prod-west" in result.out
    sha = head_sha(demo_repo)
    deployments = server_deployments(world)
    assert deployments[0].job.stack == "staging"
    assert {d.job.stack for d in deployments[1:]} == {"prod-east", "prod-west"}  # in parallel
    staging = deployments[0].job
    assert staging.finished_at is not None
    # Wave 2 was asked for only once wave 1 had finished on the control plane.
    assert all(d.job.created_at >= staging.finished_at for d in deployments[1:])
    assert all(stack.deployed_sha(world.app) == sha for stack in sandbox_fleet)
    # Released on every stack at the end, through the same endpoint.
    assert all(lock_on(stack, world.app) is None for stack in sandbox_fleet)


def test_a_failed_wave_halts_and_the_control_plane_gets_no_deploy_for_later_waves(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["prod-east"].set_fault(build_fail=True)
    result = world.api("deploy", world.app, *WAVES, "--gate", "none")
    assert result.status == 1, result.out + result.err
    assert "Wave 2 failed: failed on prod-east" in result.out
    assert "Wave 3 of 3" not in result.out
    assert re.search(r"^↷ prod-west\s+skipped\s+job \d+\s+0\.0s\s+wave 2 failed$", result.out, re.M)
    assert result.out.rstrip().endswith("Rollout failed: wave 2 failed")
    assert [(stack, status) for stack, _sha, status in deployed(world)] == [
        ("staging", "succeeded"), ("prod-east", "failed"),
    ]
    assert not sandbox_fleet["prod-west"].state.app_exists(world.app)
    history = world.api("history", "--app", world.app, "--json").json()
    assert {(h["stack"], h["status"]) for h in history} == {
        ("staging", "succeeded"), ("prod-east", "failed"), ("prod-west", "skipped"),
    }


def test_json_of_a_rollout_has_the_same_shape_and_verdicts_as_over_ssh(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["prod-east"].set_fault(build_fail=True)
    via_api = world.api("deploy", world.app, *WAVES, "--gate", "none", "--json")
    via_ssh = world.ssh("deploy", world.app, *WAVES, "--gate", "none", "--json")
    assert via_api.status == via_ssh.status == 1
    api, ssh = via_api.json(), via_ssh.json()
    assert shape(api) == shape(ssh)

    def verdicts(report: dict[str, Any]) -> list[Any]:
        return [(w["number"], w["state"], [(s["stack"], s["status"], s["phase"]) for s in w["stacks"]])
                for w in report["waves"]]

    assert verdicts(api) == verdicts(ssh) == [
        (1, "passed", [("staging", "succeeded", "passed")]),
        (2, "failed", [("prod-east", "failed", "failed")]),
        (3, "skipped", [("prod-west", "skipped", "skipped")]),
    ]
    # Through the API each job that ran is a control-plane deployment; over SSH none is.
    assert all(job["remote_id"] for job in api["jobs"] if job["status"] != "skipped")
    assert not any(job["remote_id"] for job in ssh["jobs"])


def test_rollback_deploys_every_moved_stack_back_to_its_previous_sha_through_the_api(
    world: ApiWorld, sandbox_fleet: Any, demo_repo: Path
) -> None:
    first = world.api("deploy", world.app, "--wait")  # v1 everywhere: a plain control-plane deploy
    assert first.status == 0, first.out + first.err
    v1 = head_sha(demo_repo)
    v2 = commit(demo_repo, "v2")
    sandbox_fleet["prod-west"].set_fault(build_fail=True)

    result = world.api("deploy", world.app, *WAVES, "--gate", "none", "--on-failure", "rollback",
                       "--json")

    assert result.status == 1, result.out + result.err
    report = result.json()
    assert report["state"] == "rolled back"
    for stack in sandbox_fleet:
        assert stack.deployed_sha(world.app) == v1, stack.name
    rollbacks = report["rollbacks"]
    assert [job["stack"] for job in rollbacks] == ["prod-east", "staging"]  # most recent wave first
    assert all(job["status"] == "succeeded" and job["sha"] == v1 for job in rollbacks)
    # On the control plane: the first deploy, the rollout's three, then the two rollbacks to v1.
    assert deployed(world)[3:] == [
        ("staging", v2, "succeeded"), ("prod-east", v2, "succeeded"), ("prod-west", v2, "failed"),
        ("prod-east", v1, "succeeded"), ("staging", v1, "succeeded"),
    ]
    assert [d.job.ref for d in server_deployments(world)[-2:]] == [v1, v1]


def test_a_manual_gate_without_a_terminal_or_yes_refuses_before_any_deploy(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    result = world.api("deploy", world.app, *WAVES, "--gate", "manual")
    assert result.status == 2
    assert result.err.count("\n") == 1 and "pass --yes" in result.err and "console" in result.err
    assert result.out == ""
    assert server_deployments(world) == []
    assert not any(stack.state.app_exists(world.app) for stack in sandbox_fleet)


def test_the_health_gate_reads_process_states_through_the_api_and_fails_the_wave(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    with_rollout(world.fleet_path, world.app,
                 'waves = [["staging"], ["prod-east"], ["prod-west"]]\nhealth_timeout = "3s"')
    sandbox_fleet["prod-east"].set_fault(unhealthy=True)
    result = world.api("deploy", world.app)
    assert result.status == 1, result.out + result.err
    assert "staging   | healthy" in result.out
    assert re.search(r"prod-east \| unhealthy: not healthy within 3s: web: 0 of 1 running \(exited\)",
                     result.out)
    assert [stack for stack, _sha, _status in deployed(world)] == ["staging", "prod-east"]


def test_the_health_gate_gets_the_app_url_from_the_api_and_checks_the_health_path(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    with_rollout(world.fleet_path, world.app,
                 'waves = [["staging"], ["prod-east", "prod-west"]]\nhealth_timeout = "30s"',
                 health_path="/healthz")
    sandbox_fleet["staging"].set_fault(slow_health=2)
    result = world.api("deploy", world.app, "--json")
    assert result.status == 0, result.out + result.err
    report = result.json()
    assert [w["state"] for w in report["waves"]] == ["passed", "passed"]
    assert {s["health"] for w in report["waves"] for s in w["stacks"]} == {"healthy"}


def deploy_in_another_process(world: ApiWorld, via: str, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(world.fleet_path), "--via", via,
         "deploy", world.app, *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize(("holder_via", "second_via"), [("api", "ssh"), ("ssh", "api")])
def test_an_api_rollout_and_an_ssh_rollout_see_each_others_lock_with_its_owner(
    world: ApiWorld, sandbox_fleet: Any, printed: list[str], holder_via: str, second_via: str
) -> None:
    staging = sandbox_fleet["staging"]
    staging.set_fault(build_line_delay_ms=60)
    first = deploy_in_another_process(
        world, holder_via, "--wave", "staging", "--wave", "prod-east,prod-west", "--gate", "none",
        "--reason", "release 7",
    )
    try:
        wait_until(lambda: lock_on(staging, world.app) is not None)
        holder = lock_on(staging, world.app)
        assert holder is not None and holder["owner"] == f"{getpass.getuser()}@{socket.gethostname()}"
        second = world.api if second_via == "api" else world.ssh
        info = second("app", "info", world.app)
        assert f"staging — not deployed · rollout by {holder['owner']} since" in info.out

        refused = second("deploy", world.app, "--wave", "staging", "--wave", "prod-east,prod-west",
                         "--gate", "none")
        since = time.strftime("%H:%M", time.localtime(holder["since"]))
        assert refused.status == 1
        assert (
            f"✗ staging: rollout by {holder['owner']} since {since} "
            f"(deploy {world.app} --wave staging --wave prod-east,prod-west; reason: release 7): "
            "wait, or --lock-wait 15m"
        ) in refused.out
        assert first.wait(timeout=120) == 0
    finally:
        first.kill()
        out, err = first.communicate()
        printed += [out, err]
    assert all(lock_on(stack, world.app) is None for stack in sandbox_fleet)
    # The refused rollout asked the control plane for nothing beyond its held first wave.
    stacks = [stack for stack, _sha, _status in deployed(world)]
    assert stacks.count("staging") == (1 if holder_via == "api" else 0)


def test_the_lock_endpoint_keeps_the_record_out_of_the_config_and_refuses_a_bad_value(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {world.token}"}
    base = f"{world.control_plane.url}/api/apps"
    apps = httpx.get(base, headers=headers).json()["apps"]
    app_id = next(app["id"] for app in apps if app["name"] == world.app)
    lock_url = f"{base}/{app_id}/config/deploy_lock"
    record = {"owner": "carol@ci", "command": "deploy", "since": time.time(), "token": "t0k"}

    assert httpx.get(lock_url, params={"stack_id": 1}, headers=headers).json() == {
        "stack_id": 1, "value": None, "dokku_locked": False,
    }
    bad = httpx.put(lock_url, params={"stack_id": 1}, headers=headers, json={"value": "hello"})
    assert bad.status_code == 400 and "deploy lock record" in bad.json()["error"]
    put = httpx.put(lock_url, params={"stack_id": 1}, headers=headers,
                    json={"value": json.dumps(record)})
    assert put.status_code == 200 and put.json() == {"created": True}
    assert lock_on(sandbox_fleet["staging"], world.app)["owner"] == "carol@ci"
    config = httpx.get(f"{base}/{app_id}/config", params={"stack_id": 1}, headers=headers).json()
    assert "OWNSTACK_DEPLOY_LOCK" not in config["config"]
    refused = httpx.patch(f"{base}/{app_id}/config", params={"stack_id": 1}, headers=headers,
                          json={"unset": ["OWNSTACK_DEPLOY_LOCK"]})
    assert refused.status_code == 422
    read_only = {"Authorization": "Bearer read-only-" + world.token[4:12]}
    assert httpx.delete(lock_url, params={"stack_id": 1}, headers=read_only).status_code == 403
    assert httpx.delete(lock_url, params={"stack_id": 1}, headers=headers).status_code == 200
    assert lock_on(sandbox_fleet["staging"], world.app) is None


def test_ctrl_c_during_an_api_rollout_releases_every_lock_and_starts_no_later_wave(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    from ownstack_tui.engine.history import History
    from tests.cli.helpers import interrupt_while_building

    sandbox_fleet["staging"].set_fault(build_line_delay_ms=60_000)
    status, out, err = interrupt_while_building([
        "--fleet", str(world.fleet_path), "--via", "api", "deploy", world.app,
        "--wave", "staging", "--wave", "prod-east,prod-west", "--gate", "none",
    ], world.app, 1)
    assert status == 130, out + err
    assert "Traceback" not in out + err and world.token not in out + err
    assert all(lock_on(stack, world.app) is None for stack in sandbox_fleet)
    (deployment,) = server_deployments(world)  # nothing was asked for wave 2
    assert deployment.job.stack == "staging"
    history = {entry.stack: entry for entry in History().entries(app=world.app)}
    assert history["staging"].reason == (
        f"detached (still running on the control plane as deployment {deployment.id})"
    )
    assert {history[name].status.value for name in ("prod-east", "prod-west")} == {"skipped"}
    sandbox_fleet["staging"].clear_faults()  # let the control plane's build end


def test_waves_by_tag_from_the_fleet_file_reach_the_control_plane_in_their_order(
    world: ApiWorld, sandbox_fleet: Any, demo_repo: Path
) -> None:
    assert world.ssh("stack:tag", "prod-west", "canary").status == 0
    with_rollout(world.fleet_path, world.app, 'waves = [["tag:canary"], ["!tag:canary"]]\ngate = "none"')
    result = world.api("deploy", world.app)
    assert result.status == 0, result.out + result.err
    assert "Wave 1 of 2: prod-west" in result.out and "Wave 2 of 2: staging, prod-east" in result.out
    deployments = server_deployments(world)
    assert deployments[0].job.stack == "prod-west"
    assert {d.job.stack for d in deployments[1:]} == {"staging", "prod-east"}
    assert all(stack.deployed_sha(world.app) == head_sha(demo_repo) for stack in sandbox_fleet)
