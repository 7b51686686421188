"""#2 Log ingest: the highest rate 10 visible panes take while a key pressed every 100 ms is
answered within 100 ms (p95), in a real terminal."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from tests.perf.pty_session import PtySession, app_command, percentile, time_keys
from tests.perf.registry import Options, Result, benchmark, log

P95_LIMIT = 0.100
TARGET_RATE = 50_000
CPU_RATE = 10_000
APP = "tests.perf.apps.stream_app"

# Rates tried in order, per widget, until one fails twice.
LADDERS = {
    "logpane": [10_000, 25_000, 50_000, 100_000, 200_000, 400_000],
    "log": [100, 250, 500, 1_000, 2_000, 4_000],
    "log-batched": [1_000, 2_500, 5_000, 10_000, 20_000, 40_000],
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
            cpu_before, wall_before = session.cpu_seconds(), time.perf_counter()
            latencies = time_keys(session, seconds)
            cpu = (session.cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    stats["cpu"] = cpu  # share of one core the app used while keys were pressed
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
        f"achieved {achieved:,.0f}/s, app CPU {stats['cpu']:4.0%} of a core "
        f"-> {'ok' if ok else 'too slow'}",
    )
    return ok, p95, achieved


def highest_rate(widget: str, options: Options) -> tuple[int, float]:
    """The highest rate on the widget's ladder that held, and its key p95 (0, nan if none)."""
    best, best_p95 = 0, float("nan")
    ladder = LADDERS[widget][:3] if options.quick else LADDERS[widget]
    for rate in ladder:
        ok, p95, _ = sustained(widget, rate, options)
        if not ok:
            ok, p95, _ = sustained(widget, rate, options)  # one retry: a noisy machine
        if not ok:
            break
        best, best_p95 = rate, p95
    return best, best_p95


def _rate(widget: str, rate: int) -> str:
    return f"< {LADDERS[widget][0]:,}/s" if rate == 0 else f"{rate:,}/s"


def cpu_share(widget: str, rate: int, options: Options) -> float:
    """Share of one core the app uses at `rate`: less sensitive to other load than latency."""
    _, stats = run_stream(widget, "ingest", rate, min(options.key_seconds, 4.0))
    log(options, f"{widget:12s} {rate:>8,} lines/s: app CPU {stats['cpu']:.0%} of a core")
    return float(stats["cpu"])


@benchmark(2, "Log ingest, 10 panes, key p95 <= 100 ms")
def log_ingest(options: Options) -> Result:
    ours, p95 = highest_rate("logpane", options)
    naive, _ = highest_rate("log", options)
    batched, _ = highest_rate("log-batched", options)
    cpu_ours = cpu_share("logpane", CPU_RATE, options)
    cpu_log = cpu_share("log-batched", CPU_RATE, options)
    top = " (top of ladder)" if ours == LADDERS["logpane"][-1] else ""
    return Result(
        figure=f"{_rate('logpane', ours)}{top}, p95 {p95 * 1000:.0f} ms; CPU {cpu_ours:.0%}",
        baseline=f"Log: {_rate('log', naive)} per line, {_rate('log-batched', batched)} "
        f"batched; CPU {cpu_log:.0%}",
        target=f">= {TARGET_RATE:,} lines/s",
        passed=ours >= TARGET_RATE,
        note="highest rate tried at which key p95 <= 100 ms (rates: "
        + ", ".join(f"{r:,}" for r in LADDERS["logpane"])
        + f"); CPU = share of one core at {CPU_RATE:,} lines/s; "
        "Log batched = write_lines every 100 ms",
    )
