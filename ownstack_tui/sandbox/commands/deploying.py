"""Deploy entry points: the pre-receive hook (``git-hook``), rebuilds and restarts."""

from __future__ import annotations

from ownstack_tui.sandbox import gitutil
from ownstack_tui.sandbox.build import (
    LockHeld,
    build_release_deploy,
    deploy_lock,
    deploy_processes,
    lock_error,
    read_source,
)
from ownstack_tui.sandbox.commands.common import Ctx, verify_app_bash
from ownstack_tui.sandbox.console import CommandExit

# dokku's hook messages start with "cursor to column 1, erase line" (dokku.md §2).
_HOOK_PREFIX = "\x1b[1G\x1b[K"


def deploy_branch(ctx: Ctx, app: str) -> tuple[str, bool]:
    """(branch, explicitly set): the app property, else the global one, else master."""
    app_value = ctx.state.meta(app)["git"].get("deploy-branch", "")
    global_value = ctx.state.global_props().get("git-deploy-branch", "")
    value = app_value or global_value
    return (value or "master", bool(value))


async def restart_app(ctx: Ctx, app: str) -> None:
    """dokku's release-and-deploy of the current image (config:set, ps:start)."""
    b = ctx.console.build
    try:
        with deploy_lock(ctx.console, ctx.state, app):
            await b(f"-----> Releasing {app}...")
            await b("-----> Checking for predeploy task")
            await b("       No predeploy task found, skipping")
            await b("-----> Checking for release task")
            await b("       No release task found, skipping")
            await deploy_processes(ctx.console, ctx.state, app, full=True)
    except LockHeld:
        await lock_error(ctx.console, app)
        raise CommandExit(1) from None


async def git_hook(ctx: Ctx, args: list[str]) -> int:
    """``dokku git-hook <app>``: the pre-receive hook; reads ``old new ref`` lines on stdin."""
    app = verify_app_bash(ctx, args[0] if args else "")
    data = b""
    while True:
        chunk = await ctx.sink.read_stdin(65536)
        if not chunk:
            break
        data += chunk
    branch, explicit = deploy_branch(ctx, app)
    repo = ctx.state.repo(app)
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        _old, new, ref = parts
        if new == gitutil.ZERO_SHA:
            continue
        pushed = ref.split("/", 2)[2] if ref.startswith(("refs/heads/", "refs/tags/")) else ref
        if ref not in (f"refs/heads/{branch}", f"refs/tags/{branch}"):
            if explicit:
                await ctx.console.line(
                    f"{_HOOK_PREFIX}-----> WARNING: deploy did not complete, you must push to {branch}."
                )
                await ctx.console.line(
                    f"{_HOOK_PREFIX}-----> for example, try 'git push <dokku> {pushed}:{branch}'"
                )
                continue
            await ctx.console.line(f"{_HOOK_PREFIX}-----> Set {pushed} as deploy-branch")
            with ctx.state.update_meta(app) as meta:
                meta["git"]["deploy-branch"] = pushed
            branch, explicit = pushed, True
        source = await read_source(repo, new)
        await build_release_deploy(ctx.console, ctx.state, app, source, "git-push", new)
    return 0


async def rebuild_app(ctx: Ctx, app: str) -> int:
    meta = ctx.state.meta(app)
    if not meta["deploy_source"]:
        return 0
    branch, _ = deploy_branch(ctx, app)
    repo = ctx.state.repo(app)
    sha = await gitutil.rev_parse(repo, f"refs/heads/{branch}")
    if sha is None:
        await ctx.console.info1(
            f"WARNING: Cannot build from '{branch}' as there are no commits stored at that branch."
        )
        return 1
    source = await read_source(repo, sha)
    if meta["image"] and meta["deploy_source"] == "docker-image":
        source.image = meta["image"]
    await build_release_deploy(ctx.console, ctx.state, app, source, "rebuild", "")
    return 0
