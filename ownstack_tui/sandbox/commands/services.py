"""``postgres:*`` and ``redis:*`` with the dokku-postgres / dokku-redis plugins' messages."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ownstack_tui.sandbox.commands.common import Ctx, verify_app_bash
from ownstack_tui.sandbox.commands.config import config_set
from ownstack_tui.sandbox.console import DokkuFail

_SERVICE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_COLOURS = [
    "AQUA",
    "BLACK",
    "BLUE",
    "FUCHSIA",
    "GRAY",
    "GREEN",
    "LIME",
    "MAROON",
    "NAVY",
    "OLIVE",
    "PURPLE",
    "RED",
    "SILVER",
    "TEAL",
    "WHITE",
    "YELLOW",
]


@dataclass(frozen=True)
class Plugin:
    prefix: str  # postgres
    service: str  # Postgres
    alias: str  # DATABASE
    alt_alias: str  # DOKKU_POSTGRES
    scheme: str
    port: int
    image: str
    config_suffix: str
    creates_database: bool

    def url(self, name: str, data: dict[str, str]) -> str:
        host = f"dokku-{self.prefix}-{name}".replace(".", "-").replace("_", "-")
        if self.prefix == "postgres":
            database = name.replace(".", "_").replace("-", "_")
            return f"{self.scheme}://postgres:{data['password']}@{host}:{self.port}/{database}"
        return f"{self.scheme}://:{data['password']}@{host}:{self.port}"


POSTGRES = Plugin(
    "postgres",
    "Postgres",
    "DATABASE",
    "DOKKU_POSTGRES",
    "postgres",
    5432,
    "postgres:18.4",
    "data",
    True,
)
REDIS = Plugin(
    "redis",
    "Redis",
    "REDIS",
    "DOKKU_REDIS",
    "redis",
    6379,
    "redis:8.8.0",
    "config",
    False,
)


def _root(plugin: Plugin, name: str) -> str:
    return f"/var/lib/dokku/services/{plugin.prefix}/{name}"


def _verify_service(ctx: Ctx, plugin: Plugin, name: str) -> dict[str, str]:
    if not name:
        raise DokkuFail("SERVICE must not be empty")
    data = ctx.state.service(plugin.prefix, name) if "/" not in name else None
    if data is None:
        raise DokkuFail(f"{plugin.service} service {name} does not exist")
    return data


def _info_values(plugin: Plugin, name: str, data: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    root = _root(plugin, name)
    links = data.get("links", [])
    return [
        ("--config-dir", f"{root}/{plugin.config_suffix}"),
        ("--config-options", ""),
        ("--data-dir", f"{root}/data"),
        ("--dsn", plugin.url(name, data)),
        ("--exposed-ports", "-"),
        ("--id", data["id"]),
        ("--internal-ip", data["ip"]),
        ("--initial-network", ""),
        ("--links", " ".join(links) + " " if links else "-"),
        ("--post-create-network", ""),
        ("--post-start-network", ""),
        ("--service-root", root),
        ("--status", "running"),
        ("--version", plugin.image),
    ]


async def _print_info(ctx: Ctx, plugin: Plugin, name: str, data: dict, flag: str) -> None:  # type: ignore[type-arg]
    values = _info_values(plugin, name, data)
    if not flag:
        await ctx.console.info2_quiet(f"{name} {plugin.prefix} service information")
        for key, value in values:
            label = key[2:].replace("-", " ") + ":"
            label = label[:1].upper() + label[1:]
            await ctx.console.verbose(f"{label:<20} {value:<25}")
        return
    for key, value in values:
        if key == flag:
            await ctx.console.line(value)
            return
    valid = "".join(f" {key}" for key, _ in values)
    raise DokkuFail(f"Invalid flag passed, valid flags:{valid}")


def _commands(plugin: Plugin) -> dict:  # type: ignore[type-arg]
    async def create(ctx: Ctx, args: list[str]) -> int:
        name = args[0] if args else ""
        if not _SERVICE_RE.match(name):
            raise DokkuFail(
                "Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+"
            )
        if ctx.state.service(plugin.prefix, name) is not None:
            raise DokkuFail(f"{plugin.service} service {name} already exists")
        data = {
            "password": os.urandom(16).hex(),
            "id": os.urandom(32).hex(),
            "ip": f"172.17.0.{len(ctx.state.services(plugin.prefix)) + 2}",
            "links": [],
        }
        ctx.state.write_service(plugin.prefix, name, data)
        console = ctx.console
        await console.verbose_quiet("Waiting for container to be ready")
        if plugin.creates_database:
            await console.verbose_quiet("Creating container database")
            await console.verbose_quiet("Securing connection to database")
        await console.info2(f"{plugin.service} container created: {name}")
        await _print_info(ctx, plugin, name, data, "")
        return 0

    async def exists(ctx: Ctx, args: list[str]) -> int:
        name = args[0] if args else ""
        if not name:
            raise DokkuFail("Please specify a valid name for the service")
        _verify_service(ctx, plugin, name)
        await ctx.console.info1(f"Service {name} exists")
        return 0

    async def info(ctx: Ctx, args: list[str]) -> int:
        name = args[0] if args else ""
        if not name:
            raise DokkuFail("Please specify a valid name for the service")
        data = _verify_service(ctx, plugin, name)
        await _print_info(ctx, plugin, name, data, args[1] if len(args) > 1 else "")
        return 0

    async def link(ctx: Ctx, args: list[str]) -> int:
        name = args[0] if args else ""
        app = args[1] if len(args) > 1 else ""
        if not name:
            raise DokkuFail("Please specify a name for the service")
        if not app:
            raise DokkuFail("Please specify an app to run the command on")
        verify_app_bash(ctx, app)
        data = _verify_service(ctx, plugin, name)
        url = plugin.url(name, data)
        env = ctx.state.read_env(app)
        linked = [key for key, value in env.items() if url in value]
        alias = plugin.alias
        if f"{plugin.alias}_URL" in env:
            alias = next(
                (
                    f"{plugin.alt_alias}_{colour}"
                    for colour in _COLOURS
                    if f"{plugin.alt_alias}_{colour}_URL" not in env
                ),
                "",
            )
            if not alias:
                raise DokkuFail("Unable to use default or generated URL alias")
        if linked:
            raise DokkuFail(f"Already linked as {linked[0]}")
        data["links"] = sorted({*data.get("links", []), app})
        ctx.state.write_service(plugin.prefix, name, data)
        flags = ["--no-restart"] if "--no-restart" in ctx.global_flags else []
        await config_set(ctx, [*flags, app, f"{alias}_URL={url}"])
        if flags:
            await ctx.console.verbose("Skipping restart of linked app")
        return 0

    return {
        f"{plugin.prefix}:create": create,
        f"{plugin.prefix}:exists": exists,
        f"{plugin.prefix}:info": info,
        f"{plugin.prefix}:link": link,
    }


COMMANDS = {**_commands(POSTGRES), **_commands(REDIS)}
