"""The fleet as plain data: stacks (dokku hosts) and apps (deployed to some of them).

Built from the fleet file's parsed table by :func:`fleet_from_dict`, which checks every
name and value through :mod:`ownstack_tui.model.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ownstack_tui.errors import FleetFileError, InvalidInput, NotFound
from ownstack_tui.model import validation
from ownstack_tui.model.rollout import RolloutPolicy, policy_from_table

VIA_CHOICES = ("ssh", "api")


@dataclass(frozen=True)
class Stack:
    name: str
    host: str
    port: int = 22
    user: str = "dokku"
    identity: str | None = None

    @property
    def ssh_target(self) -> str:
        return f"{self.user}@{self.host}"


@dataclass(frozen=True)
class App:
    name: str
    repo: str | None = None
    branch: str = "main"
    stacks: tuple[str, ...] = ()
    needs_postgres: bool = True
    needs_redis: bool = False
    api_id: int | None = None
    config: Mapping[str, str] = field(default_factory=dict)
    stack_config: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rollout: RolloutPolicy | None = None  # [apps.NAME.rollout]
    health_path: str | None = None  # checked over HTTP by a rollout's health gate


@dataclass(frozen=True)
class Timeouts:
    """The fleet file's ``[timeouts]``, in seconds (over SSH). ``connect``: TCP + handshake +
    login; ``command``: a command's answer once logged in (and opening its channel);
    ``keepalive``: the interval of SSH keepalives (three unanswered ones end the connection);
    ``build_silence``: a build, restart or service creation that prints nothing this long
    fails (a quiet build is not a hang; a host that stopped answering is)."""

    connect: float = 10.0
    command: float = 60.0
    keepalive: float = 15.0
    build_silence: float = 600.0


TIMEOUT_KEYS = ("connect", "command", "keepalive", "build_silence")
MAX_TIMEOUT = 86_400.0  # a day: anything longer is a typo


@dataclass(frozen=True)
class Fleet:
    via: str = "ssh"
    control_plane_url: str | None = None
    stacks: Mapping[str, Stack] = field(default_factory=dict)
    apps: Mapping[str, App] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)

    def stack(self, name: str) -> Stack:
        try:
            return self.stacks[name]
        except KeyError:
            raise NotFound(
                f"unknown stack {name!r}; known stacks: {_names(self.stacks)}"
            ) from None

    def app(self, name: str | None) -> App:
        """The named app, or the only app when no name is given."""
        if name is None:
            if len(self.apps) == 1:
                return next(iter(self.apps.values()))
            if not self.apps:
                raise NotFound(
                    "the fleet has no apps yet; add one with: ownstack-tui app create APP --repo PATH"
                )
            raise InvalidInput(f"several apps in the fleet; pass --app with one of: {_names(self.apps)}")
        try:
            return self.apps[name]
        except KeyError:
            raise NotFound(f"unknown app {name!r}; known apps: {_names(self.apps)}") from None

    def target_stacks(self, app: App, only: list[str] | tuple[str, ...] = ()) -> list[Stack]:
        """The app's target stacks, or the subset named in ``only`` (each must be a target)."""
        if not only:
            return [self.stack(name) for name in app.stacks]
        chosen = []
        for name in only:
            self.stack(name)
            if name not in app.stacks:
                raise NotFound(
                    f"stack {name!r} is not a target of app {app.name}; "
                    f"its stacks: {', '.join(app.stacks) or '(none)'}"
                )
            chosen.append(self.stacks[name])
        return chosen


def _names(table: Mapping[str, object]) -> str:
    return ", ".join(sorted(table)) or "(none)"


def fleet_from_dict(data: Mapping[str, Any], source: str = "fleet file") -> Fleet:
    """Check and convert the parsed fleet file. Raises FleetFileError naming the bad entry."""
    try:
        return _fleet_from_dict(data)
    except InvalidInput as error:
        raise FleetFileError(f"{source}: {error}") from None


