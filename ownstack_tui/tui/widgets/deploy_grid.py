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
from ownstack_tui.tui.stack_state import format_elapsed
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.pane_grid import shape_grid

PANE_MIN_WIDTH = 48
STATUS_CLASSES = {
    DeployStatus.FAILED: "-failed",
    DeployStatus.SUCCEEDED: "-succeeded",
    DeployStatus.CANCELLED: "-cancelled",
}


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
    """

    def __init__(self, stacks: Sequence[str], clock: Callable[[], float]) -> None:
        super().__init__(id="deploy-grid")
        self.stacks = list(stacks)
        self.clock = clock
        self.jobs: dict[str, DeployJob] = {}
        self.rollbacks: dict[str, tuple[str | None, str]] = {}  # stack: (SHA it ran, SHA it gets)

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
        self, run: DeployRun, rollbacks: Mapping[str, tuple[str | None, str]] | None = None
    ) -> None:
        """Show ``run``'s jobs from now on (a new run clears its stacks' old logs); a stack in
        ``rollbacks`` is titled with the SHA it ran and the one it goes back to."""
        for job in run.jobs:
            self.pane(job.stack).clear()
            self.jobs[job.stack] = job
            if rollbacks and job.stack in rollbacks:
                self.rollbacks[job.stack] = rollbacks[job.stack]
            else:
                self.rollbacks.pop(job.stack, None)
            self.update_title(job.stack)

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
            pane.set_title(f"{stack} · idle")
            return
        sha = job.short_sha
        if stack in self.rollbacks:
            before, target = self.rollbacks[stack]
            sha = f"rollback {(before or '-------')[:7]} → {target[:7]}"
        title = (
            f"{job.status.glyph} {stack} · {job.status.value} · {sha} · "
            f"{format_elapsed(job.elapsed(self.clock()))}"
        )
        subtitle = f"job {job.id}"
        if job.status is DeployStatus.FAILED and job.reason:
            subtitle = f"job {job.id} · {job.reason}"
        pane.set_title(title, subtitle)
        pane.remove_class(*STATUS_CLASSES.values())
        if job.status in STATUS_CLASSES:
            pane.add_class(STATUS_CLASSES[job.status])
