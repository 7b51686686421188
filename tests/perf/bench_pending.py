"""Rows for the benchmarks that need the engine and sandbox stacks (#4-#6), until they exist.

A module tests/perf/bench_*.py with `@benchmark(N, title)` on a function that takes Options and
returns a Result replaces the row: run.py imports every bench_*.py, this one last.
"""

from __future__ import annotations

from tests.perf.registry import BENCHMARKS, Options, Result, benchmark

_PENDING = {
    4: ("Fan-out, 50 and 200 stacks with 50 ms RTT, ratio to 1", "serial ~40x", "<= 1.5x / 2x"),
    5: ("Parallel deploy, 20 and 50 stacks, wall time ratio to 1", "", "<= 1.3x"),
    6: ("Connection reuse, SSH handshakes on 5 stacks", "", "exactly 5"),
}


def _pending(number: int) -> None:
    title, baseline, target = _PENDING[number]

    def run(options: Options) -> Result:
        return Result("not measured", baseline, target, None, "needs the engine and sandbox")

    benchmark(number, title)(run)


for _number in _PENDING:
    if _number not in BENCHMARKS:  # a real benchmark module was imported first
        _pending(_number)
