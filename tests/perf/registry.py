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


@dataclass(frozen=True)
class Benchmark:
    number: int
    title: str
    run: Callable[[Options], Result]


BENCHMARKS: dict[int, Benchmark] = {}


def benchmark(
    number: int, title: str
) -> Callable[[Callable[[Options], Result]], Callable[[Options], Result]]:
    """Register a benchmark under its number in issue 9 (#1 startup ... #7 long lines)."""

    def register(run: Callable[[Options], Result]) -> Callable[[Options], Result]:
        BENCHMARKS[number] = Benchmark(number, title, run)
        return run

    return register


def log(options: Options, message: str) -> None:
    if options.verbose:
        print(f"  {message}", flush=True)
