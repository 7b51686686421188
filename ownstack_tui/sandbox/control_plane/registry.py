"""What the control-plane stand-in knows: stacks and apps by id, and every deployment.

Seeded from a fleet: stack ids in fleet order from 1, app ids from the app's ``api_id`` (or
the next free id). The control plane owns each app's desired config per stack (seeded with
the fleet's effective config, changed by ``PATCH config``) and applies it on every deploy,
as the real service does. Runs on the server's event loop only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ownstack_tui.engine.engine import RunningDeploy
from ownstack_tui.model.config import effective_config
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.jobs import DeployJob, JobEvent


@dataclass
class Deployment:
    """One job of our engine, seen as a control-plane deployment."""

    job: DeployJob
    app_id: int
    stack_id: int
    running: RunningDeploy
    version: int = 0  # bumped on every new line batch or status change
    _waiters: set[asyncio.Event] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.job.subscribe(self._on_event)

    @property
    def id(self) -> int:
        return self.job.id

    @property
    def total_lines(self) -> int:
        return self.job.dropped_lines + len(self.job.lines)

    def lines_from(self, offset: int) -> tuple[int, list[str]]:
        """The lines from absolute line ``offset`` on, and where they really start (lines
        dropped from memory are gone)."""
        start = max(offset, self.job.dropped_lines)
        return start, self.job.lines[start - self.job.dropped_lines :]

    async def changed(self, since: int, timeout: float) -> None:
        """Wait until :attr:`version` moves past ``since`` (or ``timeout``)."""
        if self.version != since:
            return
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(event)

    def _on_event(self, _event: JobEvent) -> None:
        self.version += 1
        for event in self._waiters:
            event.set()

    def as_json(self, stack_name: str) -> dict[str, Any]:
        job = self.job
        return {
            "id": job.id,
            "app_id": self.app_id,
            "app": job.app,
            "stack_id": self.stack_id,
            "stack": stack_name,
            "status": job.status.value,
            "sha": job.sha,
            "ref": job.ref,
            "image": job.image,
            "reason": job.reason,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "log_lines": self.total_lines,
        }


class Registry:
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.stack_ids: dict[str, int] = {name: i for i, name in enumerate(fleet.stacks, start=1)}
        self.stacks_by_id: dict[int, Stack] = {
            i: fleet.stacks[name] for name, i in self.stack_ids.items()
        }
        self.apps: dict[int, App] = {}
        self.deployments: dict[int, Deployment] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}
        for app in fleet.apps.values():
            self.add_app(app, app.api_id)

    def add_app(self, app: App, app_id: int | None = None) -> int:
        if app_id is None or app_id in self.apps:
            app_id = max([0, *self.apps]) + 1
        # Desired config lives per stack here, so a PATCH on one stack never touches another.
        desired = {stack: effective_config(app, stack) for stack in self.fleet.stacks}
        self.apps[app_id] = dataclasses.replace(app, api_id=app_id, config={}, stack_config=desired)
        return app_id

    def app_by_name(self, name: str) -> tuple[int, App] | None:
        return next(((i, a) for i, a in self.apps.items() if a.name == name), None)

    def stack_name(self, stack_id: int) -> str:
        return self.stacks_by_id[stack_id].name

    def set_targets(self, app_id: int, names: list[str]) -> None:
        self.apps[app_id] = dataclasses.replace(self.apps[app_id], stacks=tuple(names))

    def change_config(
        self, app_id: int, stack: str, set_: dict[str, str], unset: list[str]
    ) -> None:
        app = self.apps[app_id]
        desired = {name: dict(values) for name, values in app.stack_config.items()}
        wanted = desired.setdefault(stack, {})
        wanted.update(set_)
        for key in unset:
            wanted.pop(key, None)
        self.apps[app_id] = dataclasses.replace(app, stack_config=desired)

    def active_deployment(self, app_id: int, stack_id: int) -> Deployment | None:
        return next(
            (
                d for d in self.deployments.values()
                if d.app_id == app_id and d.stack_id == stack_id and not d.job.is_final
            ),
            None,
        )

    def stack_json(self, stack_id: int) -> dict[str, Any]:
        stack = self.stacks_by_id[stack_id]
        return {"id": stack_id, "name": stack.name, "host": stack.host, "port": stack.port}

    def app_json(self, app_id: int) -> dict[str, Any]:
        app = self.apps[app_id]
        return {
            "id": app_id,
            "name": app.name,
            "branch": app.branch,
            "needs_postgres": app.needs_postgres,
            "stacks": [self.stack_json(self.stack_ids[name]) for name in app.stacks],
        }
