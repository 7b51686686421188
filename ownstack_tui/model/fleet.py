"""The fleet as plain data: stacks (dokku hosts) and apps (deployed to some of them).

Built from the fleet file's parsed table by :func:`fleet_from_dict`, which checks every
name and value through :mod:`ownstack_tui.model.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ownstack_tui.errors import FleetFileError, InvalidInput, NotFound
from ownstack_tui.model import validation
from ownstack_tui.model.health import DEFAULT_TLS, TlsThresholds
from ownstack_tui.model.rollout import RolloutPolicy, Waves, policy_from_table
from ownstack_tui.model.selectors import SelectorError, option_label, parse_selector

VIA_CHOICES = ("ssh", "api")


@dataclass(frozen=True)
class Stack:
    name: str
    host: str
    port: int = 22
    user: str = "dokku"
    identity: str | None = None
    tags: tuple[str, ...] = ()  # groups for selectors (tag:prod); see model/selectors.py

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
    # [console] refresh_interval: seconds between the console's readings of the stacks.
    refresh_interval: float = validation.DEFAULT_REFRESH_INTERVAL
    # [console] health_interval: seconds between the Fleet tab's health readings.
    health_interval: float = validation.DEFAULT_REFRESH_INTERVAL
    # [console] group_by: the tags the console's sidebar groups stacks by at start.
    group_by: tuple[str, ...] = ()
    # [health] tls_warning_days / tls_critical_days: for status, its JSON and the Fleet tab.
    tls: TlsThresholds = DEFAULT_TLS

    def stack(self, name: str) -> Stack:
        try:
            return self.stacks[name]
        except KeyError:
            raise NotFound(
                f"unknown stack {name!r}; known stacks: {_names(self.stacks)}"
            ) from None

    def app(self, name: str | None) -> App:
        """The named app, or the only app when no name is given."""
        if not self.apps:
            unknown = f"unknown app {name!r}: " if name is not None else ""
            raise NotFound(
                f"{unknown}the fleet has no apps yet; add one with: "
                "ownstack-tui app create APP --repo PATH"
            )
        if name is None:
            if len(self.apps) == 1:
                return next(iter(self.apps.values()))
            raise InvalidInput(f"several apps in the fleet; pass --app with one of: {_names(self.apps)}")
        try:
            return self.apps[name]
        except KeyError:
            raise NotFound(f"unknown app {name!r}; known apps: {_names(self.apps)}") from None

    def select(
        self, values: Sequence[str], app: App | None = None, option: str = "--stack"
    ) -> list[Stack]:
        """The stacks a selector names (each of ``values`` given to one ``option``; see
        model/selectors.py): among the app's targets, in its order, or among the fleet's stacks
        when ``app`` is None. No values: every stack in scope. The one resolution of stack
        selectors: every command's --stack and --wave, and the fleet file's waves."""
        scope = self.target_stacks(app) if app is not None else list(self.stacks.values())
        if not values:
            return scope
        selector = parse_selector(values, option_label(option, values) if option else None)
        return selector.resolve(scope, list(self.stacks.values()), app.name if app else None)

    def select_one(self, values: Sequence[str], app: App | None, command: str) -> Stack:
        """The one stack a single-stack command (config:get, ps:scale, ...) acts on."""
        chosen = self.select(values, app)
        if len(chosen) > 1:
            shown = ", ".join(stack.name for stack in chosen[:6]) + (", ..." if len(chosen) > 6 else "")
            raise SelectorError(
                f"{option_label('--stack', values)}: matches {len(chosen)} stacks ({shown}); "
                f"{command} acts on one stack: name it"
            )
        return chosen[0]

    def expand_waves(self, app: App, waves: Waves, where: str = "--wave") -> Waves:
        """Each wave's selector (its terms together: ``["tag:prod", "!tag:canary"]``) as the
        app's stack names. Which stacks may be in which wave is check_waves' rule, after this.
        ``where`` names the waves in errors: the option, or the fleet file's table."""
        expanded = []
        for number, wave in enumerate(waves, start=1):
            text = ",".join(wave)
            label = (
                option_label(where, [text]) if where.startswith("-") else f"{where} wave {number} ({text})"
            )
            selector = parse_selector(list(wave), label)
            chosen = selector.resolve(self.target_stacks(app), list(self.stacks.values()), app.name)
            expanded.append(tuple(stack.name for stack in chosen))
        return tuple(expanded)

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


