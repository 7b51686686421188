"""How one stack of the Deploy tab reads: its pane's title, subtitle and colour class, and the
same facts as cells of the compact table. One place for both, so the grid and the table never
disagree."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.model.rollout import StackPhase
from ownstack_tui.model.timing import JobTiming
from ownstack_tui.text import strip_escapes
from ownstack_tui.tui.rollout_view import RolloutView, WaveMark
from ownstack_tui.tui.stack_state import format_elapsed

# Lines kept per stack for its pane (as many as a pane keeps): references to the job's own
# strings, so the copy costs a pointer a line.
PANE_LINES = 10_000
STATUS_CLASSES = {
    DeployStatus.FAILED: "-failed",
    DeployStatus.SUCCEEDED: "-succeeded",
    DeployStatus.CANCELLED: "-cancelled",
    DeployStatus.SKIPPED: "-skipped",
}
# A rollout's stack phases that a pane says in its subtitle (and the ones that make it stand out).
PHASE_NOTES = {StackPhase.CHECKING, StackPhase.UNHEALTHY, StackPhase.HELD, StackPhase.ROLLBACK_FAILED}
BAD_PHASES = {StackPhase.UNHEALTHY, StackPhase.HELD, StackPhase.ROLLBACK_FAILED}


@dataclass
class StackEntry:
    """What the Deploy tab was told about one stack: its current job and the lines shown for
    it (a rollback's lines follow the deploy's, as its pane shows them)."""

    name: str
    job: DeployJob | None = None
    rollback: tuple[str | None, str] | None = None  # (SHA it ran, SHA it gets)
    usual: float | None = None  # its usual deploy time (ETA, slow)
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=PANE_LINES))


@dataclass(frozen=True)
class PaneLook:
    title: str
    subtitle: str = ""
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowLook:
    """One row of the compact table."""

    status: str  # "✗ failed", "⏸ waiting for promotion"
    wave: str  # "2" (empty without waves)
    time: str  # "0:12 · ETA 0:08", "0:40 · slow (usually 0:15)"
    last: str  # the last log line (plain), or the reason of a skip
    failed: bool


def pane_look(entry: StackEntry, rollout: RolloutView | None, now: float) -> PaneLook:
    stack, job = entry.name, entry.job
    if job is None:
        return PaneLook(waiting_title(stack, rollout))
    if job.status is DeployStatus.SKIPPED:
        reason = f" ({job.reason})" if job.reason else ""
        title = f"{job.status.glyph} {stack} · skipped{reason}"
    else:
        sha = job.short_sha
        if entry.rollback is not None:
            before, target = entry.rollback
            sha = f"rollback {(before or '-------')[:7]} → {target[:7]}"
        title = (
            f"{job.status.glyph} {stack} · {job.status.value} · {sha} · "
            f"{format_elapsed(job.elapsed(now))}{timing_text(job, entry.usual, now)}"
        )
    subtitle = f"job {job.id}"
    if job.status is DeployStatus.FAILED and job.reason:
        subtitle = f"job {job.id} · {job.reason}"
    phase = rollout.stacks.get(stack) if rollout is not None else None
    noted = phase is not None and phase.phase in PHASE_NOTES and job.rollback_of is None
    if noted and phase is not None and job.status is DeployStatus.SUCCEEDED:
        subtitle = f"job {job.id} · {phase.phase.value}" + (f": {phase.reason}" if phase.reason else "")
    classes: list[str] = []
    if noted and phase is not None and phase.phase in BAD_PHASES:
        classes.append("-failed")
    elif job.status in STATUS_CLASSES:
        classes.append(STATUS_CLASSES[job.status])
    if job.rollback_of is not None and job.status is not DeployStatus.FAILED:
        classes.append("-rollback")
    return PaneLook(title, subtitle, tuple(classes))


def row_look(entry: StackEntry, rollout: RolloutView | None, now: float) -> RowLook:
    job = entry.job
    phase = rollout.stacks.get(entry.name) if rollout is not None else None
    wave = str(phase.wave) if phase is not None and rollout is not None and rollout.staged else ""
    last = " ".join(strip_escapes(entry.lines[-1]).split()) if entry.lines else ""
    if job is None:
        title = waiting_title(entry.name, rollout)
        glyph = title.split(" ", 1)[0] if " · wave " in title else "·"
        status = "waiting for promotion" if "promotion" in title else "waiting" if phase else "idle"
        return RowLook(f"{glyph} {status}", wave, "", last, False)
    status = job.status.value
    if entry.rollback is not None or job.rollback_of is not None:
        status = f"rollback {status}"
    bad = phase is not None and phase.phase in BAD_PHASES and job.rollback_of is None
    if bad and phase is not None and job.status is DeployStatus.SUCCEEDED:
        status = phase.phase.value
    if job.status is DeployStatus.SKIPPED:
        return RowLook(f"{job.status.glyph} skipped", wave, "", job.reason or last, False)
    time = format_elapsed(job.elapsed(now)) + timing_text(job, entry.usual, now)
    if job.status is DeployStatus.FAILED and not last:
        last = job.reason or ""
    failed = job.status is DeployStatus.FAILED or bad
    return RowLook(f"{job.status.glyph} {status}", wave, time, last, failed)


def timing_text(job: DeployJob, usual: float | None, now: float) -> str:
    """`` · ETA 0:08`` or `` · slow (usually 0:15)`` while a job with history runs."""
    if job.is_final or usual is None:
        return ""
    timing = JobTiming(job.elapsed(now), usual)
    if timing.slow:
        return f" · slow (usually {format_elapsed(usual)})"
    return f" · ETA {format_elapsed(timing.remaining or 0.0)}"


def waiting_title(stack: str, view: RolloutView | None) -> str:
    """A rollout's stack before its wave: which wave, and whether a gate holds it."""
    phase = view.stacks.get(stack) if view is not None else None
    if view is None or phase is None:
        return f"{stack} · idle"
    wave = view.waves[phase.wave - 1]
    if wave.mark is WaveMark.WAITING:
        return f"⏸ {stack} · wave {wave.number} · waiting for promotion"
    return f"· {stack} · wave {wave.number} · waiting"


def progress_line(entries: list[StackEntry], rollout: RolloutView | None) -> str:
    """``42/200 done · ✓40 ✗2 · 158 running``: the run's stacks (those with a job or waiting
    for their wave)."""
    jobs = [entry.job for entry in entries if entry.job is not None]
    waiting = sum(1 for entry in entries if entry.job is None and rollout is not None
                  and entry.name in rollout.stacks)
    if not jobs and not waiting:
        return f"{len(entries)} stacks · no deploy yet"
    count = {status: sum(1 for job in jobs if job.status is status) for status in DeployStatus}
    done = sum(1 for job in jobs if job.is_final)
    parts = [f"{done}/{len(jobs) + waiting} done",
             f"{DeployStatus.SUCCEEDED.glyph}{count[DeployStatus.SUCCEEDED]} "
             f"{DeployStatus.FAILED.glyph}{count[DeployStatus.FAILED]}"]
    for status, words in ((DeployStatus.CANCELLED, "cancelled"), (DeployStatus.SKIPPED, "skipped")):
        if count[status]:
            parts.append(f"{count[status]} {words}")
    running = len(jobs) - done
    parts.append(f"{running} running")
    if waiting:
        parts.append(f"{waiting} waiting")
    return " · ".join(parts)
