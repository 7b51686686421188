"""What the sidebar believes about a stack: its reading, the newest deploy, whichever is newer."""

from __future__ import annotations

from ownstack_tui.engine.history import HistoryEntry
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.tui.stack_state import StackState

OLD = "a" * 40
NEW = "b" * 40


def finished_job(job_id: int, status: DeployStatus, sha: str | None, at: float) -> DeployJob:
    job = DeployJob(id=job_id, app="shop", stack="staging", via="ssh", created_at=at - 5)
    job.status, job.sha, job.started_at, job.finished_at = status, sha, at - 4, at
    return job


def entry(job_id: int, status: str, sha: str | None, at: float) -> HistoryEntry:
    return HistoryEntry(
        id=job_id, app="shop", stack="staging", via="ssh", status=status, sha=sha, ref="main",
        image=None, reason=None, created_at=at - 5, started_at=at - 4, finished_at=at,
    )


def read(sha: str | None, at: float) -> StackState:
    return StackState("staging", "h", reachable=True, app_exists=True, deployed_sha=sha,
                      checked_at=at)


def test_the_sha_shown_is_the_one_the_stack_reported_never_the_jobs() -> None:
    state = read(OLD, at=5)
    state.job = finished_job(1, DeployStatus.SUCCEEDED, NEW, at=10)
    assert state.short_sha == OLD[:7]


def test_a_newer_reading_of_another_sha_takes_away_the_consoles_tick() -> None:
    state = read(NEW, at=20)
    state.job = finished_job(1, DeployStatus.SUCCEEDED, OLD, at=10)
    assert state.status is None
    state.checked_at = 5  # the reading is older than the job: the job's result stands
    assert state.status is DeployStatus.SUCCEEDED


def test_a_newer_failed_deploy_in_history_beats_the_consoles_success() -> None:
    state = read(OLD, at=30)
    state.job = finished_job(1, DeployStatus.SUCCEEDED, OLD, at=10)
    state.last_entry = entry(2, "failed", NEW, at=20)  # e.g. from the command line
    assert state.status is DeployStatus.FAILED and state.short_sha == OLD[:7]


def test_a_running_job_shows_its_own_progress() -> None:
    state = read(OLD, at=30)
    job = DeployJob(id=3, app="shop", stack="staging", via="ssh")
    job.set_status(DeployStatus.BUILDING)
    state.job = job
    state.last_entry = entry(2, "failed", NEW, at=20)
    assert state.status is DeployStatus.BUILDING


def test_staleness_is_three_refresh_intervals() -> None:
    state = read(OLD, at=100)
    assert not state.is_stale(now=145, interval=15) and state.is_stale(now=146, interval=15)
