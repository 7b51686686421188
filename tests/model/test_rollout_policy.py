"""The rollout policy: read from the fleet file, overridden by the command line, waves checked."""

from __future__ import annotations

import pytest

from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.model.deploy_lock import LockHolder, StackLock, held_message, without_lock_key
from ownstack_tui.model.fleet import fleet_from_dict
from ownstack_tui.model.rollout import (
    Gate,
    OnFailure,
    RolloutEventKind,
    RolloutPolicy,
    RolloutProgress,
    StackPhase,
    WaveState,
    check_waves,
    parse_wave_option,
)
from ownstack_tui.model.timing import JobTiming, usual_duration

STACKS = {name: {"host": "127.0.0.1"} for name in ("staging", "prod-east", "prod-west", "prod-eu")}


def fleet_with(rollout: dict[str, object], **app: object) -> dict[str, object]:
    return {
        "stacks": STACKS,
        "apps": {"shop": {"stacks": list(STACKS), "rollout": rollout, **app}},
    }


def test_the_fleet_files_rollout_table_becomes_the_apps_policy() -> None:
    fleet = fleet_from_dict(fleet_with(
        {
            "waves": [["staging"], ["prod-east"], ["prod-west", "prod-eu"]],
            "gate": "manual",
            "on_failure": "rollback",
            "soak": "30s",
            "health_timeout": "2m",
        },
        health_path="/healthz",
    ))
    app = fleet.app("shop")
    assert app.rollout == RolloutPolicy(
        waves=(("staging",), ("prod-east",), ("prod-west", "prod-eu")),
        gate=Gate.MANUAL,
        on_failure=OnFailure.ROLLBACK,
        soak=30.0,
        health_timeout=120.0,
    )
    assert app.health_path == "/healthz"


def test_gate_health_and_halt_are_the_defaults() -> None:
    policy = fleet_from_dict(fleet_with({"waves": [list(STACKS)]})).app("shop").rollout
    assert policy is not None
    assert (policy.gate, policy.on_failure, policy.soak) == (Gate.HEALTH, OnFailure.HALT, 0.0)


@pytest.mark.parametrize(
    ("rollout", "message"),
    [
        ({"waves": [["staging"]], "gate": "vote"}, "invalid gate 'vote'"),
        ({"waves": [["staging"]], "on_failure": "pray"}, "invalid on_failure 'pray'"),
        ({"waves": [["staging"]], "soak": "soon"}, "invalid soak 'soon'"),
        ({"waves": "staging"}, "waves must be a list of lists"),
        ({"waves": [["staging"]], "parallel": 2}, "unknown key"),
    ],
)
def test_a_bad_rollout_table_is_a_fleet_file_error_naming_it(
    rollout: dict[str, object], message: str
) -> None:
    with pytest.raises(FleetFileError, match=message):
        fleet_from_dict(fleet_with(rollout))


def test_a_bad_health_path_is_refused() -> None:
    with pytest.raises(FleetFileError, match="invalid health_path 'healthz'"):
        fleet_from_dict(fleet_with({"waves": [["staging"]]}, health_path="healthz"))


def test_the_command_line_overrides_the_policy() -> None:
    policy = RolloutPolicy(waves=(("staging",),), gate=Gate.HEALTH, soak=30.0)
    changed = policy.overridden(
        waves=[parse_wave_option("staging,prod-east")], gate="none", on_failure="rollback", soak="2m"
    )
    assert changed == RolloutPolicy(
        waves=(("staging", "prod-east"),), gate=Gate.NONE, on_failure=OnFailure.ROLLBACK, soak=120.0
    )
    assert policy.overridden() == policy


TARGETS = ["staging", "prod-east", "prod-west"]


