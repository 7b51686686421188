"""``git:report``, ``git:set``, ``git:from-image`` (dokku.md §7)."""

from __future__ import annotations

import os

from ownstack_tui.sandbox import gitutil
from ownstack_tui.sandbox.build import Source, build_release_deploy
from ownstack_tui.sandbox.commands.common import Ctx, parse_flags, verify_app, verify_app_bash
from ownstack_tui.sandbox.commands.deploying import deploy_branch
from ownstack_tui.sandbox.console import DokkuFail
from ownstack_tui.sandbox.report import parse_report_args, render_report

GIT_KEYS = (
    "archive-max-files",
    "archive-max-size",
    "deploy-branch",
    "keep-git-dir",
    "rev-env-var",
    "source-image",
)


async def _git_sha(ctx: Ctx, app: str) -> str:
    # `git rev-parse HEAD` with an unborn HEAD prints the word HEAD (dokku.md §11).
    _, out = await gitutil.git(ctx.state.repo(app), "rev-parse", "HEAD")
    return out.strip().splitlines()[0] if out.strip() else ""


async def git_report_values(ctx: Ctx, app: str) -> dict[str, str]:
    props = ctx.state.meta(app)["git"]
    glob = ctx.state.global_props()
    branch, _ = deploy_branch(ctx, app)
    head = ctx.state.repo(app) / "refs" / "heads" / branch
    try:
        updated = str(int(os.stat(head).st_mtime))
    except OSError:
        updated = ""
    return {
        "--git-computed-archive-max-files": glob.get("git-archive-max-files", "") or "10000",
        "--git-computed-archive-max-size": glob.get("git-archive-max-size", "") or "1073741824",
        "--git-computed-deploy-branch": branch,
        "--git-computed-keep-git-dir": props.get("keep-git-dir", "")
        or glob.get("git-keep-git-dir", "")
        or "false",
        "--git-deploy-branch": props.get("deploy-branch", ""),
        "--git-global-archive-max-files": glob.get("git-archive-max-files", ""),
        "--git-global-archive-max-size": glob.get("git-archive-max-size", ""),
        "--git-global-deploy-branch": glob.get("git-deploy-branch", ""),
        "--git-global-keep-git-dir": glob.get("git-keep-git-dir", ""),
        "--git-keep-git-dir": props.get("keep-git-dir", ""),
        "--git-last-updated-at": updated,
        "--git-rev-env-var": props.get("rev-env-var", "GIT_REV"),
        "--git-sha": await _git_sha(ctx, app),
        "--git-source-image": props.get("source-image", ""),
    }


async def git_report(ctx: Ctx, args: list[str]) -> int:
    app, fmt, info = parse_report_args(args)
    if app is None:
        apps = ctx.state.list_apps()
        if not apps:
            await ctx.console.warn("You haven't deployed any applications yet")
            return 0
    else:
        apps = [verify_app(ctx, app)]
    for name in apps:
        values = await git_report_values(ctx, name)
        await render_report(ctx.console, "git", name, values, fmt, info, legacy=False)
    return 0


async def git_set(ctx: Ctx, args: list[str]) -> int:
    target = args[0] if args else ""
    if target != "--global":
        verify_app_bash(ctx, target)
    if len(args) < 2:
        raise DokkuFail("No key specified")
    key = args[1]
    if key not in GIT_KEYS:
        raise DokkuFail(f"Invalid key specified, valid keys include: {', '.join(GIT_KEYS)}")
    value = args[2] if len(args) > 2 else ""
    if target == "--global":
        with ctx.state.update_global() as data:
            if value:
                data[f"git-{key}"] = value
            else:
                data.pop(f"git-{key}", None)
    else:
        with ctx.state.update_meta(target) as meta:
            if value:
                meta["git"][key] = value
            else:
                meta["git"].pop(key, None)
    if value:
        await ctx.console.info2_quiet(f"Setting {key} to {value}")
    else:
        await ctx.console.info2_quiet(f"Unsetting {key}")
    return 0


async def git_from_image(ctx: Ctx, args: list[str]) -> int:
    flags, positional = parse_flags("git:from-image", args, booleans={"force"}, values={"build-dir"})
    app = verify_app(ctx, positional[0] if positional else "")
    if len(positional) < 2:
        raise DokkuFail("Please specify a docker image")
    image = positional[1]
    name = positional[2] if len(positional) > 2 else "Dokku"
    email = positional[3] if len(positional) > 3 else "automated@dokku.sh"
    console = ctx.console
    meta = ctx.state.meta(app)
    await console.info1("Generating build context")
    if meta["git"].get("source-image") == image:
        raise DokkuFail(
            "No changes detected, skipping git commit\n !     "
            "Call 'ps:rebuild' on app to rebuild the app from existing source"
        )
    seen = ctx.state.global_props().get("pulled-images", [])
    if flags.get("force") == "true":
        await console.info1("Force pulling image")
    elif image in seen:
        await console.info1("Image exists on host, skipping pull")
    else:
        await console.info1("Pulling image")
    with ctx.state.update_global() as data:
        data["pulled-images"] = sorted({*data.get("pulled-images", []), image})
    await console.info1("Updating git repository with specified build context")
    branch, _ = deploy_branch(ctx, app)
    sha = await _commit_dockerfile(ctx, app, branch, image, name, email)
    with ctx.state.update_meta(app) as data:
        data["git"]["source-image"] = image
    source = Source(sha=sha, files={"Dockerfile"}, image=image)
    await build_release_deploy(console, ctx.state, app, source, "docker-image", image)
    return 0


async def _commit_dockerfile(ctx: Ctx, app: str, branch: str, image: str, name: str, email: str) -> str:
    repo = ctx.state.repo(app)
    _, blob = await gitutil.git(repo, "hash-object", "-w", "--stdin", stdin=f"FROM {image}\n".encode())
    _, tree = await gitutil.git(repo, "mktree", stdin=f"100644 blob {blob.strip()}\tDockerfile\n".encode())
    parent = await gitutil.rev_parse(repo, f"refs/heads/{branch}")
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    extra = ["-p", parent] if parent else []
    _, commit = await gitutil.git(
        repo,
        "commit-tree",
        tree.strip(),
        *extra,
        "-m",
        f"Update source image to {image}",
        env=identity,
    )
    sha = commit.strip()
    await gitutil.git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha


COMMANDS = {
    "git:report": git_report,
    "git:set": git_set,
    "git:from-image": git_from_image,
}
