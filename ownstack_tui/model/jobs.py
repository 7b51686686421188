"""Deploy jobs and runs (pure data, no I/O): status, log lines, SHA, timings, reason.

A :class:`DeployRun` holds one :class:`DeployJob` per target stack. Backends drive the jobs
through these methods only; front ends subscribe to :class:`JobEvent`s (the TUI batches
them per pane, the CLI prints them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ownstack_tui import clock
from ownstack_tui.model.deploy import DeployStatus, check_transition

# Lines kept in memory per job; the full log is also written to the history folder.
MAX_JOB_LINES = 20_000


@dataclass(frozen=True)
class JobEvent:
    """Something happened to ``job``: new log ``lines``, or a status change (lines empty)."""

    job: DeployJob
    lines: tuple[str, ...] = ()


Listener = Callable[[JobEvent], None]
Unsubscribe = Callable[[], None]

log = logging.getLogger(__name__)
# A library's logger: nothing reaches stderr (and so no traceback in a command's output)
# unless the program configures logging.
log.addHandler(logging.NullHandler())


@dataclass(eq=False)
class DeployJob:
    id: int
    app: str
    stack: str
    via: str
    ref: str | None = None
    image: str | None = None
    status: DeployStatus = DeployStatus.QUEUED
    sha: str | None = None
    reason: str | None = None
    created_at: float = field(default_factory=lambda: clock.now())
    started_at: float | None = None
    finished_at: float | None = None
    lines: list[str] = field(default_factory=list)
    line_offsets: list[float] = field(default_factory=list)  # seconds from start, per line
    dropped_lines: int = 0
    remote_id: str | None = None  # the control plane's id, via api
    rollback_of: int | None = None  # the job whose change this job undoes (a rollback)
    run: int | None = None  # the run (deploy or whole rollout) it belongs to: its first job's id
    _listeners: list[Listener] = field(default_factory=list, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status.is_final

    def elapsed(self, now: float | None = None) -> float:
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else (now if now is not None else clock.now())
        return max(0.0, end - self.started_at)

    @property
    def short_sha(self) -> str:
        return self.sha[:7] if self.sha else "-------"

    # -- driven by backends ------------------------------------------------------------

    def set_status(self, status: DeployStatus, reason: str | None = None) -> None:
        if status == self.status:
            return
        self.status = check_transition(self.status, status)
        now = clock.now()
        if self.started_at is None and status not in (DeployStatus.QUEUED, DeployStatus.SKIPPED):
            self.started_at = now
        if status.is_final and self.finished_at is None:
            self.finished_at = now
        if reason:
            self.reason = reason
        self._emit(JobEvent(self))

    def add_lines(self, lines: list[str]) -> None:
        if not lines or self.is_final:
            return
        self.lines.extend(lines)
        start = self.started_at if self.started_at is not None else self.created_at
        self.line_offsets.extend([max(0.0, clock.now() - start)] * len(lines))
        overflow = len(self.lines) - MAX_JOB_LINES
        if overflow > 0:
            del self.lines[:overflow]
            del self.line_offsets[:overflow]
            self.dropped_lines += overflow
        self._emit(JobEvent(self, tuple(lines)))

    def ran_from(self, started_at: object, finished_at: object) -> None:
        """Take the times of the system that ran the job (a control plane's record), set just
        before the final status: our clock only sees when we noticed, which for a quick build
        is one instant. Times that are missing or run backwards are ignored."""
        start, end = _time(started_at), _time(finished_at)
        if not self.is_final and start is not None and end is not None and end >= start:
            self.started_at, self.finished_at = start, end

    def succeed(self, sha: str | None) -> None:
        if sha:
            self.sha = sha
        self.set_status(DeployStatus.SUCCEEDED)

    def fail(self, reason: str) -> None:
        self.set_status(DeployStatus.FAILED, reason)

    def cancel(self, reason: str = "cancelled by the user before it finished") -> None:
        if not self.is_final:
            self.set_status(DeployStatus.CANCELLED, reason)

    def skip(self, reason: str) -> None:
        """Never started (an earlier wave failed, or the rollout stopped before it)."""
        self.set_status(DeployStatus.SKIPPED, reason)

    # -- watched by front ends ----------------------------------------------------------

    def subscribe(self, listener: Listener) -> Unsubscribe:
        """Call ``listener`` at every event from now on; the returned callable stops that."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: JobEvent) -> None:
        for listener in list(self._listeners):
            # A watcher's bug must not become the deploy's failure: the backend that drives
            # this job called us, and the job carries on whatever a front end does.
            try:
                listener(event)
            except Exception:
                log.exception("job %s: a listener failed", self.id)


@dataclass(eq=False)
class DeployRun:
    """One deploy of one app: a job per target stack."""

    app: str
    jobs: list[DeployJob]
    # True once the jobs are handed over (to a control plane) and we stop watching them:
    # stopping our watchers then must not record them as cancelled.
    detached: bool = False

    @property
    def is_finished(self) -> bool:
        return all(job.is_final for job in self.jobs)

    @property
    def succeeded(self) -> bool:
        return all(job.status is DeployStatus.SUCCEEDED for job in self.jobs)

    def job(self, stack: str) -> DeployJob:
        return next(job for job in self.jobs if job.stack == stack)

    def failed_stacks(self) -> list[str]:
        return [job.stack for job in self.jobs if job.status is DeployStatus.FAILED]

    def subscribe(self, listener: Listener) -> Unsubscribe:
        stops = [job.subscribe(listener) for job in self.jobs]

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe


def _time(value: object) -> float | None:
    """A unix time from a record, or None for anything else (a bool is not a time)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None
