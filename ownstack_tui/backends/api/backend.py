"""The API backend: the same operations as the SSH backend, through an OwnStack control plane.

The control plane knows apps and stacks by numeric id. Fleet stack names map to its stacks
by name (``GET /api/stacks``); the app is the fleet app's ``api_id``, or found by name in
``GET /api/apps``. Both lookups are cached for the backend's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from ownstack_tui import clock
from ownstack_tui.backends.base import AppState, DeployRequest
from ownstack_tui.errors import OwnstackError
from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.health_readings import StackHealthReading, reading_from_json
from ownstack_tui.model.jobs import DeployJob

from . import credentials as creds
from . import endpoints
from .client import ApiClient, timeout_from_env
from .errors import ApiError, ApiNotFound, ApiRejected
from .follow import DeploymentFollower


class ApiBackend:
    via = "api"

    def __init__(self, credentials: creds.Credentials, *, timeout: float | None = None) -> None:
        self.client = ApiClient(credentials, timeout=timeout or timeout_from_env())
        self._stack_ids: dict[str, int] | None = None
        self._app_ids: dict[str, int] = {}
        self._lookup = asyncio.Lock()
        self._followers: set[asyncio.Task[None]] = set()

    @classmethod
    def from_fleet(cls, fleet: Fleet, app: App | None = None) -> ApiBackend:
        """URL from the fleet (or $OWNSTACK_API_URL); token from the first source that has one."""
        return cls(creds.resolve(fleet, app))

    @property
    def target_label(self) -> str:
        return self.client.url

    @property
    def token_source(self) -> str:
        """Where the token came from (``$OWNSTACK_API_TOKEN``, a repo file, ~/.ownstack/config)."""
        return self.client.token_source

    def __repr__(self) -> str:
        return f"ApiBackend({self.client.url!r}, token from {self.token_source})"

    async def close(self) -> None:
        # Stop watching; the control plane's deployments go on without us.
        for task in list(self._followers):
            task.cancel()
        for task in list(self._followers):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.close()

    # -- ids -----------------------------------------------------------------------------------

    async def stack_id(self, stack: Stack | str) -> int:
        name = stack if isinstance(stack, str) else stack.name
        async with self._lookup:
            if self._stack_ids is None:
                listing = await self.client.get(endpoints.STACKS)
                self._stack_ids = {
                    str(entry["name"]): int(entry["id"]) for entry in _items(listing, "stacks")
                }
        if name not in self._stack_ids:
            known = ", ".join(sorted(self._stack_ids)) or "(none)"
            raise ApiNotFound(
                f"the control plane at {self.client.url} has no stack named {name!r}; "
                f"its stacks: {known}"
            )
        return self._stack_ids[name]

    async def app_id(self, app: App) -> int:
        if app.api_id is not None:
            return app.api_id
        async with self._lookup:
            if app.name not in self._app_ids:
                listing = await self.client.get(endpoints.APPS)
                for entry in _items(listing, "apps"):
                    self._app_ids.setdefault(str(entry["name"]), int(entry["id"]))
        if app.name not in self._app_ids:
            raise ApiNotFound(
                f"the control plane at {self.client.url} has no app named {app.name!r}; "
                f"set apps.{app.name}.api_id in the fleet file to its id"
            )
        return self._app_ids[app.name]

    async def _where(self, app: App, stack: Stack) -> tuple[int, dict[str, int]]:
        app_id, stack_id = await asyncio.gather(self.app_id(app), self.stack_id(stack))
        return app_id, {"stack_id": stack_id}

    # -- status --------------------------------------------------------------------------------

    async def probe(self, stack: Stack) -> str:
        data = await self.client.get(endpoints.stack(await self.stack_id(stack)))
        if not data.get("reachable", True):
            reason = data.get("error") or "unreachable"
            raise ApiError(f"stack {stack.name}: {reason} (via {self.client.url})")
        return str(data.get("dokku_version") or "unknown")

    async def app_state(self, app: App, stack: Stack) -> AppState:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.target(app_id, where["stack_id"]))
        return AppState(
            exists=bool(data.get("exists")),
            deployed_sha=data.get("deployed_sha") or None,
            deploy_source=data.get("deploy_source") or None,
            dokku_version=data.get("dokku_version") or None,
        )

    # -- deploy --------------------------------------------------------------------------------

    async def deploy(
        self,
        app: App,
        jobs: list[DeployJob],
        stacks: Mapping[str, Stack],
        request: DeployRequest,
        desired_config: Mapping[str, Mapping[str, str]],
    ) -> None:
        # The control plane holds the app's config and applies it itself; desired_config is
        # what the fleet wants and is kept in line by the config commands.
        try:
            app_id = await self.app_id(app)
            ids = {job.stack: await self.stack_id(stacks[job.stack]) for job in jobs}
            body: dict[str, Any] = {"stack_ids": [ids[job.stack] for job in jobs]}
            if request.image:
                body["image"] = request.image
            elif request.ref:
                body["sha"] = request.ref
            answer = await self.client.send(
                "POST", endpoints.deploy(app_id), body,
                conflict=f"a deploy of {app.name} is already in progress",
            )
        except OwnstackError as error:
            for job in jobs:
                job.fail(str(error))
            return
        by_stack_id = {int(d["stack_id"]): d for d in _items(answer, "deployments")}
        followers = []
        for job in jobs:
            deployment = by_stack_id.get(ids[job.stack])
            if deployment is None:
                job.fail(
                    f"the control plane at {self.client.url} started no deployment on {job.stack}"
                )
                continue
            job.remote_id = str(deployment["id"])
            followers.append(DeploymentFollower(self.client, job, int(deployment["id"])))
        tasks = [asyncio.get_running_loop().create_task(f.run()) for f in followers]
        self._followers.update(tasks)
        try:
            await asyncio.gather(*tasks)
        finally:
            self._followers.difference_update(tasks)

    # -- config and scale ----------------------------------------------------------------------

    async def read_config(self, app: App, stack: Stack) -> dict[str, str]:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.config(app_id), where)
        return {str(k): str(v) for k, v in dict(data.get("config") or {}).items()}

    async def apply_config(
        self, app: App, stack: Stack, plan: StackConfigPlan, restart: bool
    ) -> list[str]:
        app_id, where = await self._where(app, stack)
        body = {"set": plan.to_set, "unset": sorted(plan.to_unset), "restart": restart}
        data = await self.client.send("PATCH", endpoints.config(app_id), body, where)
        return [str(line) for line in data.get("output") or []]

    async def read_scale(self, app: App, stack: Stack) -> dict[str, int]:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.scale(app_id), where)
        return {str(k): int(v) for k, v in dict(data.get("scale") or {}).items()}

    async def set_scale(self, app: App, stack: Stack, counts: Mapping[str, int]) -> list[str]:
        app_id, where = await self._where(app, stack)
        body = {"scale": dict(counts)}
        data = await self.client.send("PATCH", endpoints.scale(app_id), body, where)
        return [str(line) for line in data.get("output") or []]

    async def logs(
        self, app: App, stack: Stack, num: int, process: str | None, follow: bool
    ) -> AsyncIterator[str]:
        app_id, where = await self._where(app, stack)
        params = {**where, "num": num, "process": process, "follow": 1 if follow else None}
        path = endpoints.runtime_logs(app_id)
        # A followed tail may be quiet for hours: no read timeout then.
        read_timeout = None if follow else self.client.timeout
        async with self.client.stream(path, params, read_timeout=read_timeout) as response:
            async for lines in self.client.stream_lines(response, path):
                for line in lines:
                    yield line

    async def read_health(self, app: App, stack: Stack) -> StackHealthReading:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.health(app_id), where)
        try:
            return reading_from_json(dict(data.get("reading") or {}), clock.now())
        except ValueError as error:
            raise ApiError(f"stack {stack.name}: the control plane sent {error}") from None

    async def restart(
        self, app: App, stack: Stack, process: str | None, on_line: Callable[[str], None] | None = None
    ) -> None:
        app_id, where = await self._where(app, stack)
        data = await self.client.send("POST", endpoints.restart(app_id), {"process": process}, where)
        _emit(data, on_line)

    async def rebuild(self, app: App, stack: Stack, on_line: Callable[[str], None] | None = None) -> None:
        app_id, where = await self._where(app, stack)
        data = await self.client.send("POST", endpoints.rebuild(app_id), {}, where)
        _emit(data, on_line)

    async def replicate(self, source: App, new_name: str, stack: Stack) -> list[str]:
        app_id, where = await self._where(source, stack)
        data = await self.client.send(
            "POST", endpoints.replicate(app_id), {"name": new_name, **where}
        )
        return [str(line) for line in data.get("output") or []]

    # -- targets (not in the Backend protocol: the fleet file is the CLI's record) ------------

    async def targets(self, app: App) -> list[dict[str, Any]]:
        data = await self.client.get(endpoints.targets(await self.app_id(app)))
        return list(_items(data, "stacks"))

    async def add_target(self, app: App, stack: Stack) -> None:
        app_id, where = await self._where(app, stack)
        await self.client.send("POST", endpoints.targets(app_id), where)

    async def remove_target(self, app: App, stack: Stack) -> None:
        app_id, where = await self._where(app, stack)
        await self.client.send("DELETE", endpoints.target(app_id, where["stack_id"]), {})

    async def deployments(self, app: App, stack: Stack | None = None) -> list[dict[str, Any]]:
        params = {"stack_id": await self.stack_id(stack)} if stack else None
        data = await self.client.get(endpoints.app_deployments(await self.app_id(app)), params)
        return list(_items(data, "deployments"))


def _items(data: Any, key: str) -> list[dict[str, Any]]:
    """A listing is ``{"<key>": [...]}`` (or a bare list, as some public endpoints answer)."""
    items = data.get(key) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ApiRejected(f"unexpected answer from the control plane: no list of {key}")
    return items


def _emit(data: Mapping[str, Any], on_line: Callable[[str], None] | None) -> None:
    """The control plane answers with the whole output at the end: pass it on line by line."""
    if on_line is not None:
        for line in data.get("output") or []:
            on_line(str(line))
