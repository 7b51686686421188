"""Run a program in a real pseudo-terminal, drain what it draws, press keys and time them."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALT_SCREEN = b"\x1b[?1049h"
CTRL_Q = b"\x11"
_KEY_MARKER = re.compile(rb"KEY(\d{6})")
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def app_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


class PtySession:
    """One child process on the slave side of a pty of the given size."""

    def __init__(self, command: list[str], *, columns: int = 200, rows: int = 60) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
        env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=REPO,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.bytes_read = 0
        self._tail = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def read(self, timeout: float) -> bytes:
        """What the child wrote within `timeout` seconds (b"" if nothing)."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 20)
        except OSError:  # the child closed the terminal
            return b""
        self.bytes_read += len(data)
        return data

    def drain(self, seconds: float, on_data: Callable[[bytes, float], None] | None = None) -> None:
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            data = self.read(min(left, 0.05))
            if data and on_data is not None:
                on_data(data, time.perf_counter())

    def wait_for(self, needle: bytes, timeout: float) -> float | None:
        """Seconds since start when `needle` first appeared in the output, or None."""
        deadline = time.perf_counter() + timeout
        tail = b""
        while (left := deadline - time.perf_counter()) > 0:
            data = self.read(min(left, 0.05))
            if not data:
                if self.process.poll() is not None:
                    return None
                continue
            window = tail + data
            if needle in window:
                return time.perf_counter() - self.started
            tail = window[-len(needle) :]
        return None

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def cpu_seconds(self) -> float:
        """User + system CPU time the child has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self, quit_keys: bytes = b"q", timeout: float = 10.0) -> None:
        """Ask the app to quit, keep draining so it can, then make sure it is gone."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):  # the child may have closed the terminal
                self.send(quit_keys)
            deadline = time.perf_counter() + timeout
            while self.process.poll() is None and time.perf_counter() < deadline:
                self.read(0.05)
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)  # our own child's session, by its id
            self.process.wait(5)
        os.close(self.master)

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def time_keys(
    session: PtySession, seconds: float, interval: float = 0.1, key: bytes | Sequence[bytes] = b"x"
) -> list[float]:
    """Press `key` (or each of a sequence of keys in turn) every `interval` s for `seconds`;
    per press, the seconds until the app drew a KEYnnnnnn marker with that count or later.
    Presses never acknowledged count as the time they waited until the end."""
    keys = [key] if isinstance(key, bytes) else list(key)
    sent: list[float] = []
    acked: dict[int, float] = {}
    seen = 0
    tail = b""
    start = time.perf_counter()
    next_press = start
    end = start + seconds
    grace = end + 1.0  # let the last presses be answered
    while True:
        now = time.perf_counter()
        if now >= grace or (now >= end and seen >= len(sent)):
            break
        if now >= next_press and now < end:
            session.send(keys[len(sent) % len(keys)])
            sent.append(now)
            next_press += interval
        wait = (next_press if now < end else grace) - time.perf_counter()
        data = session.read(min(max(wait, 0.0), 0.02))
        if not data:
            continue
        window = tail + data
        tail = window[-16:]
        counts = [int(m.group(1)) for m in _KEY_MARKER.finditer(window)]
        if counts and max(counts) > seen:
            at = time.perf_counter()
            for n in range(seen + 1, max(counts) + 1):
                acked[n] = at
            seen = max(counts)
    final = time.perf_counter()
    return [acked.get(n + 1, final) - t for n, t in enumerate(sent)]


def first_frame_seconds(
    command: list[str], *, min_chars: int = 10, timeout: float = 20.0, columns: int = 80, rows: int = 24
) -> float | None:
    """Process start to the first rendered frame: the alternate screen switched on, then at
    least `min_chars` printable characters drawn (escape sequences not counted)."""
    session = PtySession(command, columns=columns, rows=rows)
    try:
        buffer = b""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            data = session.read(0.05)
            if not data:
                if session.process.poll() is not None:
                    return None
                continue
            buffer += data
            at = buffer.find(ALT_SCREEN)
            if at < 0:
                continue
            visible = _ESCAPES.sub(b"", buffer[at + len(ALT_SCREEN) :])
            if len(visible.strip()) >= min_chars:
                return time.perf_counter() - session.started
        return None
    finally:
        session.close(quit_keys=CTRL_Q)  # Textual's default quit key


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
