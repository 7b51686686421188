"""Deploy history on disk: JSON lines of job records plus one log file per job.

Readable while a deploy runs: a record is appended at every status change (the last record
of an id wins), and log lines are appended to ``logs/<id>.log`` as they arrive. Job ids come
from a counter file taken under an exclusive lock, so they are unique and increasing even
across processes. Writing never raises into a deploy: a full disk loses history, not stacks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ownstack_tui import paths
from ownstack_tui.model.jobs import DeployJob, JobEvent


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    app: str
    stack: str
    via: str
    status: str
    sha: str | None
    ref: str | None
    image: str | None
    reason: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    rollback_of: int | None = None  # set on a rollout's rollback jobs: the job they undo

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class History:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or paths.data_dir()
        self.records = self.folder / "history.jsonl"
        self.logs = self.folder / "logs"
        self._open_logs: dict[int, IO[str]] = {}

    # -- ids ---------------------------------------------------------------------------

    def allocate_ids(self, count: int) -> list[int]:
        self.folder.mkdir(parents=True, exist_ok=True)
        counter = self.folder / "next-job-id"
        with open(counter, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read().strip()
            first = int(text) if text.isdigit() else 1
            handle.seek(0)
            handle.truncate()
            handle.write(str(first + count))
            handle.flush()
            os.fsync(handle.fileno())
        return list(range(first, first + count))

    # -- recording -----------------------------------------------------------------------

    def track(self, job: DeployJob) -> None:
        """Record ``job`` now and at every change until it ends."""
        self._append_record(job)
        job.subscribe(self._on_event)

    def _on_event(self, event: JobEvent) -> None:
        job = event.job
        if event.lines:
            self._append_log(job, event.lines)
            return
        self._append_record(job)
        if job.is_final:
            handle = self._open_logs.pop(job.id, None)
            if handle is not None:
                handle.close()

    def _append_record(self, job: DeployJob) -> None:
        record = {
            "id": job.id,
            "app": job.app,
            "stack": job.stack,
            "via": job.via,
            "status": job.status.value,
            "sha": job.sha,
            "ref": job.ref,
            "image": job.image,
            "reason": job.reason,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "rollback_of": job.rollback_of,
        }
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.records, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _append_log(self, job: DeployJob, lines: tuple[str, ...]) -> None:
        with contextlib.suppress(OSError):
            handle = self._open_logs.get(job.id)
            if handle is None:
                self.logs.mkdir(parents=True, exist_ok=True)
                handle = open(self.log_path(job.id), "a", encoding="utf-8")  # noqa: SIM115
                self._open_logs[job.id] = handle
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            # Each line's offset from the job's start, line for line (history --timestamps).
            offsets = job.line_offsets[-len(lines):]
            with open(self.times_path(job.id), "a", encoding="ascii") as times:
                times.write("".join(f"{offset:.3f}\n" for offset in offsets))

    def close(self) -> None:
        for handle in self._open_logs.values():
            handle.close()
        self._open_logs.clear()

    # -- reading -------------------------------------------------------------------------

    def entries(self, app: str | None = None, stack: str | None = None) -> list[HistoryEntry]:
        """Newest first; the last record of each id is its current state."""
        latest: dict[int, dict[str, Any]] = {}
        for record in self._read_records():
            latest[record["id"]] = record
        chosen = [
            _entry(record)
            for record in latest.values()
            if (app is None or record["app"] == app) and (stack is None or record["stack"] == stack)
        ]
        return sorted(chosen, key=lambda entry: entry.id, reverse=True)

    def entry(self, job_id: int) -> HistoryEntry | None:
        return next((e for e in self.entries() if e.id == job_id), None)

    def log_path(self, job_id: int) -> Path:
        return self.logs / f"{job_id}.log"

    def times_path(self, job_id: int) -> Path:
        return self.logs / f"{job_id}.times"

    def timed_log_lines(self, job_id: int) -> list[tuple[float | None, str]]:
        """Each log line with its offset in seconds from the job's start (None if unknown)."""
        try:
            offsets = self.times_path(job_id).read_text(encoding="ascii").split()
        except FileNotFoundError:
            offsets = []
        lines = self.log_lines(job_id)
        return [
            (float(offsets[i]) if i < len(offsets) else None, line) for i, line in enumerate(lines)
        ]

    def log_lines(self, job_id: int) -> list[str]:
        try:
            return self.log_path(job_id).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def _read_records(self) -> Iterator[dict[str, Any]]:
        try:
            handle = open(self.records, encoding="utf-8")  # noqa: SIM115
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                # A line cut short by a crash is skipped, not fatal.
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if isinstance(record, dict) and "id" in record:
                        yield record


def _entry(record: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        id=int(record["id"]),
        app=str(record["app"]),
        stack=str(record["stack"]),
        via=str(record.get("via", "ssh")),
        status=str(record["status"]),
        sha=record.get("sha"),
        ref=record.get("ref"),
        image=record.get("image"),
        reason=record.get("reason"),
        created_at=float(record.get("created_at") or 0),
        started_at=record.get("started_at"),
        finished_at=record.get("finished_at"),
        rollback_of=record.get("rollback_of"),
    )
