"""Fleet health rules: severities, problems and per-column outliers (pure, no I/O)."""

from __future__ import annotations

import pytest

from ownstack_tui.model.health import (
    BranchPosition,
    Severity,
    Unreachable,
    assess,
    format_age,
)
from ownstack_tui.model.health_readings import (
    CertificateReading,
    ProcessReading,
    StackHealthReading,
    config_fingerprint,
    covered_by,
    reading_from_json,
    reading_to_json,
)

NOW = 1_800_000_000.0
DAY = 86400.0
SHA = "a" * 40
OLD = "b" * 40
FP = config_fingerprint({"LOG_LEVEL": "info"}, ["LOG_LEVEL"])


def reading(**changes: object) -> StackHealthReading:
    base: dict[str, object] = {
        "read_at": NOW - 2,
        "dokku_version": "0.38.27",
        "deployed_sha": SHA,
        "processes": (
            ProcessReading("web", 1, {"running": 1}),
            ProcessReading("worker", 1, {"running": 1}),
        ),
        "certificates": (CertificateReading("shop.example.org", NOW + 60 * DAY),),
        "config_fingerprint": FP,
        "last_deploy_at": NOW - 3600,
    }
    base.update(changes)
    return StackHealthReading(**base)  # type: ignore[arg-type]


def judge(readings, positions=None, desired=None):
    names = list(readings)
    positions = positions or dict.fromkeys(names, BranchPosition.at(0))
    desired = desired or dict.fromkeys(names, FP)
    return assess("shop", "main", readings, positions, desired, NOW)


def flagged(health) -> dict[str, list[str]]:
    return {
        row.stack: [column for column, cell in row.cells.items() if cell.outlier] for row in health.stacks
    }


def test_healthy_identical_stacks_have_no_problems_and_exit_zero() -> None:
    health = judge({"a": reading(), "b": reading(), "c": reading()})
    assert health.problems == [] and health.exit_status == 0
    assert flagged(health) == {"a": [], "b": [], "c": []}
    cells = health.stacks[0].cells
    assert cells["deployed"].text == "aaaaaaa = tip"
    assert cells["processes"].text == "web 1/1 worker 1/1"
    assert cells["tls"].text == "60 d" and cells["dokku"].text == "0.38.27"
    assert cells["last_deploy"].text == "60 min ago"
    assert health.stacks[0].age == 2


def test_the_stack_that_differs_from_the_majority_is_the_outlier() -> None:
    health = judge(
        {"a": reading(), "b": reading(dokku_version="0.37.6"), "c": reading()},
    )
    assert flagged(health) == {"a": [], "b": ["dokku"], "c": []}
    assert health.problems == []  # a different version stands out but is no problem by itself


def test_without_a_majority_nothing_is_flagged() -> None:
    health = judge({"a": reading(dokku_version="1"), "b": reading(dokku_version="2")})
    assert flagged(health) == {"a": [], "b": []}


def test_behind_crashed_and_expiring_are_three_flagged_problems() -> None:
    crashed = (ProcessReading("web", 1, {"running": 1}), ProcessReading("worker", 1, {"exited": 1}))
    health = judge(
        {
            "a": reading(certificates=(CertificateReading("shop.example.org", NOW + 6.5 * DAY),)),
            "b": reading(processes=crashed),
            "c": reading(deployed_sha=OLD),
        },
        positions={"a": BranchPosition.at(0), "b": BranchPosition.at(0), "c": BranchPosition.at(1)},
    )
    assert [(p.stack, p.severity, p.message) for p in health.problems] == [
        ("a", Severity.WARNING, "TLS certificate for shop.example.org expires in 6 day(s)"),
        ("b", Severity.CRITICAL, "worker crashed (0/1 running)"),
        ("c", Severity.WARNING, "deployed bbbbbbb is 1 commit behind main"),
    ]
    assert flagged(health) == {"a": ["tls"], "b": ["processes"], "c": ["deployed"]}
    assert health.exit_status == 1  # the crash is critical
    assert health.stacks[2].cells["deployed"].text == "bbbbbbb 1 behind"


