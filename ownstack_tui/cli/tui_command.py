"""``ownstack-tui`` with no command (the console) and ``ownstack-tui demo``."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

from ownstack_tui.cli.context import Context

# A closed terminal (SIGHUP: the SSH session dropped) or a plain `kill` (SIGTERM) ends the
# console as `q` does: a rollout under way is cancelled and its deploy locks released (not
# left held, naming a console that is gone), and the demo's temp folder, which holds private
# keys, is removed.
STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
# One process serves every demo stack: 200 start in ~1 s and take ~50 MB (see PERFORMANCE.md).
MAX_DEMO_STACKS = 200


def run(ctx: Context, args: argparse.Namespace) -> int:
    if not ctx.fleet_path.exists():
        from ownstack_tui.tui.app import WelcomeApp

        if WelcomeApp(ctx.fleet_path).run() == "demo":
            return demo(ctx, argparse.Namespace(stacks=3, tags=False))
        return 0
    return open_console(ctx, getattr(args, "app", None))


def open_console(
    ctx: Context, app_name: str | None, stop_signals: Sequence[int] = STOP_SIGNALS
) -> int:
    """The console on the context's fleet. Each of ``stop_signals`` quits it as `q` does."""
    from ownstack_tui.tui.startup_gc import pause_gc_for_startup

    pause_gc_for_startup()  # until the first frame: see startup_gc
    from ownstack_tui.engine.factory import open_engine
    from ownstack_tui.tui.app import OwnstackApp

    fleet = ctx.fleet
    app_model = fleet.app(app_name)
    engine = open_engine(fleet, ctx.via, accept_new_host_keys=ctx.args.accept_new_host_key,
                         polls=ctx.polls)
    app = OwnstackApp(ctx.fleet_path, fleet, app_model, engine)
    import asyncio

    received: list[int] = []

    def stop(signum: int) -> None:
        received.append(signum)
        app.exit(return_code=128 + signum)

    # What App.run does (asyncio.run), with the signal handlers on the app's own loop.
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        for signum in stop_signals:
            loop.add_signal_handler(signum, stop, signum)
        try:
            runner.run(app.run_async())
        except OSError:
            if not received:
                raise
            # After a hangup the terminal is gone: restoring it can fail, and that is fine.
    return 128 + received[0] if received else 0


@contextlib.contextmanager
def _own_home(folder: Path) -> Iterator[None]:
    """Every path of ours (data, known_hosts, history, config) under ``folder`` while the
    demo runs: its throwaway stacks and jobs must not reach the user's own files."""
    from ownstack_tui.paths import HOME_ENV

    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = before


def demo(ctx: Context, args: argparse.Namespace) -> int:
    """Sandbox stacks in this process (their own thread), the console on them; quitting stops
    them. Everything lives in one temp folder, removed on the way out."""
    import tempfile

    from ownstack_tui import paths
    from ownstack_tui.errors import InvalidInput
    from ownstack_tui.sandbox.demo import ensure_demo_repo, fault_tagged_groups, write_fleet_file
    from ownstack_tui.sandbox.fleet import SandboxFleet, stack_names, tagged_stack_names

    if not 1 <= args.stacks <= MAX_DEMO_STACKS:
        raise InvalidInput(f"--stacks {args.stacks}: give a number from 1 to {MAX_DEMO_STACKS}")
    tags = tagged_stack_names(args.stacks) if args.tags else None
    names = list(tags) if tags is not None else stack_names(args.stacks)
    with tempfile.TemporaryDirectory(prefix="ownstack-demo-") as name, _own_home(Path(name) / "home"):
        folder = Path(name)
        with SandboxFleet.background(folder / "stacks", names=names) as fleet:
            # We made these host keys ourselves, so trusting them is no silent accept.
            fleet.write_known_hosts(paths.known_hosts_path())
            fleet_path = write_fleet_file(
                folder / "fleet.toml", fleet, ensure_demo_repo(folder / "shop"), tags=tags
            )
            if tags is not None:
                fault_tagged_groups(fleet, tags)
            demo_ctx = Context(fleet_path, ctx.via_option, ctx.json, ctx.args, ctx.polls)
            if demo_ctx.via != "api":
                return open_console(demo_ctx, None)
            from ownstack_tui.sandbox.control_plane import serving_fleet_file

            # A control-plane stand-in on loopback in front of the same stacks.
            with serving_fleet_file(fleet_path, work_dir=folder / "control-plane"):
                demo_ctx = Context(fleet_path, "api", ctx.json, ctx.args, ctx.polls)
                return open_console(demo_ctx, None)
