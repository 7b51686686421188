"""``status`` (every stack's health side by side), ``ps:restart`` and ``ps:rebuild``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ownstack_tui.cli.context import Context
from ownstack_tui.cli.deploy_commands import engine_for, run_async
from ownstack_tui.cli.output import print_json, print_table
from ownstack_tui.errors import InvalidInput, OwnstackError
from ownstack_tui.model import validation
from ownstack_tui.model.fleet import App, Stack
from ownstack_tui.model.health import COLUMNS, HEADINGS, FleetHealth, StackHealth, format_age

OUTLIER_MARK = "!"


# -- status ----------------------------------------------------------------------------------


def status(ctx: Context, args: argparse.Namespace) -> int:
    app = ctx.fleet.app(args.app)
    stacks = ctx.fleet.select(args.stack or (), app)
    if not stacks:
        raise InvalidInput(f"app {app.name} has no target stacks; add one with: ownstack-tui app stacks:add")
    health = run_async(_read(ctx, app, [s.name for s in stacks]))
    if ctx.json:
        print_json(health_json(health))
    else:
        print_health(health)
    return health.exit_status


async def _read(ctx: Context, app: App, names: list[str]) -> FleetHealth:
    async with engine_for(ctx) as engine:
        return await engine.fleet_health(app, names)


def print_health(health: FleetHealth) -> None:
    print(f"{health.app} on {len(health.stacks)} stack(s), branch {health.branch}:")
    rows = [_text_row(row) for row in health.stacks]
    columns = [("stack", "STACK"), ("health", "HEALTH")]
    columns += [(column, HEADINGS[column]) for column in COLUMNS]
    columns.append(("age", "READ"))
    print_table(rows, columns)
    problems = health.problems
    if not problems:
        print(f"No problems on {len(health.stacks)} stack(s).")
        return
    print(f"{len(problems)} problem(s):")
    width = max(len(p.stack) for p in problems)
    for problem in problems:
        print(f"  {problem.stack:<{width}}  {problem.severity.label:<8}  {problem.message}")


def _text_row(row: StackHealth) -> dict[str, str]:
    text: dict[str, str] = {
        "stack": row.stack,
        "health": "unreachable" if not row.reachable else row.severity.label,
        "age": "-" if row.age is None else format_age(row.age) + " ago",
    }
    for column in COLUMNS:
        cell = row.cells.get(column)
        text[column] = "-" if cell is None else cell.text + (f" {OUTLIER_MARK}" if cell.outlier else "")
    return text


def health_json(health: FleetHealth) -> dict[str, Any]:
    return {
        "app": health.app,
        "branch": health.branch,
        "severity": health.severity.label,
        "exit_status": health.exit_status,
        "stacks": [
            {
                "stack": row.stack,
                "reachable": row.reachable,
                "error": row.error,
                "severity": row.severity.label,
                "age_seconds": None if row.age is None else round(row.age, 3),
                "columns": {
                    column: {
                        "text": cell.text,
                        "value": cell.value,
                        "severity": cell.severity.label,
                        "outlier": cell.outlier,
                    }
                    for column, cell in row.cells.items()
                },
                "problems": [
                    {"column": p.column, "severity": p.severity.label, "message": p.message}
                    for p in row.problems
                ],
            }
            for row in health.stacks
        ],
    }


# -- ps:restart, ps:rebuild ------------------------------------------------------------------


def ps_restart(ctx: Context, args: argparse.Namespace) -> int:
    process = validation.process_type(args.process) if args.process else None
    return _act(ctx, args, "restart", process)


def ps_rebuild(ctx: Context, args: argparse.Namespace) -> int:
    return _act(ctx, args, "rebuild", None)


def _act(ctx: Context, args: argparse.Namespace, action: str, process: str | None) -> int:
    app = ctx.fleet.app(args.app)
    if not args.stack:
        raise InvalidInput(f"ps:{action} needs --stack: one of {', '.join(app.stacks) or '(none)'}")
    stack = ctx.fleet.select_one(args.stack, app, f"ps:{action}")
    what = f"{action} {app.name}" + (f" ({process})" if process else "") + f" on {stack.name}"
    if validation.is_production_name(stack.name) and not args.yes and not _confirmed(stack.name, what):
        return 1
    return run_async(_run_action(ctx, app, stack, action, process))


def _confirmed(stack: str, what: str) -> bool:
    """A y/N question on a terminal; without one, refuse (scripts pass --yes)."""
    if not sys.stdin.isatty():
        raise InvalidInput(f"{stack} looks like production: add --yes to {what}")
    answer = input(f"{what[0].upper()}{what[1:]}? It looks like production. [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        return True
    print("Nothing done.")
    return False


async def _run_action(ctx: Context, app: App, stack: Stack, action: str, process: str | None) -> int:
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if not ctx.json:
            print(line, flush=True)

    async with engine_for(ctx) as engine:
        try:
            if action == "restart":
                await engine.restart(app, stack, process, on_line)
            else:
                await engine.rebuild(app, stack, on_line)
        except OwnstackError as failure:
            if ctx.json:
                print_json({"app": app.name, "stack": stack.name, "action": action, "ok": False,
                            "error": str(failure), "output": lines})
            else:
                sys.stderr.write(f"ownstack-tui: {failure}\n")
            return 1
    if ctx.json:
        print_json({"app": app.name, "stack": stack.name, "action": action, "ok": True, "output": lines})
    else:
        past = "Restarted" if action == "restart" else "Rebuilt"
        print(f"✓ {past} {app.name}" + (f" ({process})" if process else "") + f" on {stack.name}")
    return 0