def test_certificate_thresholds() -> None:
    def tls(days: float):
        cert = CertificateReading("shop.example.org", NOW + days * DAY)
        return judge({"a": reading(certificates=(cert,))}).stacks[0].cells["tls"]

    assert tls(14.5).severity == Severity.OK
    assert tls(13.9).severity == Severity.WARNING
    assert tls(2.9).severity == Severity.CRITICAL
    expired = tls(-2)
    assert (expired.severity, expired.text) == (Severity.CRITICAL, "expired 2 d ago")


def test_no_tls_info_is_not_a_problem() -> None:
    health = judge({"a": reading(certificates=(), tls_known=False)})
    assert health.stacks[0].cells["tls"].text == "no TLS info" and health.problems == []


def test_unreachable_is_critical_and_keeps_its_last_reading_with_its_age() -> None:
    last = reading(read_at=NOW - 120)
    health = judge(
        {"a": reading(), "b": Unreachable("connection refused", last), "c": Unreachable("timed out")}
    )
    b, c = health.stacks[1], health.stacks[2]
    assert not b.reachable and b.age == 120 and b.cells["deployed"].text == "aaaaaaa = tip"
    assert b.problems[0].message == "unreachable: connection refused"
    assert c.cells == {} and c.age is None
    assert health.exit_status == 1


def test_not_in_branch_and_config_drift_are_warnings() -> None:
    health = judge(
        {"a": reading(), "b": reading(config_fingerprint="deadbeef")},
        positions={"a": BranchPosition.outside(), "b": BranchPosition.at(0)},
    )
    assert health.stacks[0].cells["deployed"].text == "aaaaaaa not in branch"
    assert health.stacks[1].cells["config"].text == "deadbeef drift"
    assert [p.severity for p in health.problems] == [Severity.WARNING, Severity.WARNING]
    assert health.exit_status == 0


def test_fingerprints_differ_with_any_managed_value_and_ignore_the_rest() -> None:
    keys = ["A", "B"]
    same = config_fingerprint({"A": "1", "B": "2", "X": "9"}, keys)
    assert config_fingerprint({"A": "1", "B": "2"}, keys) == same
    assert config_fingerprint({"A": "1", "B": "2"}, keys) != config_fingerprint({"A": "1", "B": "3"}, keys)
    assert config_fingerprint({"A": ""}, ["A"]) != config_fingerprint({}, ["A"])
    assert len(config_fingerprint({}, [])) == 8


def test_wildcard_certificates_cover_one_label() -> None:
    assert covered_by("shop.example.org", ["*.example.org"])
    assert not covered_by("a.shop.example.org", ["*.example.org"])
    assert covered_by("Shop.Example.org", ["shop.example.org"])


def test_readings_survive_the_control_planes_json() -> None:
    original = reading()
    copy = reading_from_json(reading_to_json(original), read_at=original.read_at)
    assert copy == original


def test_ages_read_naturally() -> None:
    ages = [format_age(s) for s in (0.42, 12, 300, 3 * 3600, 5 * DAY)]
    assert ages == ["0.4 s", "12 s", "5 min", "3 h", "5 d"]


def test_fewer_running_than_asked_is_a_warning_and_restarting_says_so() -> None:
    short = (ProcessReading("web", 2, {"running": 1}),)
    looping = (ProcessReading("web", 1, {"restarting": 1}),)
    health = judge({"a": reading(processes=short), "b": reading(processes=looping)})
    assert [(p.severity, p.message) for p in health.problems] == [
        (Severity.WARNING, "web: 1 of 2 running"),
        (Severity.WARNING, "web restarting (0/1 running)"),
    ]
    assert health.stacks[1].cells["processes"].text == "web 0/1 restarting"
    assert health.exit_status == 0


def test_dokkus_own_lock_is_a_warning_whose_owner_is_unknown() -> None:
    health = judge({"a": reading(locked=True)})
    assert health.stacks[0].cells["lock"].text == "locked (owner unknown)"
    assert health.stacks[0].cells["lock"].value == {"locked": True, "owner": None, "dokku_lock": True}
    assert health.problems[0].message.startswith("dokku's deploy lock held")


