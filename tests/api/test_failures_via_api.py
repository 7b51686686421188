"""Each way the control plane can fail gives one clear message, never a traceback."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.api.conftest import ApiWorld
from tests.cli.helpers import Result


def one_message(result: Result) -> str:
    """The single error line a failed plain command printed."""
    assert "Traceback" not in result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def test_a_bad_token_is_refused_with_one_message_naming_its_source(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNSTACK_API_TOKEN", "osk-not-the-right-one")
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 1
    message = one_message(result)
    assert "refused the API token from $OWNSTACK_API_TOKEN (401 Unauthorized)" in message
    assert world.control_plane.url in message
    assert "osk-not-the-right-one" not in result.out + result.err


def test_a_read_only_token_may_read_but_not_change(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.ssh("deploy", world.app, "--stack", "staging", "--wait").status == 0
    monkeypatch.setenv("OWNSTACK_API_TOKEN", "read-only-" + world.token[4:12])
    assert world.api("ps:scale", "--app", world.app, "--stack", "staging").status == 0
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging", "web=2")
    assert result.status == 1
    assert "may not PATCH /api/apps/" in one_message(result)
    assert "(403 Forbidden)" in result.err


def test_server_errors_on_reads_are_retried_then_reported_once(world: ApiWorld) -> None:
    assert world.ssh("deploy", world.app, "--stack", "staging", "--wait").status == 0
    world.control_plane.set_faults(fail_requests=2)  # two 500s, then fine
    healed = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert healed.status == 0, healed.err
    assert "web:" in healed.out

    world.control_plane.set_faults(always_fail=True)
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 1
    message = one_message(result)
    assert f"the control plane at {world.control_plane.url} failed: HTTP 500 on GET" in message
    assert "tried 3 times" in message and "injected failure" in message


def test_a_deploy_post_answered_with_500_is_not_repeated(world: ApiWorld) -> None:
    world.control_plane.set_faults(fail_requests=1, fail_method="POST")  # the first POST fails
    result = world.api("deploy", world.app, "--wait")
    assert result.status == 1
    summary = result.out[:result.out.index("Failures by cause:")].splitlines()[-3:]
    assert all(line.startswith("✗ ") and "HTTP 500 on POST" in line for line in summary), summary
    assert "  ✗ 3 stacks: the control plane at http://HOST failed: HTTP 500 on POST" in result.out
    registry = world.control_plane.registry
    assert registry is not None and registry.deployments == {}, "a retry would have deployed"


def test_a_slow_control_plane_times_out_with_one_message(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNSTACK_API_TIMEOUT", "0.3")
    world.control_plane.set_faults(slow_ms=1500)
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 1
    message = one_message(result)
    assert f"the control plane at {world.control_plane.url} did not answer GET" in message
    assert re.search(r"within 0\.3 s \(tried 3 times in \d+\.\d s\)", message)


def test_a_control_plane_that_is_not_running_is_reported_as_unreachable(
    world: ApiWorld,
) -> None:
    world.control_plane.stop()
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 1
    message = one_message(result)
    assert f"cannot reach the control plane at {world.control_plane.url}" in message
    assert "connection refused" in message


def test_a_stack_the_control_plane_does_not_know_is_named(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    from ownstack_tui.fleet_file import FleetFile

    fleet_file = FleetFile.load(world.fleet_path)
    fleet_file.add_stack("elsewhere", "127.0.0.1", 2222)
    fleet_file.add_target(world.app, "elsewhere")
    fleet_file.save()
    result = world.api("ps:scale", "--app", world.app, "--stack", "elsewhere")
    assert result.status == 1
    assert "has no stack named 'elsewhere'; its stacks: prod-east, prod-west, staging" in (
        one_message(result)
    )


def test_missing_url_or_token_says_how_to_set_them(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("OWNSTACK_API_TOKEN")
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 2
    assert "no API token for --via api: export OWNSTACK_API_TOKEN" in one_message(result)


def test_the_fleets_api_id_is_used_as_is(world: ApiWorld) -> None:
    import tomlkit

    document = tomlkit.parse(world.fleet_path.read_text())
    document["apps"][world.app]["api_id"] = 999
    world.fleet_path.write_text(tomlkit.dumps(document))
    result = world.api("ps:scale", "--app", world.app, "--stack", "staging")
    assert result.status == 1
    assert "no app 999 (GET /api/apps/999/scale: 404)" in one_message(result)


def test_a_hung_control_plane_costs_one_retry_cycle_for_all_stacks_and_says_so_truly(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNSTACK_API_TIMEOUT", "0.5")
    world.control_plane.set_faults(slow_ms=5_000)
    cycle = 3 * 0.5 + 0.25 + 0.5  # three tries and the two pauses between them
    started = time.monotonic()
    result = world.api("app", "info", world.app)
    elapsed = time.monotonic() - started
    assert result.status == 1 and "Traceback" not in result.out + result.err
    # One cycle for every stack at once (one stack after another took three, and more).
    assert elapsed < 2 * cycle, f"took {elapsed:.1f} s"
    lines = [line for line in result.out.splitlines() if "Stack:" in line]
    assert len(lines) == 3 and all("unreachable" in line for line in lines), result.out
    said = re.search(r"within 0\.5 s \(tried 3 times in (\d+\.\d) s\)", lines[0])
    assert said, lines[0]
    assert cycle - 0.1 <= float(said.group(1)) <= elapsed  # the time it names is the time it took
