"""Rows for the benchmarks that need the engine and sandbox stacks (#4-#6), until they exist.

Replace each with a module like bench_ingest.py: `@benchmark(N, title)` on a function that takes
Options and returns a Result, then import the module in run.py.
"""

from __future__ import annotations

from tests.perf.registry import Options, Result, benchmark

_PENDING = {
    4: ("Fan-out, 50 stacks with 50 ms RTT, ratio to 1", "serial ~40x", "<= 1.5x cold and warm"),
    5: ("Parallel deploy, 20 stacks, wall time ratio to 1", "", "<= 1.3x"),
    6: ("Connection reuse, SSH handshakes on 5 stacks", "", "exactly 5"),
}


def _pending(number: int) -> None:
    title, baseline, target = _PENDING[number]

    def run(options: Options) -> Result:
        return Result("not measured", baseline, target, None, "needs the engine and sandbox")

    benchmark(number, title)(run)


for _number in _PENDING:
    _pending(_number)
