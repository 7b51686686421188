"""Commands that read or edit the fleet file alone: stacks, stack:add/remove/tag/untag, app
list/create/stacks."""

from __future__ import annotations

import argparse
from pathlib import Path

from ownstack_tui.cli.context import Context
from ownstack_tui.cli.output import print_json, print_table
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import App, Stack


def stack_row(stack: Stack) -> dict[str, object]:
    return {
        "name": stack.name,
        "host": stack.host,
        "port": stack.port,
        "user": stack.user,
        "identity": stack.identity,
        "tags": list(stack.tags),
    }


def app_row(app: App) -> dict[str, object]:
    return {
        "name": app.name,
        "repo": app.repo,
        "branch": app.branch,
        "stacks": list(app.stacks),
        "needs_postgres": app.needs_postgres,
        "api_id": app.api_id,
    }


def stack_add(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file(create=True)
    identity = args.identity
    if identity and not Path(identity).expanduser().is_file():
        raise InvalidInput(f"identity file {identity} does not exist; give the path of a private key")
    fleet_file.add_stack(args.name, args.host, args.port, args.user, identity, args.tag or ())
    fleet_file.save()
    stack = fleet_file.fleet.stacks[args.name]
    if ctx.json:
        print_json(stack_row(stack))
    else:
        tags = f", tags {', '.join(stack.tags)}" if stack.tags else ""
        print(f"Added stack {stack.name} ({stack.ssh_target}, port {stack.port}{tags}) to {fleet_file.path}")
    return 0


def stack_tag(ctx: Context, args: argparse.Namespace) -> int:
    return _retag(ctx, args, add=True)


def stack_untag(ctx: Context, args: argparse.Namespace) -> int:
    return _retag(ctx, args, add=False)


def _retag(ctx: Context, args: argparse.Namespace, add: bool) -> int:
    fleet_file = ctx.fleet_file()
    edit = fleet_file.tag_stack if add else fleet_file.untag_stack
    changed = edit(args.name, args.tags)
    if changed:  # nothing to change: the file is left as it was, byte for byte
        fleet_file.save()
    stack = fleet_file.fleet.stacks[args.name]
    if ctx.json:
        print_json({**stack_row(stack), "added" if add else "removed": changed})
        return 0
    unchanged = [tag for tag in dict.fromkeys(args.tags) if tag not in changed]
    if changed:
        verb = "Tagged" if add else "Untagged"
        print(f"{verb} {stack.name}: {', '.join(changed)}")
    if unchanged:
        print(f"{'Already' if add else 'Not'} tagged on {stack.name}: {', '.join(unchanged)}")
    print(f"Tags of {stack.name}: {', '.join(stack.tags) or '(none)'}")
    return 0


def stack_remove(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file()
    stack = fleet_file.fleet.stack(args.name)
    fleet_file.remove_stack(args.name)
    fleet_file.save()
    if ctx.json:
        print_json({"removed": stack.name})
    else:
        print(f"Removed stack {stack.name} from {fleet_file.path}; nothing on {stack.host} was changed")
    return 0


def app_list(ctx: Context, args: argparse.Namespace) -> int:
    rows = [app_row(app) for app in ctx.fleet.apps.values()]
    if ctx.json:
        print_json(rows)
    else:
        print_table(
            rows,
            [("name", "APP"), ("stacks", "STACKS"), ("repo", "REPO"), ("branch", "BRANCH")],
            empty="No apps yet; add one with: ownstack-tui app create APP --repo PATH",
        )
    return 0


def app_create(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file(create=True)
    repo = Path(args.repo).expanduser()
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise InvalidInput(f"{args.repo} is not a git repository; give the path of the app's repo")
    targets = [stack.name for stack in fleet_file.fleet.select(args.stack)] if args.stack else []
    fleet_file.add_app(
        args.app,
        repo=args.repo,
        branch=args.branch,
        needs_postgres=not args.no_postgres,
        stacks=targets,
    )
    fleet_file.save()
    app = fleet_file.fleet.apps[args.app]
    if ctx.json:
        print_json(app_row(app))
    else:
        targets = ", ".join(app.stacks) or "none yet (add with: ownstack-tui app stacks:add APP STACK)"
        print(f"Created app {app.name} (branch {app.branch}); stacks: {targets}")
    return 0


def app_stacks(ctx: Context, args: argparse.Namespace) -> int:
    fleet = ctx.fleet
    app = fleet.app(args.app)
    rows = [stack_row(fleet.stacks[name]) for name in app.stacks]
    if ctx.json:
        print_json(rows)
    else:
        print_table(
            rows,
            [("name", "STACK"), ("host", "HOST"), ("port", "PORT"), ("user", "USER")],
            empty=f"App {app.name} has no stacks; add one with: ownstack-tui app stacks:add {app.name} STACK",
        )
    return 0


def _sync_target(ctx: Context, app: str, stack: str, present: bool) -> None:
    """Via the API the control plane keeps the targets too: change it first, so a refusal
    leaves the fleet file as it was."""
    if ctx.via != "api":
        return
    from ownstack_tui.cli.deploy_commands import engine_for, run_async

    async def sync() -> None:
        async with engine_for(ctx) as engine:
            await engine.sync_target(ctx.fleet.app(app), ctx.fleet.stack(stack), present)

    run_async(sync())


def app_stacks_add(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file()
    added = fleet_file.add_target(args.app, args.stack)
    if added:
        _sync_target(ctx, args.app, args.stack, True)
        fleet_file.save()
    if ctx.json:
        print_json({"app": args.app, "stack": args.stack, "added": added})
    elif added:
        print(
            f"Stack {args.stack} is now a target of {args.app}; "
            "its dokku app is created on the next deploy"
        )
    else:
        print(f"Stack {args.stack} already is a target of {args.app}")
    return 0


def app_stacks_remove(ctx: Context, args: argparse.Namespace) -> int:
    fleet_file = ctx.fleet_file()
    stack = fleet_file.fleet.stack(args.stack)
    fleet_file.remove_target(args.app, args.stack)
    _sync_target(ctx, args.app, args.stack, False)
    fleet_file.save()
    destroy = f"ssh {destroy_target(stack)} apps:destroy {args.app}"
    if ctx.json:
        print_json({"app": args.app, "stack": args.stack, "removed": True, "destroy_command": destroy})
    else:
        print(f"Stack {args.stack} is no longer a target of {args.app}: deploys stop going there.")
        print(f"The dokku app {args.app} and its data stay on {stack.host}. To destroy them:")
        print(f"  {destroy}")
    return 0


def destroy_target(stack: Stack) -> str:
    port = f"-p {stack.port} " if stack.port != 22 else ""
    return f"{port}{stack.ssh_target}"
