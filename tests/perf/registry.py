"""The benchmarks the perf command runs, each returning one row of the table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Options:
    """Knobs shared by every benchmark (from the command line)."""

    quick: bool = False
    """Shorter runs: for trying the harness, not for the figures."""
    memory_seconds: float = 60.0
    """How long the memory benchmark watches RSS stay flat after the first 1,000,000 lines."""
    key_seconds: float = 6.0
    """How long keys are pressed (every 100 ms) at each ingest rate."""
    verbose: bool = True


@dataclass(frozen=True)
class Result:
    """One row: the figure measured, the baseline measured in the same run, the target."""

    figure: str
    baseline: str
    target: str
    passed: bool | None  # None: not measured (say why in `note`)
    note: str = ""
    details: list[str] = field(default_factory=list)
    row: str = ""  # a second row of the same benchmark: "#4b" (and its own title)
    title: str = ""


@dataclass(frozen=True)
class Benchmark:
    number: int
    title: str
    run: Callable[[Options], Result | list[Result]]


BENCHMARKS: dict[int, Benchmark] = {}


Run = Callable[[Options], Result | list[Result]]


def benchmark(number: int, title: str) -> Callable[[Run], Run]:
    """Register a benchmark under its number in issue 9 (#1 startup ... #7 long lines); one
    that returns several Results prints a row for each (``Result.row``: "#4", "#4b")."""

    def register(run: Run) -> Run:
        BENCHMARKS[number] = Benchmark(number, title, run)
        return run

    return register


def log(options: Options, message: str) -> None:
    if options.verbose:
        print(f"  {message}", flush=True)
