"""One refresh of an app's fleet health: every stack read at once (one command round each on
the pooled connections), branch positions from local git, judged by :mod:`model.health`.

Each stack's last good reading is kept, so a stack that stops answering still shows what it
said last, with that reading's age.
"""

from __future__ import annotations

from collections.abc import Sequence

from ownstack_tui import clock
from ownstack_tui.backends.base import Backend
from ownstack_tui.engine.branch_position import branch_positions
from ownstack_tui.fanout import fan_out
from ownstack_tui.model.config import effective_config
from ownstack_tui.model.fleet import App, Fleet
from ownstack_tui.model.health import FleetHealth, Unreachable, assess
from ownstack_tui.model.health_readings import StackHealthReading, config_fingerprint


class HealthReader:
    def __init__(self, backend: Backend, parallelism: int) -> None:
        self.backend = backend
        self.parallelism = parallelism
        self._last: dict[tuple[str, str], StackHealthReading] = {}

    async def read(self, fleet: Fleet, app: App, only: Sequence[str] = ()) -> FleetHealth:
        """``fleet`` as it is now (the console rewrites it: thresholds and waves may change)."""
        stacks = {stack.name: stack for stack in fleet.target_stacks(app, only)}
        outcomes = await fan_out(
            stacks, lambda name: self.backend.read_health(app, stacks[name]), self.parallelism
        )
        readings: dict[str, StackHealthReading | Unreachable] = {}
        for name, outcome in outcomes.items():
            if outcome.value is not None:
                self._last[(app.name, name)] = outcome.value
                readings[name] = outcome.value
            else:
                readings[name] = Unreachable(outcome.error or "no answer", self._last.get((app.name, name)))
        shas = {
            reading.deployed_sha
            for reading in (r.last if isinstance(r, Unreachable) else r for r in readings.values())
            if reading is not None and reading.deployed_sha
        }
        by_sha = await branch_positions(app.repo, app.branch, shas)
        positions = {}
        for name, value in readings.items():
            reading = value.last if isinstance(value, Unreachable) else value
            if reading is not None and reading.deployed_sha in by_sha:
                positions[name] = by_sha[reading.deployed_sha]
        desired = {}
        for name in stacks:
            wanted = effective_config(app, name)
            desired[name] = config_fingerprint(wanted, wanted)
        # Waves as the fleet file declares them: each stack is compared with its own wave.
        waves = app.rollout.waves if app.rollout is not None else ()
        return assess(
            app.name, app.branch, readings, positions, desired, clock.now(), fleet.tls, waves
        )
