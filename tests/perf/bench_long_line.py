"""#7 Long lines: a 100,000-character line arriving (one a second, into a different pane each
time) while 10 panes stream must not hold a key press for more than 200 ms."""

from __future__ import annotations

from tests.perf.bench_ingest import run_stream
from tests.perf.pty_session import percentile
from tests.perf.registry import Options, Result, benchmark, log

LIMIT = 0.200
BACKGROUND_RATE = 1_000  # lines/s, so the long lines are what is measured


def worst_latency(widget: str, options: Options) -> tuple[float, float, int]:
    latencies, stats = run_stream(
        widget, "longline", BACKGROUND_RATE, options.key_seconds, "--long-every", "1.0"
    )
    worst, p95 = max(latencies), percentile(latencies, 0.95)
    log(
        options,
        f"{widget:12s}: {stats.get('long_sent', 0)} long lines, key max "
        f"{worst * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
    )
    return worst, p95, int(stats.get("long_sent", 0))


@benchmark(7, "Long lines, 100,000 characters, key latency")
def long_lines(options: Options) -> Result:
    worst, p95, sent = worst_latency("logpane", options)
    base_worst, _, _ = worst_latency("log-batched", options)
    return Result(
        figure=f"max {worst * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)",
        baseline=f"Log: max {base_worst * 1000:.0f} ms",
        target=f"max <= {LIMIT * 1000:.0f} ms",
        passed=worst <= LIMIT and sent > 0,
        note=f"{sent} lines of 100,000 characters during the key presses",
    )
