"""``ps:*`` (dokku.md §5)."""

from __future__ import annotations

from ownstack_tui.sandbox.app_http import status_from_meta
from ownstack_tui.sandbox.build import deploy_processes
from ownstack_tui.sandbox.commands.common import Ctx, parse_flags, verify_app
from ownstack_tui.sandbox.commands.deploying import rebuild_app, restart_app
from ownstack_tui.sandbox.console import DokkuFail
from ownstack_tui.sandbox.envfile import go_atoi
from ownstack_tui.sandbox.report import go_json, run_report


def _formations(ctx: Ctx, app: str) -> bool:
    return ctx.faults.formation_lock or bool(ctx.state.meta(app)["formations"])


async def ps_scale(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("ps:scale", args, booleans={"skip-deploy"}, values={"format"})
    app = verify_app(ctx, positional[0] if positional else "")
    tuples = positional[1:]
    console = ctx.console
    meta = ctx.state.meta(app)
    if not tuples:
        scale = meta["scale"]
        if flags.get("format") == "json":
            rows = [{"process_type": t, "quantity": scale[t]} for t in sorted(scale)]
            await console.line(go_json(rows))
            return 0
        await console.info1_quiet(f"Scaling for {app}")
        if not console.quiet:
            await console.line("proctype: qty")
            await console.line("--------: ---")
        for ptype in sorted(scale):
            await console.line(f"{ptype + ':':<5} {scale[ptype]}")
        return 0
    if _formations(ctx, app):
        raise DokkuFail(
            f"App {app} contains an app.json file with a formations key and cannot be manually scaled"
        )
    await console.info1(f"Scaling {app} processes: {' '.join(tuples)}")
    wanted: dict[str, int] = {}
    for item in tuples:
        ptype, _, count = item.partition("=")
        if not count:
            raise DokkuFail(f"Missing count for process type {ptype}")
        number = go_atoi(count)
        if number is None:
            raise DokkuFail(f"Invalid count for process type {ptype}")
        if meta["deployed"] and ptype not in meta["scale"]:
            raise DokkuFail(f"{ptype} is not a valid process name to scale up")
        wanted[ptype] = number
    changed = {t: n for t, n in wanted.items() if meta["scale"].get(t) != n}
    with ctx.state.update_meta(app) as data:
        data["scale"].update(wanted)
    if meta["deployed"] and flags.get("skip-deploy") != "true" and changed:
        await deploy_processes(console, ctx.state, app, full=False, only=changed)
    return 0


def ps_report_values(ctx: Ctx, app: str) -> dict[str, str]:
    meta = ctx.state.meta(app)
    containers: dict[str, str] = meta["containers"] if meta["deployed"] else {}
    statuses = {name: container_status(ctx, meta, name) for name in containers}
    up = sum(1 for status in statuses.values() if status == "running")
    running = "true" if containers and up == len(containers) else "mixed" if up else "false"
    values = {
        "--deployed": "true" if meta["deployed"] else "false",
        "--processes": str(len(containers)),
        "--ps-can-scale": "false" if _formations(ctx, app) else "true",
        "--ps-computed-procfile-path": "Procfile",
        "--ps-computed-restart-policy": "on-failure:10",
        "--ps-computed-skip-deploy": "false",
        "--ps-computed-stop-timeout-seconds": "30",
        "--ps-computed-start-cmd": "",
        "--ps-computed-dockerfile-start-cmd": "",
        "--ps-global-procfile-path": "",
        "--ps-global-restart-policy": "",
        "--ps-global-skip-deploy": "",
        "--ps-global-stop-timeout-seconds": "",
        "--ps-procfile-path": "",
        "--ps-restart-policy": "",
        "--ps-skip-deploy": "",
        "--ps-stop-timeout-seconds": "",
        "--ps-start-cmd": "",
        "--ps-dockerfile-start-cmd": "",
        "--restore": "true" if meta["restore"] else "false",
        "--running": running,
    }
    for name, cid in containers.items():
        values[f"--status-{name}"] = f"{statuses[name]} (CID: {cid[:11]})"
    return values


def container_status(ctx: Ctx, meta: dict[str, object], container: str) -> str:
    """docker's State.Status for ``<type>.<n>``: stopped apps and a crashed type have exited."""
    if not meta["restore"] or container.partition(".")[0] == ctx.faults.crashed:
        return "exited"
    return status_from_meta(meta, ctx.faults)  # the unhealthy and slow_health faults


async def ps_report(ctx: Ctx, args: list[str]) -> int:
    await run_report(
        ctx.console,
        "ps",
        args,
        ctx.state.list_apps,
        lambda app: verify_app(ctx, app) and None,
        lambda app: ps_report_values(ctx, app),
        legacy=True,
    )
    return 0


def _apps(ctx: Ctx, command: str, args: list[str], values: set[str]) -> tuple[list[str], list[str]]:
    flags, positional = parse_flags(command, args, booleans={"all"}, values=values)
    if flags.get("all") == "true":
        return ctx.state.list_apps(), []
    return [verify_app(ctx, positional[0] if positional else "")], positional[1:]


async def ps_restart(ctx: Ctx, args: list[str]) -> int:
    apps, rest = _apps(ctx, "ps:restart", args, {"parallel"})
    for app in apps:
        meta = ctx.state.meta(app)
        if not meta["deployed"]:
            await ctx.console.warn(f"App {app} has not been deployed")
            continue
        only = None
        if rest:
            if rest[0] not in meta["scale"]:
                raise DokkuFail(f"Invalid process type specified ({rest[0]})")
            only = {rest[0]: meta["scale"][rest[0]]}
        await deploy_processes(ctx.console, ctx.state, app, full=False, only=only)
    return 0


async def ps_rebuild(ctx: Ctx, args: list[str]) -> int:
    apps, _ = _apps(ctx, "ps:rebuild", args, {"parallel"})
    status = 0
    for app in apps:
        status = max(status, await rebuild_app(ctx, app))
    return status


async def ps_stop(ctx: Ctx, args: list[str]) -> int:
    apps, _ = _apps(ctx, "ps:stop", args, {"parallel"})
    for app in apps:
        if not ctx.state.meta(app)["deployed"]:
            await ctx.console.warn(f"App {app} has not been deployed")
            continue
        await ctx.console.info1_quiet(f"Stopping {app}")
        with ctx.state.update_meta(app) as data:
            data["restore"] = False
    return 0


async def ps_start(ctx: Ctx, args: list[str]) -> int:
    apps, _ = _apps(ctx, "ps:start", args, {"parallel"})
    for app in apps:
        meta = ctx.state.meta(app)
        if not meta["deployed"]:
            await ctx.console.warn(f"App {app} has not been deployed")
            continue
        running = ps_report_values(ctx, app)["--running"]
        if running == "true":
            await ctx.console.warn(f"App {app} already running")
            continue
        if running == "mixed":  # a crashed process type (dokku's ps.Start)
            await ctx.console.warn("App is running in mixed mode, releasing")
        else:
            await ctx.console.warn("App has been detected as not running, releasing")
        await restart_app(ctx, app)
    return 0


COMMANDS = {
    "ps:scale": ps_scale,
    "ps:report": ps_report,
    "ps:restart": ps_restart,
    "ps:rebuild": ps_rebuild,
    "ps:stop": ps_stop,
    "ps:start": ps_start,
}
