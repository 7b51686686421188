"""Deploy history on disk: JSON lines of job records and config/scale changes, plus one log
file per job.

Readable while a deploy runs: a record is appended at every status change (the last record
of an id wins), and log lines reach ``logs/<id>.log`` in batches (at most ~100 ms late, and
at the job's end). Job ids come from a counter file taken under an exclusive lock, so they
are unique and increasing even across processes; a damaged counter continues after the
highest id in the history instead of starting again at 1. Every file is private (0600 in
0700 folders). A record cut short by a crash is skipped with a warning. A job whose process
died before it finished (``kill -9``) is marked ``interrupted`` the next time history is read.
Writing records never raises into a deploy: a full disk loses history, not stacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any

from ownstack_tui import clock, paths
from ownstack_tui.errors import OwnstackError
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob, JobEvent

# Job log lines are written at most this late, or once this many are waiting.
LOG_FLUSH_SECONDS = 0.1
LOG_FLUSH_LINES = 500
# With many deploys streaming at once the lateness grows so that all their logs together are
# flushed about this often a second (each flush is two writes): 200 stacks at 10 batches a
# second each made 4,000 writes a second, ~4% of a core on the console's loop (issue 14).
LOG_FLUSHES_PER_SECOND = 250


@dataclass(frozen=True)
class HistoryEntry:
    """One deploy job as last recorded."""

    id: int
    app: str
    stack: str
    via: str
    status: DeployStatus
    sha: str | None
    ref: str | None
    image: str | None
    reason: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    rollback_of: int | None = None  # set on a rollout's rollback jobs: the job they undo
    run: int | None = None  # the run it was part of (its first job's id); None before runs were kept

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def at(self) -> float:
        return self.created_at

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "deploy", **self.__dict__, "status": self.status.value}


class ChangeKind(Enum):
    CONFIG = "config"
    SCALE = "scale"
    RESTART = "restart"  # ps:restart (``process``: one type, or None for all)
    REBUILD = "rebuild"  # ps:rebuild


@dataclass(frozen=True)
class ChangeEntry:
    """A config or scale change applied to some of an app's stacks. Config values are never
    recorded, only the keys; scale records the process counts (not secret)."""

    kind: ChangeKind
    app: str
    at: float
    who: str  # user@host
    stacks: tuple[str, ...]  # where it was applied
    failed: Mapping[str, str] = field(default_factory=dict)  # stack -> why not
    set_keys: tuple[str, ...] = ()
    unset_keys: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    process: str | None = None  # the process type a restart was limited to

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "app": self.app,
            "at": self.at,
            "who": self.who,
            "stacks": list(self.stacks),
            "failed": dict(self.failed),
            "set": list(self.set_keys),
            "unset": list(self.unset_keys),
            "counts": dict(self.counts),
            **({"process": self.process} if self.process else {}),
        }


TimelineItem = HistoryEntry | ChangeEntry


class HistoryUnwritable(OwnstackError):
    """The data folder cannot hold history: a deploy would have no job ids."""


@dataclass
class _JobLog:
    handle: IO[str]
    times: IO[str] | None = None  # the lines' offsets, opened at the first flush
    pending: list[str] = field(default_factory=list)
    pending_offsets: list[float] = field(default_factory=list)  # per line, from the job's start
    flushed_at: float = 0.0
    timer: asyncio.TimerHandle | None = None


class History:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or paths.data_dir()
        self.records = self.folder / "history.jsonl"
        self.logs = self.folder / "logs"
        self.warnings: list[str] = []  # damaged records met by the last read
        self._open_logs: dict[int, _JobLog] = {}

    # -- ids ---------------------------------------------------------------------------

    def allocate_ids(self, count: int) -> list[int]:
        counter = self.folder / "next-job-id"
        try:
            _private_folder(self.folder)
            fd = os.open(counter, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            why = "it is not a folder" if self.folder.is_file() else error.strerror
            raise HistoryUnwritable(
                f"cannot record deploys in {self.folder}: {why}; make it a writable folder "
                f"or point {paths.HOME_ENV} at a folder that is"
            ) from None
        with os.fdopen(fd, "r+", encoding="ascii", errors="replace") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            text = handle.read().strip()
            # An empty or damaged counter (a crash, a full disk) continues after the highest
            # recorded id, so that no new job reuses an id and hides an old one's record.
            first = int(text) if text.isdigit() and int(text) > 0 else self._highest_id() + 1
            handle.seek(0)
            handle.truncate()
            handle.write(str(first + count))
            handle.flush()
            os.fsync(handle.fileno())
        return list(range(first, first + count))

    def _highest_id(self) -> int:
        ids = [int(record["id"]) for record in self._read_records() if _is_job(record)]
        return max(ids, default=0)

    # -- recording jobs --------------------------------------------------------------------

    def track(self, job: DeployJob) -> None:
        """Record ``job`` now and at every change until it ends."""
        self._append_record(_job_record(job))
        job.subscribe(self._on_event)

    def _on_event(self, event: JobEvent) -> None:
        job = event.job
        if event.lines:
            self._append_log(job, event.lines)
            return
        if job.is_final:  # the log first: once the record says final, the log is whole
            self._close_log(job.id)
        self._append_record(_job_record(job))

    def _append_record(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with contextlib.suppress(OSError):
            _private_folder(self.folder)
            fd = os.open(self.records, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fchmod(fd, 0o600)
                size = os.fstat(fd).st_size
                # A record cut short by a crash would swallow this one: end it first.
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                os.write(fd, line)
            finally:
                os.close(fd)

    def _append_log(self, job: DeployJob, lines: tuple[str, ...]) -> None:
        log = self._open_logs.get(job.id)
        if log is None:
            try:
                _private_folder(self.folder)
                _private_folder(self.logs)
                fd = os.open(self.log_path(job.id), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.fchmod(fd, 0o600)
            except OSError:
                return
            log = self._open_logs[job.id] = _JobLog(open(fd, "a", encoding="utf-8"))  # noqa: SIM115
        log.pending.extend(lines)
        log.pending_offsets.extend(job.line_offsets[-len(lines):])
        now = time.monotonic()
        late = max(LOG_FLUSH_SECONDS, len(self._open_logs) / LOG_FLUSHES_PER_SECOND)
        if len(log.pending) >= LOG_FLUSH_LINES or now - log.flushed_at >= late:
            self._flush(job.id)
        elif log.timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop to come back later: write now
                self._flush(job.id)
            else:
                log.timer = loop.call_later(late - (now - log.flushed_at), self._flush, job.id)

    def _flush(self, job_id: int) -> None:
        log = self._open_logs.get(job_id)
        if log is None:
            return
        if log.timer is not None:
            log.timer.cancel()
            log.timer = None
        if log.pending:
            with contextlib.suppress(OSError):
                log.handle.write("".join(line + "\n" for line in log.pending))
                log.handle.flush()
                # Each line's offset, line for line, for `history --job ID --timestamps`. Kept
                # open like the log: a build flushes every line or two, on every stack.
                if log.times is None:
                    fd = os.open(self.times_path(job_id), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                    log.times = open(fd, "a", encoding="ascii")  # noqa: SIM115 - closed with the log
                log.times.write("".join(f"{offset:.3f}\n" for offset in log.pending_offsets))
                log.times.flush()
            log.pending.clear()
            log.pending_offsets.clear()
        log.flushed_at = time.monotonic()

    def _close_log(self, job_id: int) -> None:
        self._flush(job_id)
        log = self._open_logs.pop(job_id, None)
        if log is not None:
            with contextlib.suppress(OSError):
                log.handle.close()
            if log.times is not None:
                with contextlib.suppress(OSError):
                    log.times.close()

    def close(self) -> None:
        for job_id in list(self._open_logs):
            self._close_log(job_id)

    # -- recording changes -------------------------------------------------------------

    def record_config(
        self,
        app: str,
        plans: Mapping[str, StackConfigPlan],
        outcomes: Mapping[str, StackOutcome[Any]],
    ) -> None:
        """A config apply: the keys set and unset, where it worked and where not."""
        changing = {name: plan for name, plan in plans.items() if not plan.is_empty}
        if not changing:
            return
        failed = {name: outcomes[name].error or "" for name in changing if _failed(outcomes, name)}
        self._append_record(
            ChangeEntry(
                ChangeKind.CONFIG, app, clock.now(), who(),
                stacks=tuple(name for name in changing if name not in failed),
                failed=failed,
                set_keys=tuple(sorted({key for plan in changing.values() for key in plan.to_set})),
                unset_keys=tuple(sorted({key for plan in changing.values() for key in plan.to_unset})),
            ).as_dict()
        )

    def record_scale(
        self,
        app: str,
        changes: Mapping[str, Mapping[str, int]],
        outcomes: Mapping[str, StackOutcome[Any]],
    ) -> None:
        """A scale change: the counts asked for, where it worked and where not."""
        if not changes:
            return
        failed = {name: outcomes[name].error or "" for name in changes if _failed(outcomes, name)}
        counts = {process: count for change in changes.values() for process, count in change.items()}
        self._append_record(
            ChangeEntry(
                ChangeKind.SCALE, app, clock.now(), who(),
                stacks=tuple(name for name in changes if name not in failed),
                failed=failed,
                counts=counts,
            ).as_dict()
        )

    def record_action(
        self, app: str, kind: ChangeKind, stack: str, error: str | None, process: str | None = None
    ) -> None:
        """A restart or rebuild of the app on one stack, and whether it worked."""
        self._append_record(
            ChangeEntry(
                kind, app, clock.now(), who(),
                stacks=() if error is not None else (stack,),
                failed={stack: error} if error is not None else {},
                process=process,
            ).as_dict()
        )

    # -- reading -------------------------------------------------------------------------

    def last_run(
        self, app: str, stack: str | Collection[str] | None = None
    ) -> list[HistoryEntry]:
        """The jobs of ``app``'s newest run (a deploy, or a rollout's waves, skips and
        rollbacks), oldest first. Jobs recorded before runs were kept: each stack's newest."""
        entries = self._jobs(list(self._read_records()), app, stack)
        if not entries:
            return []
        newest = entries[0].run
        if newest is None:
            latest: dict[str, HistoryEntry] = {}
            for entry in entries:
                if entry.run is None and entry.rollback_of is None:
                    latest.setdefault(entry.stack, entry)
            chosen = list(latest.values())
        else:
            chosen = [entry for entry in entries if entry.run == newest]
        return sorted(chosen, key=lambda entry: entry.id)

    def entries(self, app: str | None = None, stack: str | None = None) -> list[HistoryEntry]:
        """Deploy jobs, newest first; the last record of each id is its current state."""
        return self._jobs(list(self._read_records()), app, stack)

    def changes(self, app: str | None = None, stack: str | None = None) -> list[ChangeEntry]:
        """Config and scale changes, newest first."""
        return self._changes(list(self._read_records()), app, stack)

    def timeline(
        self, app: str | None = None, stack: str | Collection[str] | None = None
    ) -> list[TimelineItem]:
        """Deploys and changes together, newest first; ``stack``: one stack's, or several's."""
        records = list(self._read_records())
        items: list[TimelineItem] = [*self._jobs(records, app, stack), *self._changes(records, app, stack)]
        return sorted(items, key=lambda item: item.at, reverse=True)

    def _jobs(
        self, records: list[dict[str, Any]], app: str | None, stack: str | Collection[str] | None
    ) -> list[HistoryEntry]:
        latest: dict[int, dict[str, Any]] = {}
        for record in records:
            if _is_job(record):
                latest[int(record["id"])] = record
        self._mark_interrupted(latest)
        chosen = [
            _entry(record)
            for record in latest.values()
            if (app is None or record["app"] == app) and _among(record["stack"], stack)
        ]
        return sorted(chosen, key=lambda entry: entry.id, reverse=True)

    @staticmethod
    def _changes(
        records: list[dict[str, Any]], app: str | None, stack: str | Collection[str] | None
    ) -> list[ChangeEntry]:
        found = []
        for record in records:
            change = _change(record)
            if change is None or (app is not None and change.app != app):
                continue
            if stack is not None and not any(
                _among(name, stack) for name in (*change.stacks, *change.failed)
            ):
                continue
            found.append(change)
        return sorted(found, key=lambda change: change.at, reverse=True)

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
        self.warnings = []
        try:
            handle = open(self.records, encoding="utf-8", errors="replace")  # noqa: SIM115
        except FileNotFoundError:
            return
        with handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict) and ("id" in record or "kind" in record):
                    yield record
                else:
                    self.warnings.append(
                        f"history {self.records} line {number} is damaged (cut short by a "
                        "crash?) and was skipped"
                    )

    def _mark_interrupted(self, latest: dict[int, dict[str, Any]]) -> None:
        """Jobs run over SSH by a process of this host that is gone: they will never finish."""
        here = socket.gethostname()
        for job_id, record in latest.items():
            if record.get("via") != "ssh" or _status(record).is_final or record.get("host") != here:
                continue
            pid = record.get("pid")
            if not isinstance(pid, int) or _process_alive(pid, record.get("process_start")):
                continue
            record = {
                **record,
                "status": DeployStatus.INTERRUPTED.value,
                "reason": f"interrupted: the ownstack-tui process running it (pid {pid}) ended "
                "before the deploy did; see the stack's state with 'ownstack-tui app info'",
                "finished_at": clock.now(),
            }
            latest[job_id] = record
            self._append_record(record)