def fleet_from_dict(data: Mapping[str, Any], source: str | None = "fleet file") -> Fleet:
    """Check and convert the parsed fleet file. Raises FleetFileError naming the bad entry
    (prefixed with ``source``; with None, the bare InvalidInput of an edit)."""
    try:
        return _fleet_from_dict(data)
    except InvalidInput as error:
        if source is None:
            raise
        raise FleetFileError(f"{source}: {error}") from None


# The fleet file's keys at each level. Unknown ones are refused (a typo such as
# ``brnach`` must not silently deploy the default branch). [console], [timeouts] and an
# app's [rollout] are checked for their values by their owners; here only their key names.
TOP_KEYS = ("via", "control_plane", "stacks", "apps", "keys", "console", "timeouts", "health")
CONTROL_PLANE_KEYS = ("url",)
STACK_KEYS = ("host", "port", "user", "identity", "tags")
APP_KEYS = (
    "repo", "branch", "stacks", "needs_postgres", "needs_redis", "api_id", "config",
    "stack_config", "rollout", "health_path",
)
CONSOLE_KEYS = ("refresh_interval", "health_interval", "group_by")
HEALTH_KEYS = ("tls_warning_days", "tls_critical_days")
ROLLOUT_KEYS = ("waves", "gate", "on_failure", "soak", "health_timeout")


def _fleet_from_dict(data: Mapping[str, Any]) -> Fleet:
    validation.known_keys("the fleet file", data, TOP_KEYS)
    via = _text(data, "via", "the fleet file", "ssh")
    if via not in VIA_CHOICES:
        raise InvalidInput(f"via = {via!r} is not one of: ssh, api")
    control_plane = _table(data.get("control_plane", {}), "control_plane")
    validation.known_keys("[control_plane]", control_plane, CONTROL_PLANE_KEYS)
    url = _text(control_plane, "url", "[control_plane]", None)
    for name, known in (("console", CONSOLE_KEYS), ("timeouts", TIMEOUT_KEYS), ("health", HEALTH_KEYS)):
        validation.known_keys(f"[{name}]", _table(data.get(name, {}), name), known)
    stacks = {
        name: _stack(name, _table(entry, f"stacks.{name}"))
        for name, entry in _table(data.get("stacks", {}), "stacks").items()
    }
    apps = {
        name: _app(name, _table(entry, f"apps.{name}"), stacks)
        for name, entry in _table(data.get("apps", {}), "apps").items()
    }
    keys = {str(k): str(v) for k, v in _table(data.get("keys", {}), "keys").items()}
    console = _table(data.get("console", {}), "console")
    refresh = validation.refresh_interval(
        console.get("refresh_interval", validation.DEFAULT_REFRESH_INTERVAL)
    )
    health_interval = validation.refresh_interval(
        console.get("health_interval", validation.DEFAULT_REFRESH_INTERVAL), "health_interval"
    )
    group_by = validation.group_tags(console.get("group_by", []))
    keys = {
        str(binding): _text(_table(data.get("keys", {}), "keys"), binding, "[keys]", None) or ""
        for binding in _table(data.get("keys", {}), "keys")
    }
    return Fleet(
        via=via,
        control_plane_url=url or None,
        stacks=stacks,
        apps=apps,
        keys=keys,
        timeouts=_timeouts(_table(data.get("timeouts", {}), "timeouts")),
        refresh_interval=refresh,
        health_interval=health_interval,
        group_by=group_by,
        tls=_tls_thresholds(_table(data.get("health", {}), "health")),
    )


def _tls_thresholds(table: Mapping[str, Any]) -> TlsThresholds:
    warning, critical = validation.tls_days(
        table.get("tls_warning_days", DEFAULT_TLS.warning_days),
        table.get("tls_critical_days", DEFAULT_TLS.critical_days),
    )
    return TlsThresholds(warning, critical)


def _timeouts(table: Mapping[str, Any]) -> Timeouts:
    values: dict[str, float] = {}
    for key, value in table.items():  # the keys are checked with the others, above
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


def _text(entry: Mapping[str, Any], key: str, where: str, default: str | None) -> str | None:
    value = entry.get(key, default)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{key} in {where} must be a quoted string, not {_toml(value)}")
    return value


def _flag(entry: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} in {where} must be true or false (unquoted), not {_toml(value)}")
    return value


