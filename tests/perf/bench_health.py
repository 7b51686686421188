"""Issue 13: one ``status`` refresh (the engine's fleet_health) of 50 sandbox stacks.

Every stack is read in one round: all of a reading's commands at once, each on its own channel
of the stack's pooled connection. The stacks run in their own process (as in bench_fleet), with
the same 50 ms round-trip delay as #4, and the demo app deployed on every one of them.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from ownstack_tui.backends.dokku.health import health_commands
from tests.perf.bench_fleet import open_engine, sandbox, set_faults
from tests.perf.registry import Options, Result, benchmark, log

STACKS = 50
RTT_MS = 50


async def _deploy_everywhere(fleet_path: Path) -> None:
    engine = open_engine(fleet_path)
    try:
        run = await engine.start_deploy(engine.fleet.apps["shop"]).wait()
        if not run.succeeded:
            raise RuntimeError(f"deploy failed: {[(j.stack, j.reason) for j in run.jobs if j.reason]}")
    finally:
        await engine.close()


def _stand_in_cpu() -> float:
    """CPU seconds used so far by our child processes (the sandbox stacks' server)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def _refreshes(fleet_path: Path, only: list[str]) -> dict[str, tuple[float, float, float]]:
    """(wall, client CPU, stand-in CPU) of a cold refresh (handshakes included) and a warm one."""
    engine = open_engine(fleet_path)
    figures: dict[str, tuple[float, float, float]] = {}
    try:
        app = engine.fleet.apps["shop"]
        for label in ("cold", "warm"):
            started, cpu, server = time.perf_counter(), time.process_time(), _stand_in_cpu()
            health = await engine.fleet_health(app, only)
            figures[label] = (
                time.perf_counter() - started,
                time.process_time() - cpu,
                _stand_in_cpu() - server,
            )
            unreachable = [row.stack for row in health.stacks if not row.reachable]
            if unreachable:
                raise RuntimeError(f"unreachable: {unreachable[:3]}")
        figures["handshakes"] = (float(engine.backend.pool.handshakes), 0.0, 0.0)  # type: ignore[attr-defined]
    finally:
        await engine.close()
    return figures


@benchmark(13, f"Health: one status refresh of {STACKS} stacks at {RTT_MS} ms RTT vs one")
def health_refresh(options: Options) -> Result:
    with sandbox(STACKS) as fleet_path:
        asyncio.run(_deploy_everywhere(fleet_path))
        names = list(open_engine(fleet_path).fleet.stacks)
        set_faults(fleet_path, names, rtt_ms=RTT_MS)
        one = asyncio.run(_refreshes(fleet_path, names[:1]))
        many = asyncio.run(_refreshes(fleet_path, names))
    for label, figures in (("one", one), ("all", many)):
        for phase in ("cold", "warm"):
            wall, cpu, server = figures[phase]
            log(
                options,
                f"{label} {phase}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms client CPU, "
                f"{server * 1000:.0f} ms stand-in CPU",
            )
    commands = len(health_commands("shop"))
    ratio = many["warm"][0] / one["warm"][0]
    return Result(
        figure=(
            f"warm {many['warm'][0] * 1000:.0f} ms ({ratio:.2f}x), cold {many['cold'][0] * 1000:.0f} ms; "
            f"client CPU warm {many['warm'][1] * 1000:.0f} ms, cold {many['cold'][1] * 1000:.0f} ms"
        ),
        baseline=f"one stack: warm {one['warm'][0] * 1000:.0f} ms, cold {one['cold'][0] * 1000:.0f} ms",
        target=f"one round per stack: {commands} channels on its pooled connection, {STACKS} handshakes",
        passed=int(many["handshakes"][0]) == STACKS,
        note=(
            f"{commands} commands per stack, all at once on its one connection "
            f"({int(many['handshakes'][0])} handshakes for {STACKS} stacks, cold and warm refresh); "
            f"the one stand-in process spent {many['warm'][2] * 1000:.0f} ms of CPU serving the "
            f"{STACKS * commands} warm commands, on the two cores it shares with the client"
        ),
    )
