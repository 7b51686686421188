"""Jobs, runs, fan-out and the history file, without any stack."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from ownstack_tui.engine.history import History
from ownstack_tui.errors import RemoteError
from ownstack_tui.fanout import fan_out
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import MAX_JOB_LINES, DeployJob, DeployRun, JobEvent


def make_job(job_id: int = 1, stack: str = "staging") -> DeployJob:
    return DeployJob(id=job_id, app="shop", stack=stack, via="ssh", ref="main")


def test_a_job_reports_lines_and_status_changes_to_its_listeners() -> None:
    job = make_job()
    events: list[JobEvent] = []
    job.subscribe(events.append)
    job.set_status(DeployStatus.BUILDING)
    job.add_lines(["-----> Building shop", "       done"])
    job.succeed("0123456789abcdef")
    assert [e.lines for e in events] == [(), ("-----> Building shop", "       done"), ()]
    assert job.status is DeployStatus.SUCCEEDED and job.short_sha == "0123456"
    assert job.started_at is not None and job.finished_at is not None


def test_a_finished_job_takes_no_more_lines_or_status() -> None:
    job = make_job()
    job.fail("App build failed")
    job.add_lines(["late"])
    job.cancel()
    assert job.lines == [] and job.status is DeployStatus.FAILED and job.reason == "App build failed"


def test_job_memory_is_bounded() -> None:
    job = make_job()
    job.add_lines([f"line {i}" for i in range(MAX_JOB_LINES + 10)])
    assert len(job.lines) == MAX_JOB_LINES and job.dropped_lines == 10
    assert job.lines[0] == "line 10"


def test_a_run_knows_its_failed_stacks() -> None:
    run = DeployRun("shop", [make_job(1, "a"), make_job(2, "b")])
    run.job("a").succeed("abc")
    run.job("b").fail("boom")
    assert run.is_finished and not run.succeeded and run.failed_stacks() == ["b"]


async def test_fan_out_keeps_each_failure_to_its_own_stack() -> None:
    started: list[str] = []

    async def action(stack: str) -> str:
        started.append(stack)
        await asyncio.sleep(0)
        if stack == "bad":
            raise RemoteError("stack bad: connection refused")
        if stack == "weird":
            raise ValueError("unexpected\nsecond line")
        return stack.upper()

    outcomes = await fan_out(["a", "bad", "weird", "b"], action)
    assert list(outcomes) == ["a", "bad", "weird", "b"]
    assert outcomes["a"].value == "A" and outcomes["b"].value == "B"
    assert outcomes["bad"].error == "stack bad: connection refused"
    assert outcomes["weird"].error == "ValueError: unexpected"
    assert sorted(started) == ["a", "b", "bad", "weird"]


async def test_fan_out_respects_its_bound() -> None:
    running = 0
    peak = 0

    async def action(stack: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    await fan_out([str(i) for i in range(10)], action, limit=3)
    assert peak == 3


def test_job_ids_are_unique_and_increasing_across_history_instances(tmp_path: Path) -> None:
    first = History(tmp_path).allocate_ids(3)
    second = History(tmp_path).allocate_ids(2)
    assert first == [1, 2, 3] and second == [4, 5]


def test_history_is_readable_while_a_job_runs_and_keeps_its_final_state(tmp_path: Path) -> None:
    history = History(tmp_path)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    job.add_lines(["remote line 1", "remote line 2"])
    (running,) = History(tmp_path).entries(app="shop")
    assert running.status is DeployStatus.BUILDING
    assert History(tmp_path).log_lines(job.id) == ["remote line 1", "remote line 2"]
    job.succeed("f" * 40)
    (done,) = History(tmp_path).entries(app="shop", stack="staging")
    assert done.status is DeployStatus.SUCCEEDED and done.sha == "f" * 40 and done.duration is not None
    assert History(tmp_path).entries(stack="elsewhere") == []


def test_a_torn_history_line_is_skipped(tmp_path: Path) -> None:
    history = History(tmp_path)
    job = make_job(7)
    history.track(job)
    with open(history.records, "a") as handle:
        handle.write('{"id": 8, "app": "sh')
    assert [e.id for e in History(tmp_path).entries()] == [7]
    assert json.loads(history.records.read_text().splitlines()[0])["id"] == 7


@pytest.mark.parametrize("count", [1, 20])
def test_allocating_ids_in_bulk(tmp_path: Path, count: int) -> None:
    ids = History(tmp_path).allocate_ids(count)
    assert ids == sorted(set(ids)) and len(ids) == count


def test_log_lines_keep_their_offset_from_the_jobs_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ownstack_tui import clock

    now = [1000.0]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    history = History(tmp_path)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    now[0] = 1000.5
    job.add_lines(["first"])
    now[0] = 1002.25
    job.add_lines(["second", "third"])
    assert job.line_offsets == [0.5, 2.25, 2.25]
    assert History(tmp_path).timed_log_lines(job.id) == [(0.5, "first"), (2.25, "second"), (2.25, "third")]


def test_skipped_and_rollback_jobs_are_recorded_as_such(tmp_path: Path) -> None:
    history = History(tmp_path)
    first, second = history.allocate_ids(2)
    skipped = make_job(first)
    history.track(skipped)
    skipped.skip("wave 2 failed")
    rollback = DeployJob(id=second, app="shop", stack="prod-east", via="ssh", ref="a" * 40, rollback_of=first)
    history.track(rollback)
    entries = {entry.id: entry for entry in History(tmp_path).entries(app="shop")}
    assert entries[first].status is DeployStatus.SKIPPED and entries[first].reason == "wave 2 failed"
    assert entries[first].duration is None
    assert entries[second].rollback_of == first


def test_an_unsubscribed_listener_hears_nothing_more() -> None:
    job = make_job()
    events: list[JobEvent] = []
    stop = job.subscribe(events.append)
    job.set_status(DeployStatus.BUILDING)
    stop()
    job.add_lines(["after"])
    job.succeed("abc")
    assert len(events) == 1


def test_a_listener_that_raises_never_fails_the_job(caplog: pytest.LogCaptureFixture) -> None:
    job = make_job()
    heard: list[JobEvent] = []

    def broken(_event: JobEvent) -> None:
        raise RuntimeError("widget bug")

    job.subscribe(broken)
    job.subscribe(heard.append)
    job.set_status(DeployStatus.BUILDING)
    job.add_lines(["-----> Building"])
    job.succeed("0123456789")
    assert job.status is DeployStatus.SUCCEEDED and job.lines == ["-----> Building"]
    assert len(heard) == 3  # the others still hear every event
    assert "a listener failed" in caplog.text and "widget bug" in caplog.text
