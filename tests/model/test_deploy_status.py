"""The deploy status machine: forward only, and final is final."""

from __future__ import annotations

import pytest

from ownstack_tui.model.deploy import DeployStatus, InvalidTransition, can_transition, check_transition

S = DeployStatus


def test_a_job_moves_forward_and_may_skip_steps() -> None:
    assert can_transition(S.QUEUED, S.CONNECTING)
    assert can_transition(S.CONNECTING, S.BUILDING)
    assert can_transition(S.QUEUED, S.BUILDING)
    assert can_transition(S.BUILDING, S.RELEASING)


def test_any_running_job_can_fail_succeed_or_be_cancelled() -> None:
    for status in (S.QUEUED, S.CONNECTING, S.BUILDING, S.RELEASING):
        for final in (S.SUCCEEDED, S.FAILED, S.CANCELLED):
            assert can_transition(status, final)


def test_final_statuses_never_change_and_jobs_never_go_back() -> None:
    for final in (S.SUCCEEDED, S.FAILED, S.CANCELLED):
        assert not can_transition(final, S.BUILDING)
        assert not can_transition(final, S.FAILED)
    assert not can_transition(S.BUILDING, S.CONNECTING)
    with pytest.raises(InvalidTransition, match="succeeded to failed"):
        check_transition(S.SUCCEEDED, S.FAILED)


def test_only_a_job_that_never_started_can_be_skipped_and_skipped_is_final() -> None:
    assert can_transition(S.QUEUED, S.SKIPPED)
    for started in (S.CONNECTING, S.BUILDING, S.RELEASING):
        assert not can_transition(started, S.SKIPPED)
    assert S.SKIPPED.is_final
    assert S.SKIPPED.glyph == "↷"
    assert not can_transition(S.SKIPPED, S.BUILDING)
