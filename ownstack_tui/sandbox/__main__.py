"""``python -m ownstack_tui.sandbox``: run sandbox stacks for the demo, or switch their faults.

python -m ownstack_tui.sandbox up --stacks 3 --dir D
    start the stacks, write D/fleet.toml (with the demo app, repo in D/shop) and their host
    keys into ownstack-tui's known_hosts, then serve until Ctrl-C / SIGTERM.
python -m ownstack_tui.sandbox fault --dir D STACK [NAME=VALUE ...] [--clear]
    show or change a running stack's faults (e.g. build_fail=true rtt_ms=50).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
import time
from pathlib import Path

from ownstack_tui.sandbox.faults import Faults, load_faults, save_faults


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ownstack_tui.sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start sandbox stacks and serve until interrupted")
    up.add_argument("--stacks", type=int, default=3, help="how many stacks (default 3)")
    up.add_argument("--dir", type=Path, required=True, help="folder for state and fleet file")
    fault = sub.add_parser("fault", help="show or switch a stack's faults")
    fault.add_argument("--dir", type=Path, required=True)
    fault.add_argument("stack")
    fault.add_argument("changes", nargs="*", metavar="NAME=VALUE")
    fault.add_argument("--clear", action="store_true", help="switch every fault off first")
    return parser.parse_args(argv)


async def _up(count: int, base: Path) -> int:
    from ownstack_tui import paths
    from ownstack_tui.sandbox.demo import DEMO_APP, ensure_demo_repo, write_fleet_file
    from ownstack_tui.sandbox.fleet import SandboxFleet

    started = time.monotonic()
    base = base.resolve()
    fleet = SandboxFleet(base, count=count)
    await fleet.start()
    try:
        repo = ensure_demo_repo(base / DEMO_APP)
        fleet_path = write_fleet_file(base / "fleet.toml", fleet, repo)
        known_hosts = paths.known_hosts_path()
        fleet.write_known_hosts(known_hosts)
        elapsed = time.monotonic() - started
        print(f"{len(fleet.stacks)} sandbox stack(s) up in {elapsed:.2f} s:")
        for stack in fleet.stacks:
            print(f"  {stack.name:<12} {stack.user}@{stack.host} -p {stack.port}")
        print(f"fleet file:  {fleet_path}")
        print(f"known_hosts: {known_hosts}")
        print(f"client key:  {fleet.client_key_path}")
        print("point the TUI at it:")
        print(f"  ownstack-tui --fleet {fleet_path}")
        print(f"  (or: export OWNSTACK_TUI_FLEET={fleet_path})")
        print(f"faults: python -m ownstack_tui.sandbox fault --dir {base} STACK build_fail=true")
        print("Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await fleet.stop()
    print("sandbox stopped.")
    return 0


def _parse_value(text: str) -> object:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    return int(text)


def _fault(base: Path, stack: str, changes: list[str], clear: bool) -> int:
    state_dir = base / "stacks" / stack
    if not (state_dir / "stack.json").exists():
        print(f"no sandbox stack {stack!r} under {base}", file=sys.stderr)
        return 2
    faults = Faults() if clear else load_faults(state_dir)
    fields = {f.name: f for f in dataclasses.fields(Faults)}
    names = set(fields)
    updates: dict[str, object] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep or name not in names:
            print(f"bad fault {change!r}; known: {', '.join(sorted(names))}", file=sys.stderr)
            return 2
        try:
            # Text faults (crashed=worker) keep their word; the others are flags or numbers.
            updates[name] = value if fields[name].type == "str" else _parse_value(value)
        except ValueError:
            print(f"bad value in {change!r}: use true/false, a number or a process type", file=sys.stderr)
            return 2
    faults = faults.changed(**updates)
    if changes or clear:
        save_faults(state_dir, faults)
    for name, value in faults.to_dict().items():
        print(f"{name} = {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "up":
        if args.stacks < 1:
            print("--stacks must be at least 1", file=sys.stderr)
            return 2
        try:
            return asyncio.run(_up(args.stacks, args.dir))
        except KeyboardInterrupt:
            return 130
    return _fault(args.dir, args.stack, args.changes, args.clear)


if __name__ == "__main__":
    sys.exit(main())
