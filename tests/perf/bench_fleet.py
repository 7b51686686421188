"""#4 fan-out, #5 parallel deploy, #6 connection reuse: the engine against sandbox stacks.

The stacks run in a separate process (`python -m ownstack_tui.sandbox up`), so the server side
does not share this process's interpreter lock with the client being measured. Faults are
switched through the stacks' state folders, as the sandbox's `fault` command does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ownstack_tui.sandbox.faults import Faults, save_faults
from tests.perf.registry import Options, Result, benchmark, log

FANOUT_STACKS = 50
DEPLOY_STACKS = 20
REUSE_STACKS = 5
RTT_MS = 50
BUILD_LINE_DELAY_MS = 200  # builds dominated by waiting, as real ones are


@contextmanager
def sandbox(count: int) -> Iterator[Path]:
    """Start `count` sandbox stacks in their own process; yields the fleet file."""
    with tempfile.TemporaryDirectory(prefix="ownstack-perf-") as name:
        base = Path(name)
        home = base / "home"
        env = {**os.environ, "OWNSTACK_TUI_HOME": str(home)}
        process = subprocess.Popen(
            [sys.executable, "-m", "ownstack_tui.sandbox", "up", "--stacks", str(count), "--dir", str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("Ctrl-C to stop"):
                    break
            else:
                raise RuntimeError("the sandbox did not start")
            os.environ["OWNSTACK_TUI_HOME"] = str(home)  # its known_hosts, our history
            yield base / "fleet.toml"
        finally:
            process.terminate()
            process.wait(timeout=30)


def set_faults(fleet_path: Path, names: list[str], **faults: object) -> None:
    for name in names:
        save_faults(fleet_path.parent / "stacks" / name, Faults().changed(**faults))
    time.sleep(1.5)  # the sandbox notices changed fault files within a second


def open_engine(fleet_path: Path):  # type: ignore[no-untyped-def]
    from ownstack_tui.engine.factory import open_engine as factory
    from ownstack_tui.fleet_file import FleetFile

    fleet = FleetFile.load(fleet_path).fleet
    return factory(fleet, "ssh")


CLIENT_CPU: dict[str, float] = {}


async def timed(coroutine, label: str = "") -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    cpu = time.process_time()
    outcomes = await coroutine
    CLIENT_CPU[label] = time.process_time() - cpu
    failed = [name for name, outcome in outcomes.items() if not outcome.ok]
    if failed:
        raise RuntimeError(f"stacks failed: {failed[:3]}: {outcomes[failed[0]].error}")
    return time.perf_counter() - started


@benchmark(4, f"Fan-out: status of {FANOUT_STACKS} stacks at {RTT_MS} ms RTT vs one")
def fan_out(options: Options) -> Result:
    async def measure(fleet_path: Path) -> dict[str, float]:
        names = [f"{n}" for n in open_engine(fleet_path).fleet.stacks]
        figures: dict[str, float] = {}
        for label, chosen in (("one", names[:1]), ("all", names)):
            engine = open_engine(fleet_path)
            try:
                figures[f"cold {label}"] = await timed(engine.probe_stacks(chosen), f"cold {label}")
                figures[f"warm {label}"] = await timed(engine.probe_stacks(chosen), f"warm {label}")
            finally:
                await engine.close()
        return figures

    import asyncssh  # noqa: F401  (the import is start-up cost, not connection cost)

    with sandbox(FANOUT_STACKS) as fleet_path:
        names = list(open_engine(fleet_path).fleet.stacks)
        set_faults(fleet_path, names, rtt_ms=RTT_MS)
        figures = asyncio.run(measure(fleet_path))
    cold = figures["cold all"] / figures["cold one"]
    warm = figures["warm all"] / figures["warm one"]
    note = (
        f"client CPU for {FANOUT_STACKS} stacks: {CLIENT_CPU['warm all'] * 1000:.0f} ms warm, "
        f"{CLIENT_CPU['cold all'] * 1000:.0f} ms cold (the {FANOUT_STACKS} stand-in servers share "
        "this machine's two cores with it)"
    )
    for key, value in figures.items():
        log(options, f"{key}: {value * 1000:.0f} ms wall, {CLIENT_CPU[key] * 1000:.0f} ms client CPU")
    return Result(
        figure=f"cold {cold:.2f}x, warm {warm:.2f}x",
        baseline=f"one: cold {figures['cold one'] * 1000:.0f} ms, warm {figures['warm one'] * 1000:.0f} ms",
        target="<= 1.5x both",
        passed=cold <= 1.5 and warm <= 1.5,
        note=note,
    )


@benchmark(5, f"Parallel deploy: {DEPLOY_STACKS} stacks vs one, {BUILD_LINE_DELAY_MS} ms per build line")
def parallel_deploy(options: Options) -> Result:
    async def deploy(fleet_path: Path, app_name: str, stacks: list[str]) -> tuple[float, float]:
        from ownstack_tui.fleet_file import FleetFile

        fleet_file = FleetFile.load(fleet_path)
        repo = fleet_file.fleet.apps["shop"].repo
        fleet_file.add_app(app_name, repo, "main", needs_postgres=True, stacks=stacks)
        fleet_file.save()
        engine = open_engine(fleet_path)
        try:
            started = time.perf_counter()
            run = await engine.start_deploy(engine.fleet.apps[app_name]).wait()
            elapsed = time.perf_counter() - started
        finally:
            await engine.close()
        if not run.succeeded:
            raise RuntimeError(f"deploy failed: {[(j.stack, j.reason) for j in run.jobs if j.reason]}")
        return elapsed, max(job.elapsed() for job in run.jobs)

    with sandbox(DEPLOY_STACKS) as fleet_path:
        names = list(open_engine(fleet_path).fleet.stacks)
        set_faults(fleet_path, names, build_line_delay_ms=BUILD_LINE_DELAY_MS)
        one, _ = asyncio.run(deploy(fleet_path, "single", names[:1]))
        many, slowest = asyncio.run(deploy(fleet_path, "fleet", names))
    ratio = many / one
    log(options, f"one stack {one:.2f} s, {DEPLOY_STACKS} stacks {many:.2f} s, slowest job {slowest:.2f} s")
    return Result(
        figure=f"{ratio:.2f}x ({many:.2f} s)",
        baseline=f"one stack: {one:.2f} s",
        target="<= 1.3x",
        passed=ratio <= 1.3,
        note=(
            f"the {DEPLOY_STACKS}-stack run took {many / slowest:.2f}x its slowest job "
            "(issue 4 asks < 1.5x): every job starts at once, and what stretches the jobs is the "
            "stand-in stacks' builds (git, hook processes) sharing this machine's cores"
        ),
    )


@benchmark(6, f"Connection reuse: handshakes for refresh+deploy+config+logs on {REUSE_STACKS} stacks")
def connection_reuse(options: Options) -> Result:
    async def session(fleet_path: Path) -> int:
        from ownstack_tui.fleet_file import FleetFile

        fleet_file = FleetFile.load(fleet_path)
        fleet_file.set_config("shop", None, {"PERF_CHECK": "on"})
        fleet_file.save()
        engine = open_engine(fleet_path)
        try:
            app = engine.fleet.apps["shop"]
            await engine.app_states(app)
            run = await engine.start_deploy(app).wait()
            assert run.succeeded, [(j.stack, j.reason) for j in run.jobs]
            plans = await engine.plan_config(app)
            await engine.apply_config(app, {n: o.value for n, o in plans.items() if o.value}, restart=False)
            for stack in app.stacks:
                async for _line in engine.logs(app, engine.fleet.stack(stack), num=5):
                    pass
            return engine.backend.pool.handshakes  # type: ignore[attr-defined]
        finally:
            await engine.close()

    with sandbox(REUSE_STACKS) as fleet_path:
        handshakes = asyncio.run(session(fleet_path))
    return Result(
        figure=f"{handshakes} handshakes",
        baseline="",
        target=f"exactly {REUSE_STACKS}",
        passed=handshakes == REUSE_STACKS,
    )