def _whole_number(entry: Mapping[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(f"{key} in {where} must be a whole number (unquoted), not {_toml(value)}")
    return value


def _toml(value: object) -> str:
    """A value as the user wrote it in TOML (strings quoted, booleans lowercase)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"' if len(value) <= 40 else "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return repr(value)


def _stack(name: str, entry: Mapping[str, Any]) -> Stack:
    validation.stack_name(name)
    where = f"[stacks.{name}]"
    validation.known_keys(where, entry, STACK_KEYS)
    host = _text(entry, "host", where, None)
    if host is None:
        raise InvalidInput(f"{where} has no host; add host = \"HOST\"")
    port = _whole_number(entry, "port", where)
    return Stack(
        name=name,
        host=validation.host(host),
        port=validation.port(22 if port is None else port),
        user=validation.ssh_user(_text(entry, "user", where, "dokku") or "dokku"),
        identity=_text(entry, "identity", where, None) or None,
        tags=_tags(entry.get("tags", []), where),
    )


def _tags(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidInput(f"tags in {where} must be a list of tags, e.g. [\"prod\", \"us\"]")
    for index, tag in enumerate(value):
        validation.tag(tag)
        if tag in value[:index]:
            raise InvalidInput(f"tags in {where} names {tag} twice; remove the duplicate")
    return tuple(value)


def _app(name: str, entry: Mapping[str, Any], stacks: Mapping[str, Stack]) -> App:
    validation.existing_app_name(name)
    where = f"[apps.{name}]"
    validation.known_keys(where, entry, APP_KEYS)
    validation.known_keys(
        f"[apps.{name}.rollout]", _table(entry.get("rollout", {}), f"apps.{name}.rollout"),
        ROLLOUT_KEYS,
    )
    targets = entry.get("stacks", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise InvalidInput(f"stacks in {where} must be a list of stack names, e.g. [\"staging\"]")
    seen: set[str] = set()  # not targets[:index]: quadratic at 200 stacks
    for target in targets:
        if target not in stacks:
            raise InvalidInput(
                f"app {name} targets unknown stack {target!r}; known stacks: {_names(stacks)}"
            )
        if target in seen:
            raise InvalidInput(f"stacks in {where} names {target} twice; remove the duplicate")
        seen.add(target)
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
    branch = _text(entry, "branch", where, "main") or "main"
    validation.git_ref(branch)
    api_id = _whole_number(entry, "api_id", where)
    if api_id is not None and api_id < 1:
        raise InvalidInput(f"api_id in {where} must be the app's id on the control plane (1 or more)")
    _text(entry, "health_path", where, None)
    app = App(
        name=name,
        repo=_text(entry, "repo", where, None) or None,
        branch=branch,
        stacks=tuple(targets),
        needs_postgres=_flag(entry, "needs_postgres", where, True),
        needs_redis=_flag(entry, "needs_redis", where, False),
        api_id=api_id,
        config=config,
        stack_config=stack_config,
        rollout=(
            policy_from_table(_table(entry["rollout"], f"apps.{name}.rollout"), f"apps.{name}.rollout")
            if "rollout" in entry else None
        ),
        health_path=validation.health_path(entry["health_path"]) if "health_path" in entry else None,
    )
    _check_config_sizes(app)
    return app


def _check_config_sizes(app: App) -> None:
    """Each stack's whole config goes to dokku in one command at deploy time: it must fit."""
    from ownstack_tui.model.config import effective_config  # config builds on this module

    stacks = dict.fromkeys([*app.stacks, *app.stack_config])
    if not stacks:
        validation.config_fits(app.name, app.config)
    shared_fits = False  # the app-level config alone, which every stack without overrides gets
    for stack in stacks:
        if stack in app.stack_config:
            validation.config_fits(app.name, effective_config(app, stack), f" on stack {stack}")
        elif not shared_fits:  # checked once (it names the first such stack), not per stack
            validation.config_fits(app.name, app.config, f" on stack {stack}")
            shared_fits = True


def _config_table(table: Mapping[str, Any]) -> dict[str, str]:
    result = {}
    for key, value in table.items():
        validation.writable_config_key(key)
        if not isinstance(value, str):
            raise InvalidInput(f"config value of {key} must be a string (quote it)")
        result[key] = validation.config_value(key, value)
    return result
