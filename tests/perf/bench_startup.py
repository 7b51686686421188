"""#1 Startup: process start to the first rendered frame in a pty, as a ratio to a bare
Textual app with one Label started the same way in the same run.

Hook for the main screen: set `main_screen_command` (below) to a function that prepares a
3-stack fleet in the folder it is given and returns the command line that opens the TUI on it.

Both programs run with compiled bytecode, as an installed program has it (pip compiles on
install): see `bytecode_cache`.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.perf.pty_session import app_command, first_frame_seconds
from tests.perf.registry import Options, Result, benchmark, log

TARGET_RATIO = 1.3
RUNS = 9

BIG_FLEET = 200  # issue 14: the ratio must hold with a 200-stack fleet file too


def open_main_screen(folder: Path) -> list[str]:
    """A 3-stack fleet (on closed loopback ports: start-up must not wait for stacks) and the
    command that opens the main screen on it, as a user starts it."""
    import subprocess
    import sys

    from ownstack_tui.fleet_file import FleetFile

    repo = folder / "shop"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    fleet_file = FleetFile.load_or_new(folder / "fleet.toml")
    for index, name in enumerate(("staging", "prod-east", "prod-west")):
        fleet_file.add_stack(name, "127.0.0.1", 9 + index)
    fleet_file.add_app("shop", str(repo), stacks=["staging", "prod-east", "prod-west"])
    fleet_file.save()
    return [sys.executable, "-m", "ownstack_tui", "--fleet", str(folder / "fleet.toml")]


def open_big_fleet(folder: Path, count: int = BIG_FLEET) -> list[str]:
    """The same with `count` tagged stacks (the demo's names and tags), all on port 9 of
    loopback (closed), the app on every one."""
    import subprocess
    import sys

    from ownstack_tui.fleet_file import FleetFile
    from ownstack_tui.sandbox.fleet import tagged_stack_names

    repo = folder / "shop"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stacks = tagged_stack_names(count)
    fleet_file = FleetFile.load_or_new(folder / "fleet.toml")
    fleet_file.add_stacks([{"name": name, "host": "127.0.0.1", "port": 9, "tags": tags}
                           for name, tags in stacks.items()])
    fleet_file.add_app("shop", str(repo), stacks=list(stacks))
    fleet_file.save()
    return [sys.executable, "-m", "ownstack_tui", "--fleet", str(folder / "fleet.toml")]


main_screen_command: Callable[[Path], list[str]] | None = open_main_screen
"""Prepares a 3-stack fleet under the given folder and returns the command that opens the
main screen on it."""


def bare_label_command() -> list[str]:
    return app_command("tests.perf.apps.bare_label")


def startup_seconds(command: list[str], runs: int) -> list[float]:
    times: list[float] = []
    for _ in range(runs):
        seconds = first_frame_seconds(command)
        if seconds is None:
            raise RuntimeError(f"no first frame from: {' '.join(command)}")
        times.append(seconds)
    return times


@contextlib.contextmanager
def bytecode_cache() -> Iterator[None]:
    """Child processes read and write compiled bytecode in a temporary folder.

    Development shells here set PYTHONDONTWRITEBYTECODE=1, so without this every start
    compiled each imported ownstack_tui module from source (~0.1 s at start-up), while the
    bare Label app's one small module cost nothing and Textual's own modules came compiled
    from site-packages. An installed ownstack-tui has its bytecode too; this measures that.
    """
    names = ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="ownstack-perf-pyc-") as folder:
        os.environ["PYTHONPYCACHEPREFIX"] = folder
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def startup_ratio(command: list[str], runs: int = RUNS) -> tuple[float, float, float]:
    """(median seconds for `command`, median for the bare Label app, ratio); the two are run
    alternately so a drift in machine load hits both. Call within `bytecode_cache()`: one
    untimed start of each first fills the cache."""
    startup_seconds(bare_label_command(), 1)
    startup_seconds(command, 1)
    ours: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        bare += startup_seconds(bare_label_command(), 1)
        ours += startup_seconds(command, 1)
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    return ours_median, bare_median, ours_median / bare_median


@benchmark(1, "Startup to first frame, ratio to a bare Label app")
def startup(options: Options) -> list[Result]:
    small = startup_3(options)
    runs = 3 if options.quick else RUNS
    with tempfile.TemporaryDirectory() as tmp, bytecode_cache():
        ours, bare, ratio = startup_ratio(open_big_fleet(Path(tmp)), runs)
    log(options, f"main screen, {BIG_FLEET} stacks: {ours:.3f} s, bare Label {bare:.3f} s "
        f"(medians of {runs})")
    big = Result(
        figure=f"{ratio:.2f}x ({ours:.2f} s)",
        baseline=f"bare Label: {bare:.2f} s",
        target=f"<= {TARGET_RATIO}x",
        passed=ratio <= TARGET_RATIO,
        row="b",
        title=f"Startup with a {BIG_FLEET}-stack fleet file, ratio to a bare Label app",
    )
    return [small, big]


def startup_3(options: Options) -> Result:
    runs = 3 if options.quick else RUNS
    if main_screen_command is None:
        with bytecode_cache():
            startup_seconds(bare_label_command(), 1)
            bare = statistics.median(startup_seconds(bare_label_command(), runs))
        log(options, f"bare Label app: {bare:.3f} s to first frame (median of {runs})")
        return Result(
            figure="not measured",
            baseline=f"bare Label: {bare:.2f} s",
            target=f"<= {TARGET_RATIO}x",
            passed=None,
            note="main screen not built yet: set bench_startup.main_screen_command",
        )
    with tempfile.TemporaryDirectory() as tmp, bytecode_cache():
        command = main_screen_command(Path(tmp))
        ours, bare, ratio = startup_ratio(command, runs)
    log(options, f"main screen {ours:.3f} s, bare Label {bare:.3f} s (medians of {runs})")
    return Result(
        figure=f"{ratio:.2f}x ({ours:.2f} s)",
        baseline=f"bare Label: {bare:.2f} s",
        target=f"<= {TARGET_RATIO}x",
        passed=ratio <= TARGET_RATIO,
    )
