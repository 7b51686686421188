"""The API backend: the same operations as the SSH backend, through an OwnStack control plane.

The control plane knows apps and stacks by numeric id. Fleet stack names map to its stacks
by name (``GET /api/stacks``); the app is the fleet app's ``api_id``, or found by name in
``GET /api/apps``. Both listings are read once for the backend's lifetime, by one request each
that every caller shares (all stacks at once wait for the same one); a failed listing is
remembered for a while, so a hung control plane costs one retry cycle, not one per stack.
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
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.deploy_lock import LockHolder, StackLock
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.health_readings import StackHealthReading, reading_from_json
from ownstack_tui.model.jobs import DeployJob

from . import credentials as creds
from . import endpoints
from .client import ApiClient, timeout_from_env
from .errors import ApiError, ApiNotFound, ApiRejected, ApiTimeout
from .follow import DeploymentFollower, finish, parse_status


class ApiBackend:
    via = "api"

    def __init__(self, credentials: creds.Credentials, *, timeout: float | None = None) -> None:
        self.client = ApiClient(credentials, timeout=timeout or timeout_from_env())
        self._listings: dict[str, _Listing] = {}
        self._followers: set[asyncio.Task[None]] = set()
        self._posting: set[int] = set()  # jobs whose deploy POST has been sent, not answered

    @classmethod
    def from_fleet(cls, fleet: Fleet, app: App | None = None) -> ApiBackend:
        """URL from the fleet (or $OWNSTACK_API_URL); token from the first source that has one."""
        return cls(creds.resolve(fleet, app))

    @property
    def target_label(self) -> str:
        return self.client.url

    @property
    def credential_label(self) -> str:
        """The token's source (never the token)."""
        return self.token_source

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

    async def _ids(self, path: str, key: str) -> dict[str, int]:
        """Name -> id from the listing at ``path``: one shared request, its failure kept."""
        loop = asyncio.get_running_loop()
        listing = self._listings.get(path)
        if listing is None or listing.expired(loop.time()):
            listing = _Listing(loop.create_task(self._read_ids(path, key)))
            self._listings[path] = listing
        # Shielded: one caller giving up must not cancel the others' request.
        return await asyncio.shield(listing.task)

    async def _read_ids(self, path: str, key: str) -> dict[str, int]:
        # The client bounds each try; this bounds them all (an answer dripping in slowly).
        cycle = self.client.retry_cycle
        try:
            async with asyncio.timeout(cycle + 1.0):
                listing = await self.client.get(path)
        except TimeoutError:
            raise ApiTimeout(
                f"the control plane at {self.client.url} did not list GET {path} "
                f"within {cycle + 1.0:.1f} s"
            ) from None
        ids: dict[str, int] = {}
        for entry in _items(listing, key):
            ids.setdefault(str(entry["name"]), int(entry["id"]))
        return ids

    async def stack_id(self, stack: Stack | str) -> int:
        name = stack if isinstance(stack, str) else stack.name
        ids = await self._ids(endpoints.STACKS, "stacks")
        if name not in ids:
            known = ", ".join(sorted(ids)) or "(none)"
            raise ApiNotFound(
                f"the control plane at {self.client.url} has no stack named {name!r}; "
                f"its stacks: {known}"
            )
        return ids[name]

    async def app_id(self, app: App) -> int:
        if app.api_id is not None:
            return app.api_id
        ids = await self._ids(endpoints.APPS, "apps")
        if app.name not in ids:
            raise ApiNotFound(
                f"the control plane at {self.client.url} has no app named {app.name!r}; "
                f"set apps.{app.name}.api_id in the fleet file to its id"
            )
        return ids[app.name]

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
            deployed_image=data.get("deployed_image") or None,
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
            self._posting.update(job.id for job in jobs)
            answer = await self.client.send(
                "POST", endpoints.deploy(app_id), body,
                conflict=f"a deploy of {app.name} is already in progress",
            )
        except OwnstackError as error:
            for job in jobs:
                job.fail(str(error))
            return
        finally:
            if not _cancelling():
                self._posting.difference_update(job.id for job in jobs)
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

    async def settle_cancelled(
        self, app: App, jobs: list[DeployJob], stacks: Mapping[str, Stack]
    ) -> None:
        """The control plane has no cancel: stopping here only stops our watching. Each job
        gets the deployment's verdict if it has one by now, else says it runs on without us."""

        async def one(job: DeployJob) -> None:
            posted = job.id in self._posting
            self._posting.discard(job.id)
            if job.remote_id is None:
                if posted:
                    job.set_status(
                        DeployStatus.CANCELLED,
                        f"detached while the control plane at {self.client.url} was starting it "
                        f"(it may be running there: see app info)",
                    )
                else:
                    job.set_status(DeployStatus.CANCELLED, "cancelled before push")
                return
            try:
                data = await self.client.get(endpoints.deployment(int(job.remote_id)))
            except OwnstackError:
                data = {}
            status = parse_status(data.get("status"))
            if status is not None and status.is_final:
                finish(job, data)
            else:
                job.set_status(
                    DeployStatus.CANCELLED,
                    f"detached (still running on the control plane as deployment {job.remote_id})",
                )

        await asyncio.gather(*(one(job) for job in jobs))

    # -- rollouts: deploy lock and health (RolloutBackend) --------------------------------------

    async def read_lock(self, app: App, stack: Stack) -> StackLock:
        """The same record an SSH rollout keeps (the app config value), read by the control
        plane from the stack, with dokku's own apps:lock beside it."""
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.deploy_lock(app_id), where)
        record = data.get("value")
        return StackLock(
            holder=LockHolder.decode(str(record)) if record else None,
            dokku_locked=bool(data.get("dokku_locked")),
        )

    async def write_lock(self, app: App, stack: Stack, holder: LockHolder | None) -> bool:
        app_id, where = await self._where(app, stack)
        path = endpoints.deploy_lock(app_id)
        if holder is None:
            await self.client.send("DELETE", path, {}, where)
            return False
        data = await self.client.send("PUT", path, {"value": holder.encode()}, where)
        return bool(data.get("created"))

    async def process_states(self, app: App, stack: Stack) -> dict[str, list[str]]:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.processes(app_id), where)
        return {str(k): [str(s) for s in v] for k, v in dict(data.get("processes") or {}).items()}

    async def app_urls(self, app: App, stack: Stack) -> list[str]:
        app_id, where = await self._where(app, stack)
        data = await self.client.get(endpoints.urls(app_id), where)
        return [str(url) for url in data.get("urls") or []]

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
        try:
            async with self.client.stream(path, params, read_timeout=read_timeout) as response:
                async for lines in self.client.stream_lines(response, path):
                    for line in lines:
                        yield line
        except ApiError as error:
            # Several stacks' tails share one URL: say whose stream it was (same class, so a
            # cut stays transient and the tail reconnects).
            raise type(error)(f"stack {stack.name}: {error}") from None

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


# A failed listing is given to every caller for this long, then asked again: long enough for
# one command's stacks to share it, short enough for the console's next refresh to retry.
FAILED_LISTING_KEPT = 10.0


class _Listing:
    """One listing request shared by its callers; a failure is kept for a while."""

    def __init__(self, task: asyncio.Task[dict[str, int]]) -> None:
        self.task = task
        self.failed_at: float | None = None
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[dict[str, int]]) -> None:
        # Retrieving the exception here also keeps asyncio from logging it as never seen.
        if not task.cancelled() and task.exception() is not None:
            self.failed_at = asyncio.get_running_loop().time()

    def expired(self, now: float) -> bool:
        if self.task.cancelled():
            return True
        return self.failed_at is not None and now - self.failed_at > FAILED_LISTING_KEPT


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


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
