"""A job's times from the system that ran it (a control plane's deployment record)."""

from __future__ import annotations

import pytest

from ownstack_tui.model.jobs import DeployJob


def job() -> DeployJob:
    return DeployJob(id=1, app="shop", stack="staging", via="api", ref="main")


def test_a_records_start_and_finish_give_the_time_taken_of_a_job_seen_only_at_its_end() -> None:
    seen = job()
    seen.ran_from(1764494000.25, 1764494042.75)
    seen.succeed("abc1234")
    assert seen.elapsed() == pytest.approx(42.5)
    assert seen.started_at == 1764494000.25 and seen.finished_at == 1764494042.75


@pytest.mark.parametrize("started, finished", [
    (None, 1764494042.0), (1764494000.0, None), (1764494042.0, 1764494000.0),
    (True, 1764494042.0), ("1764494000", 1764494042.0), (0, 1764494042.0),
])
def test_missing_or_backwards_times_leave_our_own_clock_in_charge(
    started: object, finished: object
) -> None:
    seen = job()
    seen.ran_from(started, finished)
    seen.succeed("abc1234")
    assert seen.started_at is not None and seen.finished_at is not None
    assert seen.finished_at >= seen.started_at and seen.started_at != 1764494000.0


def test_a_finished_job_keeps_its_times() -> None:
    done = job()
    done.succeed("abc1234")
    before = (done.started_at, done.finished_at)
    done.ran_from(1.0, 2.0)
    assert (done.started_at, done.finished_at) == before