@pytest.mark.parametrize(
    ("waves", "message"),
    [
        ((("staging",), ("prod-east",)), r"not in any wave: prod-west"),
        ((("staging", "nowhere"), ("prod-east", "prod-west")), r"unknown stack\(s\): nowhere"),
        ((("staging", "prod-east"), ("prod-east", "prod-west")), r"more than once: prod-east"),
        ((("staging", "prod-eu"), ("prod-east", "prod-west")), r"not its targets: prod-eu"),
    ],
)
def test_waves_must_name_every_target_once_and_nothing_else(
    waves: tuple[tuple[str, ...], ...], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_waves(waves, "shop", TARGETS, [*TARGETS, "prod-eu"])


def test_a_manual_gate_needs_an_operator_only_between_waves() -> None:
    assert RolloutPolicy(waves=(("a",), ("b",)), gate=Gate.MANUAL).has_gates
    assert not RolloutPolicy(waves=(("a", "b"),), gate=Gate.MANUAL).has_gates
    assert not RolloutPolicy(waves=(("a",), ("b",)), gate=Gate.HEALTH).has_gates


def test_progress_tells_listeners_what_changed_until_they_unsubscribe() -> None:
    progress = RolloutProgress.start("shop", RolloutPolicy(waves=(("staging",), ("prod-east", "prod-west"))))
    seen: list[tuple[RolloutEventKind, int | None, str | None]] = []

    def listener(event: object) -> None:
        seen.append((event.kind, event.wave, event.stack))  # type: ignore[attr-defined]

    progress.subscribe(listener)
    progress.set_wave(1, WaveState.DEPLOYING)
    progress.set_stack("staging", StackPhase.DEPLOYING)
    progress.unsubscribe(listener)
    progress.set_wave(1, WaveState.PASSED)
    assert seen == [(RolloutEventKind.WAVE, 1, None), (RolloutEventKind.STACK, 1, "staging")]
    assert [w.stacks for w in progress.waves] == [("staging",), ("prod-east", "prod-west")]
    assert progress.stacks["prod-west"].wave == 2
    progress.set_wave(1, WaveState.FAILED)  # final is final
    assert progress.wave(1).state is WaveState.PASSED


def test_the_lock_message_names_owner_time_and_command() -> None:
    import time

    since = time.mktime((2026, 12, 2, 14, 2, 0, 0, 0, -1))
    holder = LockHolder(owner="alice@laptop", command="deploy --wave …", since=since, token="t")
    lock = StackLock(holder=LockHolder.decode(holder.encode()))
    assert held_message("prod-east", lock, now=since + 60) == (
        "prod-east: rollout by alice@laptop since 14:02 (deploy --wave …): wait, or --lock-wait 15m"
    )
    assert "break it with --break-lock" in held_message("prod-east", lock, now=since + 7200)
    assert "(apps:lock, or a deploy without ownstack-tui; owner unknown)" in held_message(
        "prod-east", StackLock(dokku_locked=True), now=since
    )
    assert LockHolder.decode("garbage").owner == "unknown"


def test_the_lock_record_is_hidden_from_config() -> None:
    assert without_lock_key({"OWNSTACK_DEPLOY_LOCK": "{}", "A": "1"}) == {"A": "1"}


def test_eta_comes_from_the_median_and_twice_it_is_slow() -> None:
    usual = usual_duration([10.0, 30.0, 12.0, None])
    assert usual == 12.0
    assert JobTiming(elapsed=4.0, usual=usual).label() == "4.0s · ETA 8.0s"
    assert not JobTiming(elapsed=24.0, usual=usual).slow
    assert JobTiming(elapsed=25.0, usual=usual).slow
    assert JobTiming(elapsed=25.0, usual=usual).label() == "25s · slow (usually 12s)"
    assert JobTiming(elapsed=3.0).label() == "3.0s"


def test_a_listener_that_raises_never_stops_the_rollout_and_the_returned_callable_unsubscribes() -> None:
    progress = RolloutProgress.start("shop", RolloutPolicy(waves=(("staging",),)))
    heard: list[object] = []

    def broken(_event: object) -> None:
        raise RuntimeError("widget bug")

    progress.subscribe(broken)
    stop = progress.subscribe(heard.append)
    progress.set_wave(1, WaveState.DEPLOYING)
    stop()
    progress.set_wave(1, WaveState.PASSED)
    assert len(heard) == 1 and progress.wave(1).state is WaveState.PASSED
