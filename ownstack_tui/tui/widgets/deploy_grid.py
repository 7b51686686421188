"""The Deploy tab's grid: one live log pane per target stack, all streaming at once.

It shows what it is given (by the main screen, from the Console's messages); it subscribes
to nothing itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Grid

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployJob, DeployRun
from ownstack_tui.model.rollout import StackPhase
from ownstack_tui.model.timing import JobTiming
from ownstack_tui.tui.rollout_view import RolloutView, WaveMark
from ownstack_tui.tui.stack_state import format_elapsed
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.pane_grid import shape_grid

PANE_MIN_WIDTH = 48
STATUS_CLASSES = {
    DeployStatus.FAILED: "-failed",
    DeployStatus.SUCCEEDED: "-succeeded",
    DeployStatus.CANCELLED: "-cancelled",
    DeployStatus.SKIPPED: "-skipped",
}
# A rollout's stack phases that a pane says in its subtitle (and the ones that make it stand out).
PHASE_NOTES = {StackPhase.CHECKING, StackPhase.UNHEALTHY, StackPhase.HELD, StackPhase.ROLLBACK_FAILED}
BAD_PHASES = {StackPhase.UNHEALTHY, StackPhase.HELD, StackPhase.ROLLBACK_FAILED}


class DeployGrid(Grid):
    BINDING_GROUP_TITLE = "Deploy tab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "show_reason", "Why it failed", id="deploy.reason"),
    ]
    DEFAULT_CSS = """
    DeployGrid {
        grid-gutter: 0 1;
        height: 1fr;
    }
    DeployGrid LogPane.-failed { border: heavy $error; border-title-color: $error; }
    DeployGrid LogPane.-failed:focus { border: heavy $error-lighten-2; }
    DeployGrid LogPane.-succeeded { border-title-color: $success; }
    DeployGrid LogPane.-cancelled { border-title-color: $warning; }
    DeployGrid LogPane.-skipped { border-title-color: $text-muted; }
    DeployGrid LogPane.-rollback { border-title-color: $secondary; }
    """

    def __init__(self, stacks: Sequence[str], clock: Callable[[], float]) -> None:
        super().__init__(id="deploy-grid")
        self.stacks = list(stacks)
        self.clock = clock
        self.jobs: dict[str, DeployJob] = {}
        self.rollbacks: dict[str, tuple[str | None, str]] = {}  # stack: (SHA it ran, SHA it gets)
        self.usual: dict[str, float | None] = {}  # stack: its usual deploy time (ETA, slow)
        self.rollout: RolloutView | None = None  # the current rollout's stacks and waves

    def compose(self):  # type: ignore[override]
        for name in self.stacks:
            yield LogPane(id=f"pane-{name}", title=f"{name} · idle")

    def on_resize(self) -> None:
        self._layout_columns()

    def on_mount(self) -> None:
        self._layout_columns()

    def _layout_columns(self) -> None:
        shape_grid(self, len(self.stacks), PANE_MIN_WIDTH)

    def _failed_job(self) -> DeployJob | None:
        """The failed job of the focused pane, if it failed."""
        for stack, job in self.jobs.items():
            if job.status is DeployStatus.FAILED and self.pane(stack).has_focus:
                return job
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_reason":
            return self._failed_job() is not None
        return True

    def action_show_reason(self) -> None:
        """The whole reason, wrapped: the pane's subtitle cuts it at the pane's width."""
        from ownstack_tui.tui.screens.message import MessageScreen

        job = self._failed_job()
        if job is not None:
            self.app.push_screen(MessageScreen(
                f"Deploy to {job.stack} failed (job {job.id}, {job.short_sha})",
                job.reason or "no reason was recorded", warning=True,
            ))

    def pane(self, stack: str) -> LogPane:
        return self.query_one(f"#pane-{stack}", LogPane)

    def show_run(
        self,
        run: DeployRun,
        rollbacks: Mapping[str, tuple[str | None, str]] | None = None,
        usual: Mapping[str, float | None] | None = None,
        waiting: Sequence[str] = (),
    ) -> None:
        """Show ``run``'s jobs from now on (a new run clears its stacks' old logs); a stack in
        ``rollbacks`` is titled with the SHA it ran and the one it goes back to. ``waiting``:
        a rollout's stacks whose jobs come later (``show_job``)."""
        self.rollout = None
        for name in waiting:
            self.pane(name).clear()
            self.jobs.pop(name, None)
            self.rollbacks.pop(name, None)
            self.update_title(name)
        for job in run.jobs:
            self.show_job(job, (usual or {}).get(job.stack), (rollbacks or {}).get(job.stack))

    def show_job(
        self, job: DeployJob, usual: float | None = None,
        rollback: tuple[str | None, str] | None = None,
    ) -> None:
        """``job`` is its stack's from now on; a rollout's rollback keeps the deploy's log above
        its own."""
        pane = self.pane(job.stack)
        if job.rollback_of is None:
            pane.clear()
        else:
            pane.append(["", f"↺ rolling back (job {job.id}), undoing job {job.rollback_of}"])
        self.jobs[job.stack] = job
        self.usual[job.stack] = usual
        if rollback is not None:
            self.rollbacks[job.stack] = rollback
        else:
            self.rollbacks.pop(job.stack, None)
        self.update_title(job.stack)

    def show_rollout(self, view: RolloutView) -> None:
        """The rollout's waves and stack phases: waiting panes, health findings, held locks."""
        self.rollout = view
        for name in view.stacks:
            if name in self.stacks:
                self.update_title(name)

    def update_job(self, job: DeployJob) -> None:
        if self.jobs.get(job.stack) is job:  # else an older run's late news
            self.update_title(job.stack)

    def append(self, job: DeployJob, lines: list[str]) -> None:
        if self.jobs.get(job.stack) is job:
            self.pane(job.stack).append(lines)

    def update_titles(self) -> None:
        for stack in self.jobs:
            self.update_title(stack)

    def update_title(self, stack: str) -> None:
        job = self.jobs.get(stack)
        pane = self.pane(stack)
        if job is None:
            pane.set_title(self._waiting_title(stack))
            return
        now = self.clock()
        if job.status is DeployStatus.SKIPPED:
            reason = f" ({job.reason})" if job.reason else ""
            title = f"{job.status.glyph} {stack} · skipped{reason}"
        else:
            sha = job.short_sha
            if stack in self.rollbacks:
                before, target = self.rollbacks[stack]
                sha = f"rollback {(before or '-------')[:7]} → {target[:7]}"
            title = (
                f"{job.status.glyph} {stack} · {job.status.value} · {sha} · "
                f"{format_elapsed(job.elapsed(now))}{self._timing(job, now)}"
            )
        subtitle = f"job {job.id}"
        if job.status is DeployStatus.FAILED and job.reason:
            subtitle = f"job {job.id} · {job.reason}"
        phase = self.rollout.stacks.get(stack) if self.rollout is not None else None
        noted = phase is not None and phase.phase in PHASE_NOTES and job.rollback_of is None
        if noted and phase is not None and job.status is DeployStatus.SUCCEEDED:
            subtitle = f"job {job.id} · {phase.phase.value}" + (f": {phase.reason}" if phase.reason else "")
        pane.set_title(title, subtitle)
        pane.remove_class(*STATUS_CLASSES.values(), "-rollback")
        if noted and phase is not None and phase.phase in BAD_PHASES:
            pane.add_class("-failed")
        elif job.status in STATUS_CLASSES:
            pane.add_class(STATUS_CLASSES[job.status])
        if job.rollback_of is not None and job.status is not DeployStatus.FAILED:
            pane.add_class("-rollback")

    def _timing(self, job: DeployJob, now: float) -> str:
        """`` · ETA 0:08`` or `` · slow (usually 0:15)`` while a job with history runs."""
        usual = self.usual.get(job.stack)
        if job.is_final or usual is None:
            return ""
        timing = JobTiming(job.elapsed(now), usual)
        if timing.slow:
            return f" · slow (usually {format_elapsed(usual)})"
        return f" · ETA {format_elapsed(timing.remaining or 0.0)}"

    def _waiting_title(self, stack: str) -> str:
        """A rollout's stack before its wave: which wave, and whether a gate holds it."""
        view = self.rollout
        phase = view.stacks.get(stack) if view is not None else None
        if view is None or phase is None:
            return f"{stack} · idle"
        wave = view.waves[phase.wave - 1]
        if wave.mark is WaveMark.WAITING:
            return f"⏸ {stack} · wave {wave.number} · waiting for promotion"
        return f"· {stack} · wave {wave.number} · waiting"
