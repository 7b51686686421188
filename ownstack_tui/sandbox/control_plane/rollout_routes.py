"""What a staged rollout run through the API needs from the stand-in (docs/api.md, "Rollouts"):
the deploy lock, each process type's container states, and the app's URLs.

The lock is the very config value an SSH rollout keeps on the stack (``OWNSTACK_DEPLOY_LOCK``,
set with ``--no-restart``), read and written by the same DokkuBackend calls, so operators
going direct and through the control plane see each other's locks. It has a path of its own
under the app's config because the general config endpoints never show or take that key, and
it is kept on the stack only, never in the desired config a deploy re-applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ownstack_tui.model import validation
from ownstack_tui.model.deploy_lock import LockHolder

from .handling import ApiProblem, handled, json_body

if TYPE_CHECKING:
    from .routes import ControlPlaneApi


@handled
async def read_deploy_lock(api: ControlPlaneApi, request: Request) -> Response:
    app, stack_id, stack = api.app_target(request)
    lock = await api.backend.read_lock(app, stack)
    value = lock.holder.encode() if lock.holder is not None else None
    return JSONResponse({"stack_id": stack_id, "value": value, "dokku_locked": lock.dokku_locked})


@handled
async def write_deploy_lock(api: ControlPlaneApi, request: Request) -> Response:
    app, _stack_id, stack = api.app_target(request)
    value = (await json_body(request)).get("value")
    holder = LockHolder.decode(value) if isinstance(value, str) else None
    if holder is None or not holder.token:
        raise ApiProblem(400, "value must be a deploy lock record (JSON with owner, since, token)")
    validation.config_value(validation.DEPLOY_LOCK_KEY, value)
    created = await api.backend.write_lock(app, stack, holder)
    return JSONResponse({"created": created})


@handled
async def clear_deploy_lock(api: ControlPlaneApi, request: Request) -> Response:
    app, _stack_id, stack = api.app_target(request)
    await api.backend.write_lock(app, stack, None)
    return JSONResponse({"removed": True})


@handled
async def read_processes(api: ControlPlaneApi, request: Request) -> Response:
    app, stack_id, stack = api.app_target(request)
    states = await api.backend.process_states(app, stack)
    return JSONResponse({"stack_id": stack_id, "processes": states})


@handled
async def read_urls(api: ControlPlaneApi, request: Request) -> Response:
    app, stack_id, stack = api.app_target(request)
    return JSONResponse({"stack_id": stack_id, "urls": await api.backend.app_urls(app, stack)})


def rollout_routes(route: Callable[..., Route]) -> list[Route]:
    lock = "/api/apps/{app_id:int}/config/deploy_lock"
    return [
        route(lock, read_deploy_lock, ["GET"]),
        route(lock, write_deploy_lock, ["PUT"]),
        route(lock, clear_deploy_lock, ["DELETE"]),
        route("/api/apps/{app_id:int}/processes", read_processes, ["GET"]),
        route("/api/apps/{app_id:int}/urls", read_urls, ["GET"]),
    ]
