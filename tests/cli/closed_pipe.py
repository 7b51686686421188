"""Run ownstack-tui as a process whose stdout is a pipe nobody reads any more (`| head` gone)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_into_closed_pipe(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The reading end is closed before the command writes, so its first write meets EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "ownstack_tui", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            cwd=Path(__file__).parents[2],
        )
    finally:
        os.close(write_end)
