"""The Console's listener on a RunningRollout: each event re-published as typed messages
(``RolloutChanged`` with a frozen view, ``JobStarted`` for every new job, ``RunProgress``),
so widgets never touch the engine. Rollout events arrive on the app's loop; publishing is
thread-safe anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from textual.message import Message

from ownstack_tui.engine.rollout import RunningRollout
from ownstack_tui.model.jobs import DeployJob, DeployRun, Unsubscribe
from ownstack_tui.model.rollout import RolloutEvent, RolloutEventKind, WaveState
from ownstack_tui.tui import messages
from ownstack_tui.tui.rollout_view import RolloutView
from ownstack_tui.tui.throttle import CHANGES_EVERY, Throttle

JobTracker = Callable[[DeployJob, "float | None"], None]


class RolloutRelay:
    def __init__(
        self,
        rollout: RunningRollout,
        publish: Callable[[Message], None],
        track_job: JobTracker,
        rollbacks: Mapping[str, tuple[str | None, str]] | None = None,
        wave_ended: Callable[[], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.rollout = rollout
        # A whole view per change is O(stacks), and so is showing it: at most one per window.
        self._changed = Throttle(self._publish_view, CHANGES_EVERY, loop)
        self.wave_ended = wave_ended  # the Console reads the stacks again (a gate may wait long)
        self.publish = publish
        self.track_job = track_job  # the Console records the job and listens to it
        self.rollbacks = dict(rollbacks or {})  # a history entry rolled back: its pane's title

    def start(self) -> Unsubscribe:
        """Announce the run (every stack waiting for its wave), then follow it."""
        progress = self.rollout.progress
        self.publish(messages.RunStarted(
            DeployRun(progress.app, []), self.rollbacks, waiting=list(progress.stacks)
        ))
        self.publish(messages.RolloutChanged(RolloutView.of(progress)))
        self.publish_progress()
        return self.rollout.subscribe(self.on_event)

    def on_event(self, event: RolloutEvent) -> None:
        job = event.job
        if event.kind is RolloutEventKind.JOB_ADDED and job is not None:
            usual = self.rollout.timing(job).usual
            self.track_job(job, usual)
            self.publish(messages.JobStarted(job, usual, self._rollback_of(job)))
        elif event.kind is RolloutEventKind.WAVE and event.wave is not None:
            if self.wave_ended is not None and self.rollout.progress.wave(event.wave).state in (
                WaveState.PASSED, WaveState.FAILED
            ):
                self.wave_ended()
        elif event.kind is RolloutEventKind.JOB_SLOW and job is not None:
            self.publish(messages.JobUpdated(job))
            self.publish(messages.StacksChanged())
        self._changed.request()

    def _publish_view(self) -> None:
        self.publish(messages.RolloutChanged(RolloutView.of(self.rollout.progress)))
        self.publish_progress()

    def flush(self) -> None:
        """The newest view now, if one is waiting (before the run's end is published)."""
        self._changed.flush()

    def publish_progress(self) -> None:
        """Finished jobs of every stack's deploy (or skip) and of the rollbacks so far."""
        progress = self.rollout.progress
        jobs = progress.jobs
        rollbacks = sum(1 for job in jobs if job.rollback_of is not None)
        self.publish(messages.RunProgress(sum(job.is_final for job in jobs),
                                          len(progress.stacks) + rollbacks))

    def _rollback_of(self, job: DeployJob) -> tuple[str | None, str] | None:
        """(what the stack ran, what it goes back to) for a rollback job's pane title."""
        stack = self.rollout.progress.stacks[job.stack]
        if job.rollback_of is not None and stack.before is not None and stack.job is not None:
            return stack.job.sha, stack.before.sha or stack.before.label
        return self.rollbacks.get(job.stack)
