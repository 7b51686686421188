"""The history on disk as a user meets it after crashes, kills and damaged files: ids never
reused, jobs never "building" forever, damaged lines skipped with a warning, files private,
job logs readable while a deploy runs."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ownstack_tui.engine.history import History, HistoryUnwritable
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob


def make_job(job_id: int, stack: str = "staging") -> DeployJob:
    return DeployJob(id=job_id, app="shop", stack=stack, via="ssh", ref="main")


def finished_job(history: History, stack: str = "staging") -> DeployJob:
    job = make_job(history.allocate_ids(1)[0], stack)
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    job.succeed("a" * 40)
    return job


@pytest.mark.parametrize("counter", ["", "\x00\x00", "garbage", "-4"])
def test_a_damaged_id_counter_continues_after_the_highest_recorded_id(
    tmp_path: Path, counter: str
) -> None:
    history = History(tmp_path)
    for _ in range(3):
        finished_job(history)
    (tmp_path / "next-job-id").write_text(counter)
    assert History(tmp_path).allocate_ids(2) == [4, 5]
    assert [entry.id for entry in History(tmp_path).entries()] == [3, 2, 1]


def test_history_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    history = History(folder)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    job.add_lines(["remote: building"])
    job.succeed("b" * 40)
    for path in (folder, history.logs):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (history.records, history.log_path(job.id), folder / "next-job-id"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_files_left_world_readable_by_an_older_version_are_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    records = folder / "history.jsonl"
    records.write_text("")
    records.chmod(0o644)
    finished_job(History(folder))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(records.stat().st_mode) == 0o600


def test_a_job_whose_process_was_killed_is_marked_interrupted(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from ownstack_tui.engine.history import History
        from ownstack_tui.model.deploy import DeployStatus
        from ownstack_tui.model.jobs import DeployJob
        history = History(Path({str(tmp_path)!r}))
        job = DeployJob(id=history.allocate_ids(1)[0], app="shop", stack="staging", via="ssh")
        history.track(job)
        job.set_status(DeployStatus.BUILDING)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert killed.returncode == -9
    (entry,) = History(tmp_path).entries()
    assert entry.status is DeployStatus.INTERRUPTED and entry.status.is_final
    assert entry.reason is not None and "ended before the deploy did" in entry.reason
    assert entry.finished_at is not None
    # Recorded, not just shown: the last record of the job says so.
    last = json.loads(History(tmp_path).records.read_text().splitlines()[-1])
    assert last["status"] == "interrupted"


def test_a_job_of_a_process_still_running_is_left_alone(tmp_path: Path) -> None:
    history = History(tmp_path)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    (entry,) = History(tmp_path).entries()
    assert entry.status is DeployStatus.BUILDING


def test_a_torn_last_line_is_skipped_with_a_warning_and_the_next_record_survives(tmp_path: Path) -> None:
    history = History(tmp_path)
    finished_job(history)  # three records: queued, building, succeeded
    with open(history.records, "a") as handle:
        handle.write('{"id": 2, "app": "sh')  # a crash in the middle of a write
    finished_job(History(tmp_path))  # id 2 (derived), then its records
    reader = History(tmp_path)
    assert [entry.id for entry in reader.entries()] == [2, 1]
    (warning,) = reader.warnings
    assert "line 4 is damaged" in warning and "skipped" in warning


def test_a_cancelled_job_says_why(tmp_path: Path) -> None:
    history = History(tmp_path)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    job.cancel()
    (entry,) = History(tmp_path).entries()
    assert entry.status is DeployStatus.CANCELLED and entry.reason


def test_an_unwritable_data_folder_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    expected = r"cannot record deploys in .*: it is not a folder; .*OWNSTACK_TUI_HOME"
    with pytest.raises(HistoryUnwritable, match=expected):
        History(blocker).allocate_ids(1)


async def test_job_log_lines_are_written_in_batches_and_whole_at_the_end(tmp_path: Path) -> None:
    history = History(tmp_path)
    job = make_job(history.allocate_ids(1)[0])
    history.track(job)
    job.set_status(DeployStatus.BUILDING)
    for number in range(1000):  # as a chatty build sends them: one line per event
        job.add_lines([f"line {number}"])
    on_disk = len(history.log_lines(job.id))
    assert 0 < on_disk < 1000  # not a write per line
    await asyncio.sleep(0.25)  # a running deploy's log is at most ~100 ms behind
    assert len(history.log_lines(job.id)) == 1000
    job.add_lines(["the last line"])
    job.succeed("c" * 40)  # the end writes whatever is still waiting
    assert history.log_lines(job.id)[-1] == "the last line"


def test_a_deploy_with_an_unwritable_data_folder_exits_1_in_one_line(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.toml"
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    fleet.write_text(
        '[stacks.s1]\nhost = "127.0.0.1"\nport = 1\n'
        f'[apps.shop]\nrepo = "{repo}"\nstacks = ["s1"]\nneeds_postgres = false\n'
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "deploy", "shop"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "OWNSTACK_TUI_HOME": str(home)},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot record deploys in" in result.stderr


def test_the_history_command_warns_about_a_damaged_line_and_lists_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ownstack_tui import paths
    from ownstack_tui.cli import main

    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[stacks.staging]\nhost = "127.0.0.1"\n[apps.shop]\nstacks = ["staging"]\n')
    history = History(paths.data_dir())
    finished_job(history)
    with open(history.records, "a") as handle:
        handle.write('{"id": 2, "status": "buil')
    status = main(["--fleet", str(fleet), "history", "--app", "shop"])
    out, err = capsys.readouterr()
    assert status == 0
    assert err.startswith("ownstack-tui: warning: history ") and "line 4 is damaged" in err
    assert err.count("\n") == 1
    assert "succeeded" in out.splitlines()[1]


def test_the_last_run_is_its_jobs_and_older_records_count_per_stack(tmp_path: Path) -> None:
    history = History(tmp_path)
    old = [finished_job(history, stack) for stack in ("staging", "prod")]  # before runs were kept
    assert [entry.id for entry in History(tmp_path).last_run("shop")] == [job.id for job in old]
    first, second = history.allocate_ids(2)
    for job_id, stack in ((first, "staging"), (second, "prod")):
        job = DeployJob(id=job_id, app="shop", stack=stack, via="ssh", run=first)
        history.track(job)
        job.fail("remote: ! build failed")
    later = DeployJob(id=history.allocate_ids(1)[0], app="shop", stack="prod", via="ssh", run=first)
    history.track(later)  # a later wave of the same rollout
    later.skip("wave 1 failed")
    run = History(tmp_path).last_run("shop")
    assert [(entry.id, entry.status) for entry in run] == [
        (first, DeployStatus.FAILED), (second, DeployStatus.FAILED), (later.id, DeployStatus.SKIPPED),
    ]
    assert History(tmp_path).last_run("other") == []


async def test_with_many_deploys_at_once_their_logs_are_written_less_often_yet_within_a_second(
    tmp_path: Path,
) -> None:
    """300 builds streaming: each log is written ~1.2 s behind at most (all of them ~250 times a
    second in total), not every 100 ms (6,000 writes a second on the console's loop)."""
    history = History(tmp_path)
    jobs = [make_job(job_id, f"stack-{job_id}") for job_id in history.allocate_ids(300)]
    for job in jobs:
        history.track(job)
        job.set_status(DeployStatus.BUILDING)
        job.add_lines(["first"])  # a log's first lines are written at once
    await asyncio.sleep(0.15)
    for job in jobs:
        job.add_lines(["second"])
    assert history.log_lines(jobs[-1].id) == ["first"]  # more than 100 ms late, with 300
    await asyncio.sleep(1.3)
    assert all(history.log_lines(job.id) == ["first", "second"] for job in jobs)
