"""``stacks``: the fleet's stacks, and whether each one answers right now."""

from __future__ import annotations

import argparse

from ownstack_tui.cli.context import Context
from ownstack_tui.cli.deploy_commands import engine_for, run_async
from ownstack_tui.cli.fleet_commands import stack_row
from ownstack_tui.cli.output import print_json, print_table


def stacks(ctx: Context, args: argparse.Namespace) -> int:
    fleet = ctx.fleet
    rows = [stack_row(stack) for stack in fleet.stacks.values()]
    if not args.offline and rows:
        outcomes = run_async(_probe(ctx, [row["name"] for row in rows]))
        for row in rows:
            outcome = outcomes[str(row["name"])]
            row["reachable"] = outcome.ok
            row["dokku_version"] = outcome.value
            row["error"] = outcome.error
    # Like `app info`: a stack that does not answer is a failed read (exit 1).
    status = 0 if all(row.get("reachable", True) for row in rows) else 1
    if ctx.json:
        print_json(rows)
        return status
    columns = [("name", "STACK"), ("host", "HOST"), ("port", "PORT"), ("user", "USER")]
    if any(row["tags"] for row in rows):  # an untagged fleet keeps its table as it was
        columns.append(("tags", "TAGS"))
    if not args.offline:
        for row in rows:
            row["status"] = (
                f"ok (dokku {row['dokku_version']})" if row["reachable"] else f"✗ {row['error']}"
            )
        columns.append(("status", "REACHABLE"))
    print_table(
        rows, columns, empty="No stacks yet; add one with: ownstack-tui stack:add NAME --host HOST"
    )
    return status


async def _probe(ctx: Context, names: list[str]) -> dict:
    async with engine_for(ctx) as engine:
        return await engine.probe_stacks(names)