def _fleet_from_dict(data: Mapping[str, Any]) -> Fleet:
    via = str(data.get("via", "ssh"))
    if via not in VIA_CHOICES:
        raise InvalidInput(f"via = {via!r} is not one of: ssh, api")
    control_plane = _table(data.get("control_plane", {}), "control_plane")
    url = control_plane.get("url")
    stacks = {
        name: _stack(name, _table(entry, f"stacks.{name}"))
        for name, entry in _table(data.get("stacks", {}), "stacks").items()
    }
    apps = {
        name: _app(name, _table(entry, f"apps.{name}"), stacks)
        for name, entry in _table(data.get("apps", {}), "apps").items()
    }
    keys = {str(k): str(v) for k, v in _table(data.get("keys", {}), "keys").items()}
    return Fleet(
        via=via,
        control_plane_url=str(url) if url else None,
        stacks=stacks,
        apps=apps,
        keys=keys,
        timeouts=_timeouts(_table(data.get("timeouts", {}), "timeouts")),
    )


def _timeouts(table: Mapping[str, Any]) -> Timeouts:
    values: dict[str, float] = {}
    for key, value in table.items():
        if key not in TIMEOUT_KEYS:
            raise InvalidInput(f"[timeouts] has no key {key!r}; the keys are: {', '.join(TIMEOUT_KEYS)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_TIMEOUT:
            raise InvalidInput(
                f"timeouts.{key} = {value!r}: give a number of seconds above 0 and at most "
                f"{MAX_TIMEOUT:g}"
            )
        values[key] = float(value)
    return Timeouts(**values)


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"[{where}] must be a table")
    return value


def _stack(name: str, entry: Mapping[str, Any]) -> Stack:
    validation.stack_name(name)
    if "host" not in entry:
        raise InvalidInput(f"[stacks.{name}] has no host")
    identity = entry.get("identity")
    return Stack(
        name=name,
        host=validation.host(str(entry["host"])),
        port=validation.port(entry.get("port", 22)),
        user=validation.ssh_user(str(entry.get("user", "dokku"))),
        identity=str(identity) if identity else None,
    )


def _app(name: str, entry: Mapping[str, Any], stacks: Mapping[str, Stack]) -> App:
    validation.existing_app_name(name)
    targets = entry.get("stacks", [])
    if not isinstance(targets, list):
        raise InvalidInput(f"apps.{name}.stacks must be a list of stack names")
    for target in targets:
        if target not in stacks:
            raise InvalidInput(
                f"app {name} targets unknown stack {target!r}; known stacks: {_names(stacks)}"
            )
    config = _config_table(_table(entry.get("config", {}), f"apps.{name}.config"))
    stack_config = {}
    for stack, table in _table(entry.get("stack_config", {}), f"apps.{name}.stack_config").items():
        if stack not in stacks:
            raise InvalidInput(
                f"apps.{name}.stack_config names unknown stack {stack!r}; "
                f"known stacks: {_names(stacks)}"
            )
        stack_config[stack] = _config_table(
            _table(table, f"apps.{name}.stack_config.{stack}")
        )
    api_id = entry.get("api_id")
    branch = str(entry.get("branch", "main"))
    validation.git_ref(branch)
    return App(
        name=name,
        repo=str(entry["repo"]) if entry.get("repo") else None,
        branch=branch,
        stacks=tuple(str(t) for t in targets),
        needs_postgres=bool(entry.get("needs_postgres", True)),
        needs_redis=bool(entry.get("needs_redis", False)),
        api_id=int(api_id) if api_id is not None else None,
        config=config,
        stack_config=stack_config,
        rollout=(
            policy_from_table(_table(entry["rollout"], f"apps.{name}.rollout"), f"apps.{name}.rollout")
            if "rollout" in entry else None
        ),
        health_path=validation.health_path(entry["health_path"]) if "health_path" in entry else None,
    )


def _config_table(table: Mapping[str, Any]) -> dict[str, str]:
    result = {}
    for key, value in table.items():
        validation.writable_config_key(key)
        if not isinstance(value, str):
            raise InvalidInput(f"config value of {key} must be a string (quote it)")
        result[key] = validation.config_value(key, value)
    return result
