"""``config:*`` (dokku.md §4)."""

from __future__ import annotations

from ownstack_tui.sandbox import envfile, gobase64
from ownstack_tui.sandbox.commands.common import (
    CONFIG_KEY_RE,
    Ctx,
    parse_flags,
    verify_app,
)
from ownstack_tui.sandbox.commands.deploying import restart_app
from ownstack_tui.sandbox.console import CommandExit, DokkuFail
from ownstack_tui.sandbox.report import go_json
from ownstack_tui.sandbox.state import GLOBAL

_FORMATS = (
    "docker-args",
    "docker-args-keys",
    "envfile",
    "exports",
    "json",
    "json-list",
    "pack-keys",
    "pretty",
    "shell",
)


def _target(ctx: Ctx, flags: dict[str, str], positional: list[str]) -> tuple[str, list[str]]:
    if flags.get("global") == "true":
        return GLOBAL, positional
    app = verify_app(ctx, positional[0] if positional else "")
    return app, positional[1:]


def _env(ctx: Ctx, target: str, merged: bool) -> dict[str, str]:
    env = ctx.state.read_env(target)
    if merged and target != GLOBAL:
        combined = ctx.state.read_env(GLOBAL)
        combined.update(env)
        return combined
    return env


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _pretty(env: dict[str, str]) -> list[str]:
    if not env:
        return []
    width = max(len(key) for key in env) + 1
    return [f"{key + ':':<{width}}  {env[key].strip()}" for key in sorted(env)]


async def config_show(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:show", args, booleans={"global", "merged"})
    target, _ = _target(ctx, flags, positional)
    env = _env(ctx, target, flags.get("merged") == "true")
    title = "global" if target == GLOBAL else target
    await ctx.console.info2_quiet(f"{title} env vars")
    rows = _pretty(env)
    await ctx.console.out("\n".join(rows) + "\n")
    return 0


async def config_export(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:export", args, booleans={"global", "merged"}, values={"format"})
    target, _ = _target(ctx, flags, positional)
    fmt = flags.get("format", "exports")
    if fmt not in _FORMATS:
        raise DokkuFail(f"Unknown export format: {fmt}")
    env = _env(ctx, target, flags.get("merged") == "true")
    keys = sorted(env)
    out = ctx.console.out
    if fmt == "exports":
        await out("\n".join(f"export {k}={_single_quoted(env[k])}" for k in keys) + "\n")
    elif fmt == "envfile":
        await out(envfile.marshal(env) + "\n")
    elif fmt == "docker-args":
        await out(" ".join(f"--env={k}={_single_quoted(env[k])}" for k in keys) + "\n")
    elif fmt == "docker-args-keys":
        await out(" ".join(f"--env={k}" for k in keys) + "\n")
    elif fmt == "pack-keys":
        await out(" ".join(f"--env {k}" for k in keys) + "\n")
    elif fmt == "shell":
        await out("".join(f"{k}={_single_quoted(env[k])} " for k in keys))
    elif fmt == "pretty":
        await out("\n".join(_pretty(env)) + "\n")
    elif fmt == "json":
        await out(go_json(env) + "\n")
    else:
        items = [{"name": k, "value": env[k]} for k in keys]
        await out((go_json(items) if items else "null") + "\n")
    return 0


async def config_get(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:get", args, booleans={"global", "quoted"})
    target, rest = _target(ctx, flags, positional)
    if not rest:
        raise DokkuFail("Expected: key")
    env = ctx.state.read_env(target)
    if rest[0] not in env:
        raise CommandExit(1)
    value = env[rest[0]]
    if flags.get("quoted") == "true":
        value = _single_quoted(value)
    await ctx.console.out(value + "\n")
    return 0


async def config_keys(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:keys", args, booleans={"global", "merged"})
    target, _ = _target(ctx, flags, positional)
    env = _env(ctx, target, flags.get("merged") == "true")
    for key in sorted(env):
        await ctx.console.line(key)
    return 0


async def config_set(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:set", args, booleans={"global", "encoded", "no-restart"})
    target, pairs = _target(ctx, flags, positional)
    if not pairs:
        raise DokkuFail("At least one env pair must be given")
    updates: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise DokkuFail(f"Invalid env pair: {pair}")
        if not CONFIG_KEY_RE.match(key):
            raise DokkuFail(f"Invalid key name: '{key}'")
        updates[key] = value
    if flags.get("encoded") == "true":
        for key, value in list(updates.items()):
            try:
                raw = gobase64.decode(value)
            except gobase64.CorruptInput as error:
                raise DokkuFail(f"{error} for key '{key}'") from None
            updates[key] = raw.decode("utf-8", "surrogateescape")
    await ctx.console.info1_quiet("Setting config vars")
    width = max(len(key) for key in updates) + 1
    for key, value in updates.items():
        await ctx.console.verbose(f"{key + ':':<{width}}  {value}")
    with ctx.state.update_env(target) as env:
        env.update(updates)
    await _maybe_restart(ctx, target, flags)
    return 0


async def config_unset(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("config:unset", args, booleans={"global", "no-restart"})
    target, keys = _target(ctx, flags, positional)
    if not keys:
        raise DokkuFail("At least one key must be given")
    with ctx.state.update_env(target) as env:
        present = set(env)
        for key in keys:
            env.pop(key, None)
    for key in keys:
        if key in present:
            await ctx.console.info1(f"Unsetting {key}")
        else:
            await ctx.console.info1(f"Skipping {key}, it is not set in the environment")
    await _maybe_restart(ctx, target, flags)
    return 0


async def _maybe_restart(ctx: Ctx, target: str, flags: dict[str, str]) -> None:
    if target == GLOBAL or flags.get("no-restart") == "true":
        return
    meta = ctx.state.meta(target)
    if not meta["deployed"] or not meta["restore"]:
        return
    await ctx.console.info1(f"Restarting app {target}")
    try:
        await restart_app(ctx, target)
    except CommandExit as failed:
        # dokku reports a failed restart but config:set itself still succeeds (dokku.md §4).
        await ctx.console.warn(f"Failure while restarting app: exit status {failed.exit_status}")


COMMANDS = {
    "config": config_show,
    "config:show": config_show,
    "config:export": config_export,
    "config:get": config_get,
    "config:keys": config_keys,
    "config:set": config_set,
    "config:unset": config_unset,
}
