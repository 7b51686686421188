"""The HTTP side of the control-plane stand-in: docs/api.md, served by starlette.

Every handler runs our own engine (``Engine`` + ``DokkuBackend``) against the stacks over SSH.
Errors are JSON ``{"error": "..."}`` with the status codes of the contract.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.backends.dokku.backend import DokkuBackend
from ownstack_tui.engine.engine import Engine
from ownstack_tui.errors import OwnstackError
from ownstack_tui.model import validation
from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.model.deploy_lock import without_lock_key
from ownstack_tui.model.fleet import App, Stack
from ownstack_tui.model.health_readings import reading_to_json

from .faults import FaultSwitch
from .guard import Guard
from .handling import ApiProblem, Handler, handled, int_param, json_body
from .registry import Deployment, Registry
from .rollout_routes import rollout_routes
from .streams import log_body, streamed_lines


class ControlPlaneApi:
    def __init__(self, engine: Engine, registry: Registry, faults: FaultSwitch) -> None:
        self.engine = engine
        self.registry = registry
        self.faults = faults

    @property
    def backend(self) -> DokkuBackend:
        return self.engine.backend  # type: ignore[return-value]

    # -- lookups -----------------------------------------------------------------------------

    def _app(self, request: Request) -> tuple[int, App]:
        app_id = int(request.path_params["app_id"])
        if app_id not in self.registry.apps:
            raise ApiProblem(404, f"no app {app_id}")
        return app_id, self.registry.apps[app_id]

    def _stack_by_id(self, value: object) -> tuple[int, Stack]:
        try:
            stack_id = int(str(value))
        except ValueError:
            raise ApiProblem(400, f"stack_id {value!r} is not a number") from None
        if stack_id not in self.registry.stacks_by_id:
            raise ApiProblem(404, f"no stack {stack_id}")
        return stack_id, self.registry.stacks_by_id[stack_id]

    def _target(self, request: Request, app: App) -> tuple[int, Stack]:
        value = request.path_params.get("stack_id", request.query_params.get("stack_id"))
        if value is None:
            raise ApiProblem(400, "stack_id is required")
        stack_id, stack = self._stack_by_id(value)
        if stack.name not in app.stacks:
            raise ApiProblem(404, f"stack {stack.name} is not a target of app {app.name}")
        return stack_id, stack

    def app_target(self, request: Request) -> tuple[App, int, Stack]:
        """The app of the path and its target stack of ``?stack_id=``."""
        _app_id, app = self._app(request)
        stack_id, stack = self._target(request, app)
        return app, stack_id, stack

    def _deployment(self, request: Request) -> Deployment:
        deployment_id = int(request.path_params["deployment_id"])
        deployment = self.registry.deployments.get(deployment_id)
        if deployment is None:
            raise ApiProblem(404, f"no deployment {deployment_id}")
        return deployment

    def _deployment_json(self, deployment: Deployment) -> dict[str, Any]:
        return deployment.as_json(self.registry.stack_name(deployment.stack_id))

    # -- apps and stacks ---------------------------------------------------------------------

    @handled
    async def list_apps(self, request: Request) -> Response:
        return JSONResponse({"apps": [self.registry.app_json(i) for i in self.registry.apps]})

    @handled
    async def show_app(self, request: Request) -> Response:
        app_id, _app = self._app(request)
        return JSONResponse(self.registry.app_json(app_id))

    @handled
    async def list_stacks(self, request: Request) -> Response:
        stacks = [self.registry.stack_json(i) for i in self.registry.stacks_by_id]
        return JSONResponse({"stacks": stacks})

    @handled
    async def show_stack(self, request: Request) -> Response:
        stack_id, stack = self._stack_by_id(request.path_params["stack_id"])
        data = self.registry.stack_json(stack_id)
        try:
            data.update(reachable=True, dokku_version=await self.backend.probe(stack), error=None)
        except OwnstackError as error:
            data.update(reachable=False, dokku_version=None, error=str(error))
        return JSONResponse(data)

    @handled
    async def list_targets(self, request: Request) -> Response:
        app_id, _app = self._app(request)
        return JSONResponse({"stacks": self.registry.app_json(app_id)["stacks"]})

    @handled
    async def add_target(self, request: Request) -> Response:
        app_id, app = self._app(request)
        body = await json_body(request)
        stack_id, stack = self._stack_by_id(body.get("stack_id"))
        if stack.name not in app.stacks:
            self.registry.set_targets(app_id, [*app.stacks, stack.name])
        return JSONResponse(self.registry.stack_json(stack_id), status_code=201)

    @handled
    async def remove_target(self, request: Request) -> Response:
        app_id, app = self._app(request)
        stack_id, stack = self._target(request, app)
        self.registry.set_targets(app_id, [name for name in app.stacks if name != stack.name])
        return JSONResponse({"removed": True, "stack": self.registry.stack_json(stack_id)})

    @handled
    async def target_state(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        state = await self.backend.app_state(app, stack)
        return JSONResponse(
            {
                "exists": state.exists,
                "deployed_sha": state.deployed_sha,
                "deploy_source": state.deploy_source,
                "deployed_image": state.deployed_image,
                "dokku_version": state.dokku_version,
            }
        )

    # -- deployments -------------------------------------------------------------------------

    @handled
    async def deploy(self, request: Request) -> Response:
        app_id, app = self._app(request)
        key = request.headers.get("idempotency-key")
        if key and key in self.registry.idempotent:
            return JSONResponse(self.registry.idempotent[key], status_code=202)
        body = await json_body(request)
        if "stack_ids" in body:
            raw_ids = body["stack_ids"]
            if not isinstance(raw_ids, list):
                raise ApiProblem(400, "stack_ids must be a list")
        elif "stack_id" in body:
            raw_ids = [body["stack_id"]]
        else:
            raw_ids = [self.registry.stack_ids[name] for name in app.stacks]
        if not raw_ids:
            raise ApiProblem(422, f"app {app.name} has no target stacks")
        targets = []
        for value in raw_ids:
            stack_id, stack = self._stack_by_id(value)
            if stack.name not in app.stacks:
                raise ApiProblem(422, f"stack {stack.name} is not a target of app {app.name}")
            targets.append((stack_id, stack))
        for stack_id, stack in targets:
            active = self.registry.active_deployment(app_id, stack_id)
            if active is not None:
                raise ApiProblem(
                    409, f"deployment {active.id} of {app.name} is still running on {stack.name}"
                )
        sha, image = body.get("sha"), body.get("image")
        if sha and image:
            raise ApiProblem(400, "give sha or image, not both")
        request_ = DeployRequest(
            ref=validation.git_ref(str(sha)) if sha else None,
            image=validation.image_ref(str(image)) if image else None,
        )
        running = self.engine.start_deploy(app, [stack.name for _i, stack in targets], request_)
        answer = {"app_id": app_id, "deployments": []}
        for (stack_id, _stack), job in zip(targets, running.run.jobs, strict=True):
            deployment = Deployment(job, app_id, stack_id, running)
            self.registry.deployments[job.id] = deployment
            answer["deployments"].append(self._deployment_json(deployment))
        if key:
            self.registry.idempotent[key] = answer
        return JSONResponse(answer, status_code=202)

    @handled
    async def list_deployments(self, request: Request) -> Response:
        app_id, _app = self._app(request)
        only = request.query_params.get("stack_id")
        found = [
            self._deployment_json(d)
            for d in sorted(self.registry.deployments.values(), key=lambda d: -d.id)
            if d.app_id == app_id and (only is None or str(d.stack_id) == only)
        ]
        return JSONResponse({"deployments": found})

    @handled
    async def show_deployment(self, request: Request) -> Response:
        return JSONResponse(self._deployment_json(self._deployment(request)))

    @handled
    async def deployment_log(self, request: Request) -> Response:
        deployment = self._deployment(request)
        offset = int_param(request, "offset", 0)
        follow = request.query_params.get("follow") in ("1", "true")
        start, _lines = deployment.lines_from(offset)
        faults = self.faults.current
        body = log_body(
            deployment, start, follow, faults.drop_log_after_lines, faults.stall_log_at_line
        )
        return StreamingResponse(
            body, media_type="text/plain; charset=utf-8", headers={"X-Log-Start": str(start)}
        )

    # -- config, scale, logs, replicate --------------------------------------------------------

    @handled
    async def read_config(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        stack_id, stack = self._target(request, app)
        config = without_lock_key(await self.backend.read_config(app, stack))
        return JSONResponse({"stack_id": stack_id, "config": config})

    @handled
    async def change_config(self, request: Request) -> Response:
        app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        body = await json_body(request)
        to_set = body.get("set") or {}
        to_unset = body.get("unset") or []
        if not isinstance(to_set, dict) or not isinstance(to_unset, list):
            raise ApiProblem(400, "set must be an object and unset a list")
        for key, value in to_set.items():
            validation.writable_config_key(str(key))
            validation.config_value(str(key), str(value))
        for key in to_unset:
            validation.writable_config_key(str(key))
        values = {str(k): str(v) for k, v in to_set.items()}
        keys = [str(k) for k in to_unset]
        plan = StackConfigPlan(stack.name, to_add=values, to_unset=dict.fromkeys(keys, ""))
        output = await self.backend.apply_config(app, stack, plan, bool(body.get("restart", True)))
        self.registry.change_config(app_id, stack.name, values, keys)
        return JSONResponse({"output": output})

    @handled
    async def read_scale(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        stack_id, stack = self._target(request, app)
        scale = await self.backend.read_scale(app, stack)
        return JSONResponse({"stack_id": stack_id, "scale": scale})

    @handled
    async def set_scale(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        body = await json_body(request)
        counts = body.get("scale")
        if not isinstance(counts, dict) or not counts:
            raise ApiProblem(400, "scale must be an object of process type to count")
        checked = dict(validation.scale_pair(f"{k}={v}") for k, v in counts.items())
        return JSONResponse({"output": await self.backend.set_scale(app, stack, checked)})

    @handled
    async def read_health(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        stack_id, stack = self._target(request, app)
        reading = await self.backend.read_health(app, stack)
        return JSONResponse({"stack_id": stack_id, "reading": reading_to_json(reading)})

    @handled
    async def restart(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        process = (await json_body(request)).get("process")
        if process is not None:
            validation.process_type(str(process))
        output: list[str] = []
        await self.backend.restart(app, stack, None if process is None else str(process), output.append)
        return JSONResponse({"output": output})

    @handled
    async def rebuild(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        output: list[str] = []
        await self.backend.rebuild(app, stack, output.append)
        return JSONResponse({"output": output})

    @handled
    async def runtime_logs(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        _stack_id, stack = self._target(request, app)
        num = int_param(request, "num", 100)
        process = request.query_params.get("process")
        if process:
            validation.process_type(process)
        follow = request.query_params.get("follow") in ("1", "true")
        lines = self.backend.logs(app, stack, num, process or None, follow)
        return await streamed_lines(lines)

    @handled
    async def replicate(self, request: Request) -> Response:
        _app_id, app = self._app(request)
        body = await json_body(request)
        new_name = validation.app_name(str(body.get("name") or ""))
        if self.registry.app_by_name(new_name):
            raise ApiProblem(409, f"an app named {new_name} already exists")
        _stack_id, stack = self._stack_by_id(body.get("stack_id"))
        if stack.name not in app.stacks:
            raise ApiProblem(404, f"stack {stack.name} is not a target of app {app.name}")
        output = await self.backend.replicate(app, new_name, stack)
        new = App(name=new_name, repo=app.repo, branch=app.branch, stacks=(stack.name,),
                  needs_postgres=False)
        new_id = self.registry.add_app(new)
        answer = {"output": output, "app": self.registry.app_json(new_id)}
        return JSONResponse(answer, status_code=201)


def build_app(
    engine: Engine, registry: Registry, tokens: dict[str, bool], faults: FaultSwitch
) -> ASGIApp:
    api = ControlPlaneApi(engine, registry, faults)

    def route(path: str, handler: Handler, methods: list[str]) -> Route:
        async def endpoint(request: Request) -> Response:
            return await handler(api, request)

        return Route(path, endpoint, methods=methods)

    c = ControlPlaneApi
    routes = [
        route("/api/apps", c.list_apps, ["GET"]),
        route("/api/apps/{app_id:int}", c.show_app, ["GET"]),
        route("/api/apps/{app_id:int}/deploy", c.deploy, ["POST"]),
        route("/api/apps/{app_id:int}/deployments", c.list_deployments, ["GET"]),
        route("/api/apps/{app_id:int}/config", c.read_config, ["GET"]),
        route("/api/apps/{app_id:int}/config", c.change_config, ["PATCH"]),
        route("/api/apps/{app_id:int}/scale", c.read_scale, ["GET"]),
        route("/api/apps/{app_id:int}/scale", c.set_scale, ["PATCH"]),
        route("/api/apps/{app_id:int}/logs", c.runtime_logs, ["GET"]),
        route("/api/apps/{app_id:int}/health", c.read_health, ["GET"]),
        route("/api/apps/{app_id:int}/restart", c.restart, ["POST"]),
        route("/api/apps/{app_id:int}/rebuild", c.rebuild, ["POST"]),
        route("/api/apps/{app_id:int}/replicate", c.replicate, ["POST"]),
        route("/api/apps/{app_id:int}/stacks", c.list_targets, ["GET"]),
        route("/api/apps/{app_id:int}/stacks", c.add_target, ["POST"]),
        route("/api/apps/{app_id:int}/stacks/{stack_id:int}", c.target_state, ["GET"]),
        route("/api/apps/{app_id:int}/stacks/{stack_id:int}", c.remove_target, ["DELETE"]),
        route("/api/deployments/{deployment_id:int}", c.show_deployment, ["GET"]),
        route("/api/deployments/{deployment_id:int}/log", c.deployment_log, ["GET"]),
        route("/api/stacks", c.list_stacks, ["GET"]),
        route("/api/stacks/{stack_id:int}", c.show_stack, ["GET"]),
        *rollout_routes(route),
    ]
    return Guard(Starlette(routes=routes), tokens, faults)
