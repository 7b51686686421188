"""Deploys through the control-plane stand-in: one deployment per stack, followed live."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.api.conftest import ApiWorld
from tests.integration.test_deploy import started_lines


def head_sha(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def server_deployments(world: ApiWorld) -> list[Any]:
    registry = world.control_plane.registry
    assert registry is not None
    return sorted(registry.deployments.values(), key=lambda d: d.id)


def lines_of(out: str, stack: str) -> list[str]:
    prefix = re.compile(rf"^{re.escape(stack)} *\| ")
    return [prefix.sub("", line) for line in out.splitlines() if prefix.match(line)]


def test_three_stacks_one_failing_give_three_jobs_mixed_status_and_exit_1(
    world: ApiWorld, sandbox_fleet: Any, demo_repo: Path
) -> None:
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    result = world.api("deploy", world.app, "--wait")
    assert result.status == 1, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0] == f"Triggering deploy for app {world.app}…"
    assert started_lines(lines) == {
        "✓ Deploy started on staging (job N)",
        "✓ Deploy started on prod-east (job N)",
        "✓ Deploy started on prod-west (job N)",
    }
    # Live logs of every stack came through the control plane.
    assert "=====> Application deployed:" in lines_of(result.out, "staging")
    assert "=====> Application deployed:" in lines_of(result.out, "prod-east")
    assert "=====> Application deployed:" not in lines_of(result.out, "prod-west")
    assert lines_of(result.out, "prod-west"), "the failing stack's build log is shown too"
    sha = head_sha(demo_repo)
    summary = lines[-3:]
    assert summary[0].startswith("✓ staging") and f"deployed {sha[:7]}" in summary[0]
    assert summary[1].startswith("✓ prod-east") and f"deployed {sha[:7]}" in summary[1]
    assert summary[2].startswith("✗ prod-west") and "failed" in summary[2]
    # One deployment per stack on the control plane, with the same outcome.
    deployments = server_deployments(world)
    assert [(d.job.stack, d.job.status.value) for d in deployments] == [
        ("staging", "succeeded"), ("prod-east", "succeeded"), ("prod-west", "failed"),
    ]
    assert sandbox_fleet["staging"].deployed_sha(world.app) == sha

    sandbox_fleet["prod-west"].clear_faults()
    again = world.api("deploy", world.app, "--stack", "prod-west", "--wait")
    assert again.status == 0, again.out + again.err
    assert "Deploy started on prod-west" in again.out and "staging" not in again.out
    assert f"deployed {sha[:7]}" in again.out.splitlines()[-1]
    assert [d.job.stack for d in server_deployments(world)][-1] == "prod-west"
    assert sandbox_fleet["prod-west"].deployed_sha(world.app) == sha


def test_deploy_json_records_each_jobs_control_plane_id_and_sha(
    world: ApiWorld, demo_repo: Path
) -> None:
    result = world.api("deploy", world.app, "--stack", "staging", "--wait", "--json")
    assert result.status == 0, result.err
    (job,) = result.json()["jobs"]
    (deployment,) = server_deployments(world)
    assert job["remote_id"] == str(deployment.id)
    assert job["status"] == "succeeded" and job["sha"] == head_sha(demo_repo)


def test_deploy_without_wait_returns_once_the_control_plane_has_made_the_jobs(
    world: ApiWorld,
) -> None:
    result = world.api("deploy", world.app, "--stack", "staging")
    assert result.status == 0, result.err
    assert re.search(r"✓ Deploy started on staging \(job \d+\)", result.out)
    (deployment,) = server_deployments(world)
    assert deployment.job.app == world.app
    deployment_done = _wait_until(lambda: deployment.job.is_final)
    assert deployment_done and deployment.job.status.value == "succeeded"
    # Our own record of the job is not "cancelled": we only stopped watching it.
    from ownstack_tui.engine.history import History

    (entry,) = History().entries(app=world.app)
    assert entry.status != "cancelled"


def test_adding_and_removing_a_target_via_api_changes_the_control_plane_too(
    world: ApiWorld,
) -> None:
    assert world.api("app", "stacks:remove", world.app, "prod-west").status == 0
    refused = world.api("deploy", world.app, "--stack", "prod-west", "--wait")
    assert refused.status == 2 and "not a target" in refused.err
    added = world.api("app", "stacks:add", world.app, "prod-west")
    assert added.status == 0, added.err
    deployed = world.api("deploy", world.app, "--stack", "prod-west", "--wait")
    assert deployed.status == 0, deployed.out + deployed.err


def test_a_second_deploy_while_one_runs_is_refused_as_already_in_progress(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=100)
    first = world.api("deploy", world.app, "--stack", "staging")
    assert first.status == 0, first.err
    second = world.api("deploy", world.app, "--stack", "staging", "--wait")
    assert second.status == 1
    summary = second.out.splitlines()[-1]
    assert summary.startswith("✗ staging")
    assert f"a deploy of {world.app} is already in progress" in summary
    assert "409" in summary and "Traceback" not in second.out + second.err
    assert len(server_deployments(world)) == 1
    sandbox_fleet["staging"].clear_faults()
    assert _wait_until(lambda: server_deployments(world)[0].job.is_final)


def test_a_cut_log_stream_resumes_without_duplicated_or_lost_lines(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    # Every log response is cut after 4 lines and half of the fifth.
    world.control_plane.set_faults(drop_log_after_lines=4)
    result = world.api("deploy", world.app, "--stack", "staging", "--wait")
    assert result.status == 0, result.out + result.err
    (deployment,) = server_deployments(world)
    received = [line for line in lines_of(result.out, "staging") if not line.startswith("[")]
    assert len(deployment.job.lines) > 12, "the log must be long enough to be cut several times"
    assert received == deployment.job.lines


def test_a_log_stream_that_cannot_be_resumed_says_so_once_and_the_status_still_counts(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    world.control_plane.set_faults(stall_log_at_line=6)  # nothing past line 6 gets through
    result = world.api("deploy", world.app, "--stack", "staging", "--stack", "prod-west",
                       "--wait")
    assert result.status == 1
    for stack in ("staging", "prod-west"):
        lines = lines_of(result.out, stack)
        notes = [line for line in lines if "following its status only" in line]
        assert len(notes) == 1, lines
        assert notes[0].startswith("[the log stream of deployment ")
        assert "broke 5 times in a row at line 6" in notes[0]
        assert len([line for line in lines if not line.startswith("[")]) == 6
    summary = result.out.splitlines()[-2:]
    assert summary[0].startswith("✓ staging") and "deployed" in summary[0]
    assert summary[1].startswith("✗ prod-west")
    assert "Traceback" not in result.out + result.err


def test_losing_the_control_plane_mid_deploy_fails_the_job_with_one_clear_message(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    sandbox_fleet["staging"].set_fault(build_line_delay_ms=150)

    def stop_once_the_build_streams() -> None:
        _wait_until(lambda: any(len(d.job.lines) > 3 for d in server_deployments(world)))
        world.control_plane.stop()

    stopper = threading.Thread(target=stop_once_the_build_streams)
    stopper.start()
    try:
        result = world.api("deploy", world.app, "--stack", "staging", "--wait")
    finally:
        stopper.join()
    assert result.status == 1
    summary = result.out.splitlines()[-1]
    assert summary.startswith("✗ staging")
    assert "lost contact with the control plane while following deployment" in summary
    assert world.control_plane.url in summary and "may still be running there" in summary
    assert "Traceback" not in result.out + result.err


def _wait_until(condition: Any, limit: float = 20.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_ref_deploys_that_commit_through_the_control_plane(
    world: ApiWorld, sandbox_fleet: Any, demo_repo: Path
) -> None:
    first = head_sha(demo_repo)
    (demo_repo / "CHANGES").write_text("a second commit\n")
    subprocess.run(["git", "-C", str(demo_repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(demo_repo), "commit", "-q", "-m", "Second"], check=True)
    assert world.api("deploy", world.app, "--stack", "staging", "--wait").status == 0
    assert sandbox_fleet["staging"].deployed_sha(world.app) == head_sha(demo_repo)

    rollback = world.api("deploy", world.app, "--stack", "staging", "--ref", first, "--wait")
    assert rollback.status == 0, rollback.out + rollback.err
    assert f"deployed {first[:7]}" in rollback.out.splitlines()[-1]
    assert sandbox_fleet["staging"].deployed_sha(world.app) == first
    assert server_deployments(world)[-1].job.ref == first


def test_a_replica_made_through_the_control_plane_deploys_there_too(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    assert world.api("deploy", world.app, "--stack", "staging", "--wait").status == 0
    blue = f"{world.app}-blue"
    made = world.api("app", "replicate", world.app, blue, "--stack", "staging")
    assert made.status == 0, made.out + made.err
    assert f"Created {blue} on staging, sharing {world.app}'s databases" in made.out
    deployed = world.api("deploy", blue, "--wait")
    assert deployed.status == 0, deployed.out + deployed.err
    staging = sandbox_fleet["staging"]
    assert staging.deployed_sha(blue) == staging.deployed_sha(world.app)
    database_url = staging.dokku_sync("config:get", blue, "DATABASE_URL").stdout
    assert database_url == staging.dokku_sync("config:get", world.app, "DATABASE_URL").stdout


def test_a_deploys_time_taken_is_the_control_planes_own_start_to_finish(
    world: ApiWorld,
) -> None:
    # Our clock only sees when we noticed a status; for a quick build that is one instant
    # (it used to print 0.0 s). The control plane's record says when the build really ran.
    result = world.api("deploy", world.app, "--stack", "staging", "--wait", "--json")
    assert result.status == 0, result.err
    (job,) = result.json()["jobs"]
    (deployment,) = server_deployments(world)
    ran = deployment.job.finished_at - deployment.job.started_at
    assert ran > 0.1
    assert job["elapsed"] == round(ran, 3)
    history = world.api("history", "--app", world.app)
    (row,) = [line for line in history.out.splitlines() if " staging " in line]
    assert f" {ran:.1f}s" in row, row


def test_a_tag_selects_the_stacks_the_control_plane_deploys_to(world: ApiWorld, demo_repo: Path) -> None:
    for stack in ("staging", "prod-west"):
        assert world.ssh("stack:tag", stack, "eu").status == 0
    result = world.api("deploy", world.app, "--stack", "tag:eu", "--wait", "--json")
    assert result.status == 0, result.err
    assert [job["stack"] for job in result.json()["jobs"]] == ["staging", "prod-west"]
    assert sorted(d.job.stack for d in server_deployments(world)) == ["prod-west", "staging"]


def test_failures_through_the_api_end_grouped_by_cause(world: ApiWorld, sandbox_fleet: Any) -> None:
    for name in ("prod-east", "prod-west"):
        sandbox_fleet[name].set_fault(build_fail=True)
    result = world.api("deploy", world.app, "--wait")
    assert result.status == 1, result.out + result.err
    summary = result.out[result.out.index("Failures by cause:"):].splitlines()
    assert summary[1].startswith("  ✗ 2 stacks: ") and summary[2].split() == ["prod-east,", "prod-west"]
    assert len(summary) == 3  # a build failure is not transient: no re-deploy line
