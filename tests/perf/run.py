"""Run the performance benchmarks and print one table.

    .venv/bin/python -m tests.perf                 # all, about 5 minutes on 2 cores
    .venv/bin/python -m tests.perf --only 2,7      # some
    .venv/bin/python -m tests.perf --quick         # shorter runs, to try the harness

Exit status 1 when a measured target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

import textual

from tests.perf.registry import BENCHMARKS, Options, Result

# Every tests/perf/bench_*.py registers its benchmarks on import; bench_pending fills the gaps.
_HERE = Path(__file__).parent
for _module in sorted(_HERE.glob("bench_*.py"), key=lambda p: p.stem == "bench_pending"):
    importlib.import_module(f"tests.perf.{_module.stem}")

COLUMNS = ("#", "benchmark", "figure", "baseline (same run)", "target", "result")


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, textual {textual.__version__}, "
        f"{platform.system()} {platform.release()}"
    )


def verdict(result: Result) -> str:
    if result.passed is None:
        return "n/a"
    return "PASS" if result.passed else "FAIL"


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf", description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers, e.g. 2,7")
    parser.add_argument("--quick", action="store_true", help="shorter runs (not for the figures)")
    parser.add_argument(
        "--memory-seconds",
        type=float,
        default=60.0,
        help="how long #3 checks RSS stays flat (default 60; the issue asks 300)",
    )
    parser.add_argument(
        "--key-seconds", type=float, default=6.0, help="how long keys are pressed per measurement (default 6)"
    )
    args = parser.parse_args(argv)
    wanted = {int(n) for n in args.only.split(",") if n.strip()} or set(BENCHMARKS)
    options = Options(quick=args.quick, memory_seconds=args.memory_seconds, key_seconds=args.key_seconds)

    print(f"machine: {machine()}", flush=True)
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} (figures are only comparable "
        "on an otherwise idle machine)",
        flush=True,
    )
    loads = [os.getloadavg()[0]]
    rows: list[tuple[str, ...]] = [COLUMNS]
    notes: list[str] = []
    failed = False
    for number in sorted(wanted & set(BENCHMARKS)):
        bench = BENCHMARKS[number]
        print(f"#{number} {bench.title}", flush=True)
        started = time.perf_counter()
        try:
            outcome = bench.run(options)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            outcome = Result("error", "", "", False, f"{type(exc).__name__}: {exc}")
        loads.append(os.getloadavg()[0])
        print(f"  ({time.perf_counter() - started:.0f} s, load average {loads[-1]:.2f})", flush=True)
        for result in outcome if isinstance(outcome, list) else [outcome]:
            label = f"#{number}{result.row}"
            failed |= result.passed is False
            rows.append(
                (label, result.title or bench.title, result.figure, result.baseline, result.target,
                 verdict(result))
            )
            if result.note:
                notes.append(f"{label}: {result.note}")
    print()
    print(table(rows))
    print(f"load average (1 min) during the run: {min(loads):.2f}-{max(loads):.2f}")
    for note in notes:
        print(note)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
