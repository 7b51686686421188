"""``ownstack-tui`` with no command (the console) and ``ownstack-tui demo``."""

from __future__ import annotations

import argparse

from ownstack_tui.cli.context import Context


def run(ctx: Context, args: argparse.Namespace) -> int:
    if not ctx.fleet_path.exists():
        from ownstack_tui.tui.app import WelcomeApp

        if WelcomeApp(ctx.fleet_path).run() == "demo":
            return demo(ctx, argparse.Namespace(stacks=3))
        return 0
    return open_console(ctx, getattr(args, "app", None))


def open_console(ctx: Context, app_name: str | None) -> int:
    from ownstack_tui.tui.startup_gc import pause_gc_for_startup

    pause_gc_for_startup()  # until the first frame: see startup_gc
    from ownstack_tui.engine.factory import open_engine
    from ownstack_tui.tui.app import OwnstackApp

    fleet = ctx.fleet
    app_model = fleet.app(app_name)
    engine = open_engine(fleet, ctx.via, accept_new_host_keys=ctx.args.accept_new_host_key)
    OwnstackApp(ctx.fleet_path, fleet, app_model, engine).run()
    return 0


def demo(ctx: Context, args: argparse.Namespace) -> int:
    """Sandbox stacks in this process (their own thread), the console on them; quitting stops them."""
    import tempfile
    from pathlib import Path

    from ownstack_tui import paths
    from ownstack_tui.errors import InvalidInput
    from ownstack_tui.sandbox.demo import ensure_demo_repo, write_fleet_file
    from ownstack_tui.sandbox.fleet import SandboxFleet, stack_names

    if not 1 <= args.stacks <= 50:
        raise InvalidInput(f"--stacks {args.stacks}: give a number from 1 to 50")
    with tempfile.TemporaryDirectory(prefix="ownstack-demo-") as name:
        folder = Path(name)
        with SandboxFleet.background(folder / "stacks", names=stack_names(args.stacks)) as fleet:
            # We made these host keys ourselves, so trusting them is no silent accept.
            fleet.write_known_hosts(paths.known_hosts_path())
            fleet_path = write_fleet_file(folder / "fleet.toml", fleet, ensure_demo_repo(folder / "shop"))
            demo_ctx = Context(fleet_path, ctx.via_option, ctx.json, ctx.args)
            if demo_ctx.via != "api":
                return open_console(demo_ctx, None)
            from ownstack_tui.sandbox.control_plane import serving_fleet_file

            # A control-plane stand-in on loopback in front of the same stacks.
            with serving_fleet_file(fleet_path):
                demo_ctx = Context(fleet_path, "api", ctx.json, ctx.args)
                return open_console(demo_ctx, None)
