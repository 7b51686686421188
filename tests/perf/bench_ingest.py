"""#2 Log ingest: the highest rate 10 visible panes take while a key pressed every 100 ms is
answered within 100 ms (p95), in a real terminal."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tests.perf.pty_session import PtySession, app_command, percentile, time_keys
from tests.perf.registry import Options, Result, benchmark, log

P95_LIMIT = 0.100
TARGET_RATE = 50_000
APP = "tests.perf.apps.stream_app"

# Rates tried in order, per widget, until one fails twice.
LADDERS = {
    "logpane": [10_000, 25_000, 50_000, 100_000, 200_000, 400_000],
    "log": [250, 500, 1_000, 2_000, 4_000],
    "log-batched": [2_500, 5_000, 10_000, 20_000, 40_000],
}


def run_stream(widget: str, mode: str, rate: int, seconds: float, *extra: str) -> tuple[list[float], dict]:
    """Start the stream app in a pty, let it warm up 1 s, press keys for `seconds`; returns
    the key latencies and the app's own stats (lines sent, elapsed)."""
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        command = app_command(
            APP,
            "--widget",
            widget,
            "--mode",
            mode,
            "--rate",
            str(rate),
            "--stats",
            str(stats_path),
            "--gc-freeze",
            *extra,
        )
        with PtySession(command) as session:
            if session.wait_for(b"KEY000000", timeout=20) is None:
                raise RuntimeError(f"the stream app ({widget}) did not start")
            session.drain(1.0)
            latencies = time_keys(session, seconds)
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    return latencies, stats


def sustained(widget: str, rate: int, options: Options) -> tuple[bool, float, float]:
    """(passed, p95 seconds, achieved lines/s) at one rate."""
    latencies, stats = run_stream(widget, "ingest", rate, options.key_seconds)
    p95 = percentile(latencies, 0.95)
    achieved = stats.get("sent", 0) / stats["elapsed"] if stats.get("elapsed") else 0.0
    ok = p95 <= P95_LIMIT and achieved >= 0.95 * rate
    log(
        options,
        f"{widget:12s} {rate:>8,} lines/s: key p95 {p95 * 1000:5.0f} ms, "
        f"achieved {achieved:,.0f}/s -> {'ok' if ok else 'too slow'}",
    )
    return ok, p95, achieved


def highest_rate(widget: str, options: Options) -> int:
    best = 0
    ladder = LADDERS[widget][:3] if options.quick else LADDERS[widget]
    for rate in ladder:
        ok = sustained(widget, rate, options)[0]
        if not ok:
            ok = sustained(widget, rate, options)[0]  # one retry: a noisy machine
        if not ok:
            break
        best = rate
    return best


@benchmark(2, "Log ingest, 10 panes, key p95 <= 100 ms")
def log_ingest(options: Options) -> Result:
    ours = highest_rate("logpane", options)
    naive = highest_rate("log", options)
    batched = highest_rate("log-batched", options)
    return Result(
        figure=f"{ours:,} lines/s" + (" (ladder top)" if ours == LADDERS["logpane"][-1] else ""),
        baseline=f"Log: {naive:,}/s per line, {batched:,}/s in 100 ms batches",
        target=f">= {TARGET_RATE:,} lines/s",
        passed=ours >= TARGET_RATE,
        note="highest rate tried that held; 0 means even the lowest rate tried failed",
    )