def test_a_rollouts_lock_shows_its_owner() -> None:
    health = judge({"a": reading(lock_owner="alice@laptop"), "b": reading(), "c": reading()})
    cell = health.stacks[0].cells["lock"]
    assert (cell.text, cell.severity, cell.outlier) == ("locked by alice@laptop", Severity.WARNING, True)
    assert cell.value == {"locked": True, "owner": "alice@laptop", "dokku_lock": False}
    assert health.problems[0].message.startswith("deploy lock held by alice@laptop")
    assert health.stacks[1].cells["lock"].text == "-"


def test_tls_thresholds_come_from_the_fleet() -> None:
    from ownstack_tui.model.health import TlsThresholds

    in_20_days = {"a": reading(certificates=(CertificateReading("shop.example.org", NOW + 20.5 * DAY),))}
    assert judge(in_20_days).stacks[0].cells["tls"].severity is Severity.OK
    strict = assess("shop", "main", in_20_days, {"a": BranchPosition.at(0)}, {"a": FP}, NOW,
                    TlsThresholds(warning_days=30, critical_days=21))
    assert strict.stacks[0].cells["tls"].severity is Severity.CRITICAL
    assert strict.exit_status == 1
    lenient = assess("shop", "main", in_20_days, {"a": BranchPosition.at(0)}, {"a": FP}, NOW,
                     TlsThresholds(warning_days=21, critical_days=0))
    assert lenient.stacks[0].cells["tls"].severity is Severity.WARNING
    expired = {"a": reading(certificates=(CertificateReading("shop.example.org", NOW - DAY),))}
    zero = assess("shop", "main", expired, {"a": BranchPosition.at(0)}, {"a": FP}, NOW,
                  TlsThresholds(warning_days=0, critical_days=0))
    assert zero.stacks[0].cells["tls"].severity is Severity.CRITICAL  # expired is always critical


def test_with_waves_a_stack_is_compared_with_its_own_wave() -> None:
    # The canary wave runs the new dokku on purpose; in the second wave prod-c lags its peers.
    readings = {
        "canary": reading(dokku_version="0.39.0"),
        "prod-a": reading(), "prod-b": reading(), "prod-c": reading(dokku_version="0.37.0"),
        "eu-a": reading(dokku_version="0.39.0"), "eu-b": reading(dokku_version="0.39.0"),
        "eu-c": reading(dokku_version="0.39.0"),
    }
    names = list(readings)
    positions = dict.fromkeys(names, BranchPosition.at(0))
    desired = dict.fromkeys(names, FP)
    waves = [["canary"], ["prod-a", "prod-b", "prod-c"], ["eu-a", "eu-b", "eu-c"]]
    by_wave = assess("shop", "main", readings, positions, desired, NOW, waves=waves)
    assert {stack: cols for stack, cols in flagged(by_wave).items() if cols} == {"prod-c": ["dokku"]}
    # Against the whole fleet instead, 0.39.0 (4 of 7) is the norm and the others stand out.
    whole = assess("shop", "main", readings, positions, desired, NOW)
    assert {stack for stack, cols in flagged(whole).items() if cols} == {"prod-a", "prod-b", "prod-c"}


def test_stacks_in_no_wave_are_compared_together() -> None:
    from ownstack_tui.model.health import peer_groups

    assert peer_groups(["a", "b", "c", "d"], [["a"], ["b", "x"]]) == [["a"], ["b"], ["c", "d"]]
    assert peer_groups(["a", "b"], []) == [["a", "b"]]
    assert peer_groups(["a", "b"], [["a", "b"], ["b"]]) == [["a", "b"]]


def test_a_malformed_reading_is_refused_with_a_value_error() -> None:
    with pytest.raises(ValueError, match="malformed health reading"):
        reading_from_json({"processes": [{"type": "web"}], "dokku_version": "1"}, read_at=NOW)
    with pytest.raises(ValueError, match="malformed health reading"):
        reading_from_json({}, read_at=NOW)
