"""``apps:*`` (dokku.md §3)."""

from __future__ import annotations

import contextlib

from ownstack_tui.sandbox.commands.common import (
    APP_NAME_RULE,
    NEW_APP_RE,
    Ctx,
    parse_flags,
    verify_app,
)
from ownstack_tui.sandbox.console import DokkuFail
from ownstack_tui.sandbox.report import go_json, run_report


async def apps_list(ctx: Ctx, args: list[str]) -> int:
    flags, _ = parse_flags("apps:list", args, values={"format"})
    fmt = flags.get("format", "stdout")
    apps = ctx.state.list_apps()
    if fmt == "json":
        await ctx.console.line(go_json(apps))
        return 0
    if fmt != "stdout":
        raise DokkuFail(f"Invalid format specified, supported formats: json, stdout ({fmt})")
    if not apps:
        await ctx.console.warn("You haven't deployed any applications yet")
        return 0
    await ctx.console.info2_quiet("My Apps")
    for app in apps:
        await ctx.console.line(app)
    return 0


async def apps_exists(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("apps:exists", args)
    verify_app(ctx, positional[0] if positional else "")
    return 0


async def apps_create(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("apps:create", args)
    app = positional[0] if positional else ""
    if not app:
        raise DokkuFail("Please specify an app to run the command on")
    if not NEW_APP_RE.match(app):
        raise DokkuFail(APP_NAME_RULE)
    if ctx.state.app_exists(app):
        raise DokkuFail("Name is already taken")
    await ctx.console.info1_quiet(f"Creating {app}...")
    ctx.state.create_app(app)
    return 0


async def apps_destroy(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("apps:destroy", args, booleans={"force"})
    app = verify_app(ctx, positional[0] if positional else "")
    if not (ctx.force or flags.get("force") == "true"):
        console = ctx.console
        await console.warn("WARNING: Potentially Destructive Action")
        await console.warn(f"This command will destroy {app} (including all add-ons).")
        await console.warn(f'To proceed, type "{app}"')
        await console.out("\n")
        await console.err("> ")
        answer = await _read_line(ctx)
        if answer is None or answer != app:
            raise DokkuFail(f"Confirmation did not match {app}. Aborted.")
    await ctx.console.info1(f"Destroying {app} (including all add-ons)")
    _unlink_services(ctx, app)
    ctx.state.destroy_app(app)
    await ctx.console.info1("Cleaning up...")
    await ctx.console.info1("Retiring old containers and images")
    return 0


async def _read_line(ctx: Ctx) -> str | None:
    data = b""
    while b"\n" not in data:
        chunk = await ctx.sink.read_stdin(1024)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\n", 1)[0].decode("utf-8", "replace")


def _unlink_services(ctx: Ctx, app: str) -> None:
    for kind in ("postgres", "redis"):
        for name in ctx.state.services(kind):
            data = ctx.state.service(kind, name)
            if data and app in data.get("links", []):
                data["links"] = [a for a in data["links"] if a != app]
                ctx.state.write_service(kind, name, data)


async def apps_lock(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("apps:lock", args)
    app = verify_app(ctx, positional[0] if positional else "")
    path = ctx.state.deploy_lock_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    await ctx.console.info1("Deploy lock created")
    return 0


def _locked(ctx: Ctx, app: str) -> bool:
    return ctx.faults.deploy_locked or ctx.state.deploy_lock_path(app).exists()


async def apps_locked(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("apps:locked", args)
    app = verify_app(ctx, positional[0] if positional else "")
    if not _locked(ctx, app):
        raise DokkuFail("Deploy lock does not exist")
    if not ctx.console.quiet:
        await ctx.console.line("Deploy lock exists")
    return 0


async def apps_unlock(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("apps:unlock", args)
    app = verify_app(ctx, positional[0] if positional else "")
    path = ctx.state.deploy_lock_path(app)
    if not path.exists():
        raise DokkuFail("Unable to remove deploy lock")
    await ctx.console.warn("A deploy may be in progress.")
    await ctx.console.warn("Removing the app lock will not stop in progress deploys.")
    with contextlib.suppress(OSError):
        path.unlink()
    await ctx.console.info1("Deploy lock removed")
    return 0


def app_report_values(ctx: Ctx, app: str) -> dict[str, str]:
    meta = ctx.state.meta(app)
    disable = ctx.state.global_props().get("disable-autocreation", "")
    return {
        "--app-created-at": str(meta["created_at"]),
        "--app-deploy-source": meta["deploy_source"],
        "--app-deploy-source-metadata": meta["deploy_source_metadata"],
        "--app-dir": f"/home/dokku/{app}",
        "--app-global-disable-autocreation": str(disable),
        "--app-locked": "true" if _locked(ctx, app) else "false",
    }


async def apps_report(ctx: Ctx, args: list[str]) -> int:
    await run_report(
        ctx.console,
        "app",
        args,
        ctx.state.list_apps,
        lambda app: verify_app(ctx, app) and None,
        lambda app: app_report_values(ctx, app),
        legacy=True,
    )
    return 0


async def apps_set(ctx: Ctx, args: list[str]) -> int:
    """``apps:set --global disable-autocreation true`` (the only property the sandbox keeps)."""
    flags, positional = parse_flags("apps:set", args, booleans={"global"})
    if flags.get("global") == "true":
        positional.insert(0, "--global")
    if len(positional) < 2:
        raise DokkuFail("No key specified")
    target, key = positional[0], positional[1]
    value = positional[2] if len(positional) > 2 else ""
    if key != "disable-autocreation":
        raise DokkuFail(
            "Invalid key specified, valid keys include: deploy-source, "
            "deploy-source-metadata, disable-autocreation"
        )
    if target != "--global":
        verify_app(ctx, target)
    with ctx.state.update_global() as data:
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    if value:
        await ctx.console.info2_quiet(f"Setting {key} to {value}")
    else:
        await ctx.console.info2_quiet(f"Unsetting {key}")
    return 0


COMMANDS = {
    "apps": apps_list,
    "apps:list": apps_list,
    "apps:exists": apps_exists,
    "apps:create": apps_create,
    "apps:destroy": apps_destroy,
    "apps:lock": apps_lock,
    "apps:locked": apps_locked,
    "apps:unlock": apps_unlock,
    "apps:report": apps_report,
    "apps:set": apps_set,
}
