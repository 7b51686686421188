"""The Console's part for fleet health: when to read it, and the restart/rebuild intents.

Health is read once after the first status reading (so the sidebar's health glyphs exist from
the start), then every ``[console] health_interval`` seconds while the Fleet tab is shown, at
once when it is shown (unless a reading is younger than the floor), on f5 there, and after a
restart or rebuild. The schedule is judged on the console's clock at each tick, so tests move
time by moving the clock. One reading at a time: a request during one runs after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ownstack_tui.errors import describe_failure
from ownstack_tui.model.health import FleetHealth
from ownstack_tui.model.validation import MIN_REFRESH_INTERVAL
from ownstack_tui.tui import messages

if TYPE_CHECKING:
    from textual.timer import Timer

    from ownstack_tui.tui.console import Console

TICK = 0.25  # seconds between looks at the clock while the tab is shown (a float compare)
ACTIONS = {"restart": "Restarted", "rebuild": "Rebuilt"}


class FleetWatch:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.health: FleetHealth | None = None  # the newest reading, None until one answered
        self.read_at: float | None = None  # when the newest reading was published
        self._started_at: float | None = None  # when the last reading began
        self._reading = False
        self._again = False
        self._glyphs_read = False  # the one reading at start, for the sidebar's glyphs
        self._timer: Timer | None = None
        self.acting: set[str] = set()  # stacks with a restart or rebuild under way

    @property
    def interval(self) -> float:
        return self.console.fleet.health_interval

    # -- when to read --------------------------------------------------------------------

    def shown(self, visible: bool) -> None:
        """The Fleet tab was shown (read now unless just read; then every interval) or hidden."""
        if not visible:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            return
        if self._timer is None:
            self._timer = self.console.app.set_interval(TICK, self._tick, name="fleet-health")
        since = self._since_start()
        if since is None or since >= MIN_REFRESH_INTERVAL:  # never more often than the floor
            self.read()

    def after_status_read(self, after_run: bool = False) -> None:
        """The sidebar's glyphs need a reading: after the first status reading, and after the
        first one begun once a run or one of its waves ended (``after_run``: it changed what the stacks run
        and the branch may have moved, so marks judged before it are no longer what they say).
        Of the stacks that answered it (a stack that did not would only hold the reading up;
        the Fleet tab reads every stack when first shown); while that tab is shown, a whole
        reading, so the tab converges too."""
        first = self._started_at is None and not self._reading and not self._glyphs_read
        if not (first or after_run):
            return
        self._glyphs_read = True
        answered = [name for name, state in self.console.states.items() if state.reachable]
        if after_run and self._timer is not None:
            self.read()
        elif answered:
            self.read(only=answered)

    def _since_start(self) -> float | None:
        return None if self._started_at is None else self.console.clock() - self._started_at

    def _tick(self) -> None:
        since = self._since_start()
        if since is None or since >= self.interval:
            self.read()

    def read(self, only: Sequence[str] = ()) -> None:
        """Read every stack's health now (or only those named, which does not count as the
        schedule's reading, nor the Fleet tab's), in a worker; publishes FleetHealthRead."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        if not only:
            self._started_at = self.console.clock()
            self.console.publish(messages.FleetHealthReading())
        self.console.app.run_worker(
            self._read(only), name="fleet-health", group="fleet-health",
            description="read fleet health", exit_on_error=False,
        )

    async def _read(self, only: Sequence[str] = ()) -> None:
        console = self.console
        started = console.clock()  # a reading is as old as its start, however long it took
        try:
            health = await console.engine.fleet_health(console.app_model, only)
        except BaseException:
            self._reading = False
            self._read_again()  # a reading asked for meanwhile still runs (the worker reports this)
            raise
        self._reading = False
        rows = {row.stack: row for row in health.stacks}
        for name, state in console.states.items():
            if not only or name in only:
                state.health = rows.get(name)
        if not only:  # the Fleet tab shows whole readings; a partial one feeds the sidebar only
            self.health, self.read_at = health, started
            console.publish(messages.FleetHealthRead(health, started))
        console.publish(messages.StacksChanged())
        self._read_again()

    def _read_again(self) -> None:
        if self._again:
            self._again = False
            self.read()

    # -- restart, rebuild -------------------------------------------------------------------

    def act(self, stack: str, action: str) -> bool:
        """Restart (``ps:restart``) or rebuild (``ps:rebuild``) the app on ``stack``; False
        (nothing started) while one is under way there."""
        if stack in self.acting or action not in ACTIONS:
            return False
        self.acting.add(stack)
        app_name = self.console.app_model.name
        self.console.app.run_worker(
            self._act(stack, action), name=f"fleet-{action}", group=f"fleet-action-{stack}",
            description=f"{action} {app_name} on {stack}", exit_on_error=False,
        )
        return True

    async def _act(self, stack: str, action: str) -> None:
        console = self.console
        app, where = console.app_model, console.fleet.stack(stack)
        error: str | None = None
        try:
            if action == "restart":
                await console.engine.restart(app, where)
            else:
                await console.engine.rebuild(app, where)
        except Exception as failure:
            error = describe_failure(failure)
            raise  # the App's one handler notifies and reports WorkFailed
        finally:
            self.acting.discard(stack)
            console.publish(messages.StackActionFinished(stack, action, error))
            console.load_history()  # the restart or rebuild is recorded there
            self.read()
        console.app.notify(f"✓ {ACTIONS[action]} {app.name} on {stack}", markup=False)