# -- records -------------------------------------------------------------------------------


def who() -> str:
    """user@host, for the record of a change."""
    import getpass  # here, at a change: start-up (the first frame) does not need it

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def _job_record(job: DeployJob) -> dict[str, Any]:
    return {
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
        "run": job.run,
        # Who runs it, to tell later whether it can still finish.
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "process_start": _process_start(os.getpid()),
    }


def _is_job(record: Mapping[str, Any]) -> bool:
    return "id" in record and record.get("kind", "deploy") == "deploy"


def _status(record: Mapping[str, Any]) -> DeployStatus:
    try:
        return DeployStatus(record.get("status"))
    except ValueError:  # written by a newer version: treat as still unknown
        return DeployStatus.QUEUED


def _entry(record: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        id=int(record["id"]),
        app=str(record["app"]),
        stack=str(record["stack"]),
        via=str(record.get("via", "ssh")),
        status=_status(record),
        sha=record.get("sha"),
        ref=record.get("ref"),
        image=record.get("image"),
        reason=record.get("reason"),
        created_at=float(record.get("created_at") or 0),
        started_at=record.get("started_at"),
        finished_at=record.get("finished_at"),
        rollback_of=record.get("rollback_of"),
        run=_optional_int(record.get("run")),
    )


def _change(record: Mapping[str, Any]) -> ChangeEntry | None:
    try:
        kind = ChangeKind(record.get("kind"))
        return ChangeEntry(
            kind=kind,
            app=str(record["app"]),
            at=float(record["at"]),
            who=str(record.get("who", "")),
            stacks=tuple(str(s) for s in record.get("stacks", ())),
            failed={str(k): str(v) for k, v in dict(record.get("failed", {})).items()},
            set_keys=tuple(str(k) for k in record.get("set", ())),
            unset_keys=tuple(str(k) for k in record.get("unset", ())),
            counts={str(k): int(v) for k, v in dict(record.get("counts", {})).items()},
            process=str(record["process"]) if record.get("process") else None,
        )
    except (ValueError, KeyError, TypeError):
        return None


def _failed(outcomes: Mapping[str, StackOutcome[Any]], name: str) -> bool:
    outcome = outcomes.get(name)
    return outcome is None or outcome.error is not None


# -- processes and files ---------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """The process's start time since boot (Linux), so a reused pid is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _process_alive(pid: int, started: object) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: alive
    return started is None or _process_start(pid) in (None, started)


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _among(name: str, wanted: str | Collection[str] | None) -> bool:
    """One stack's record is wanted: no filter, that stack, or one of those stacks."""
    if wanted is None:
        return True
    return name == wanted if isinstance(wanted, str) else name in wanted
