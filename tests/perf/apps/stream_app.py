"""The app the ingest, memory and long-line benchmarks run in a pty.

Ten log panes (ours, or Textual's Log as the baseline) in a grid, fed from a timer at a given
rate. Pressing `x` bumps a counter shown as `KEY000123` in the top bar: the parent process
times key to rendered marker. `q` writes stats (JSON) and quits.

    python -m tests.perf.apps.stream_app --widget logpane --mode ingest --rate 50000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Log

from ownstack_tui.tui.widgets import LogPane
from tests.perf.apps.lines import line_pool, long_line

WIDGETS = ("logpane", "log", "log-batched")
MODES = ("ingest", "memory", "longline")


class _Feed:
    """Hands out slices of a fixed pool of lines, so making lines costs nothing measurable."""

    def __init__(self) -> None:
        self.pool = line_pool()
        self.cursor = 0

    def take(self, count: int, distinct: bool = False) -> list[str]:
        """`count` lines; `distinct` makes each a new string object, as lines read from a
        stream are (the memory benchmark must not share one string between many lines)."""
        out: list[str] = []
        while count > 0:
            part = self.pool[self.cursor : self.cursor + count]
            out.extend([line + " " for line in part] if distinct else part)
            count -= len(part)
            self.cursor = (self.cursor + len(part)) % len(self.pool)
        return out


class KeyProbe(Widget):
    """Shows the key count; repaints itself only (no screen layout), like a pane scrolling."""

    DEFAULT_CSS = "KeyProbe { dock: top; height: 1; width: 100%; background: $primary; }"

    def __init__(self) -> None:
        super().__init__(id="bar")
        self.text = "KEY000000"

    def show(self, text: str) -> None:
        self.text = text
        self.refresh()

    def render(self) -> str:
        return self.text


class StreamApp(App[None]):
    CSS = """
    Screen { layout: grid; grid-size: 2; grid-gutter: 0; }
    Log { border: round $panel-lighten-2; }
    """
    BINDINGS = [  # noqa: RUF012
        Binding("x", "key_probe", "probe", priority=True),
        Binding("q", "finish", "quit", priority=True),
    ]

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__()
        self.args = args
        self.keys = 0
        self.sent = 0
        self.long_sent = 0
        self.feed = _Feed()
        self.started = 0.0
        self.phase1_done_at: float | None = None
        self.pending: list[list[str]] = []
        self.writers: list[Callable[[list[str]], None]] = []

    def compose(self) -> ComposeResult:
        yield KeyProbe()
        for index in range(self.args.panes):
            if self.args.widget == "logpane":
                yield LogPane(max_lines=self.args.max_lines, title=f"stack-{index}")
            else:
                yield Log(max_lines=self.args.max_lines)

    def on_mount(self) -> None:
        panes = list(self.query(LogPane)) or list(self.query(Log))
        for pane in panes:
            if isinstance(pane, LogPane):
                self.writers.append(pane.append)
            elif self.args.widget == "log":
                # The naive way: each line written as it arrives.
                self.writers.append(lambda lines, log=pane: [log.write_line(x) for x in lines])
            else:
                # Textual's Log fed in 100 ms batches with write_lines.
                buffer: list[str] = []
                self.pending.append(buffer)
                self.writers.append(buffer.extend)
                self.set_interval(0.1, lambda log=pane, buf=buffer: self._flush_log(log, buf))
        if self.args.mode == "longline":
            long_line()  # made (and cached) before the clock starts
        if self.args.gc_freeze:
            # What the real app should do once its screen is up: move the start-up objects out
            # of the collector's way (full collections had 50-100 ms pauses otherwise).
            gc.freeze()

        self.started = time.perf_counter()
        self.set_interval(self.args.tick, self.tick)

    @staticmethod
    def _flush_log(log: Log, buffer: list[str]) -> None:
        if buffer:
            log.write_lines(buffer)
            buffer.clear()

    def tick(self) -> None:
        now = time.perf_counter() - self.started
        args = self.args
        if args.mode == "memory" and self.phase1_done_at is None:
            self._send_chunks(args.chunk)
            if self.sent >= args.total:
                self.phase1_done_at = now
                self.query_one(KeyProbe).show(f"PHASE1 KEY{self.keys:06d}")
                self.started = time.perf_counter()
                self.sent_before_steady = self.sent
            return
        base = getattr(self, "sent_before_steady", 0)
        due = int(args.rate * now) - (self.sent - base)
        if due > 0:
            share, extra = divmod(due, len(self.writers))
            for index, write in enumerate(self.writers):
                count = share + (index < extra)
                if count:
                    write(self.feed.take(count, distinct=args.mode == "memory"))
            self.sent += due
        if args.mode == "longline" and now >= args.long_every * (self.long_sent + 1):
            self.writers[self.long_sent % len(self.writers)]([long_line()])
            self.long_sent += 1

    def _send_chunks(self, chunk: int) -> None:
        for write in self.writers:
            write(self.feed.take(chunk, distinct=True))
        self.sent += chunk * len(self.writers)

    def action_key_probe(self) -> None:
        self.keys += 1
        prefix = "PHASE1 " if self.phase1_done_at is not None else ""
        self.query_one(KeyProbe).show(f"{prefix}KEY{self.keys:06d}")

    def action_finish(self) -> None:
        if self.args.stats:
            elapsed = time.perf_counter() - self.started
            stats = {
                "sent": self.sent,
                "elapsed": elapsed,
                "keys": self.keys,
                "long_sent": self.long_sent,
                "phase1_done_at": self.phase1_done_at,
            }
            with open(self.args.stats, "w") as handle:
                json.dump(stats, handle)
        self.exit()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--widget", choices=WIDGETS, default="logpane")
    parser.add_argument("--mode", choices=MODES, default="ingest")
    parser.add_argument("--panes", type=int, default=10)
    parser.add_argument("--rate", type=int, default=10_000, help="lines/s over all panes")
    parser.add_argument("--tick", type=float, default=0.01)
    parser.add_argument("--max-lines", type=int, default=10_000)
    parser.add_argument("--total", type=int, default=1_000_000, help="memory mode: phase 1")
    parser.add_argument("--chunk", type=int, default=1000, help="memory mode: lines/pane/tick")
    parser.add_argument("--long-every", type=float, default=1.0)
    parser.add_argument("--stats", default="")
    parser.add_argument("--gc-freeze", action="store_true")
    return parser.parse_args(argv)


def main() -> None:
    app = StreamApp(parse_args())
    profile_to = os.environ.get("PERF_PROFILE")
    if not profile_to:
        app.run()
        return
    # For finding where the time goes: python -m pstats PROFILE
    import cProfile

    cProfile.runctx("app.run()", globals(), {"app": app}, profile_to)


if __name__ == "__main__":
    main()
