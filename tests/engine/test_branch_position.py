"""Reading where SHAs sit on the branch runs git; a console that quits meanwhile leaves none."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from ownstack_tui.engine.branch_position import branch_positions


def test_a_reading_cancelled_while_git_runs_ends_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "git.pid"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    slow_git = bin_dir / "git"  # a git that hangs, as one reading a huge repository does
    slow_git.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 30\n")
    slow_git.chmod(slow_git.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    async def quit_while_reading() -> None:
        reading = asyncio.ensure_future(branch_positions(str(tmp_path), "main", ["a" * 40]))
        while not pid_file.exists() or not pid_file.read_text().strip():
            await asyncio.sleep(0.01)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading

    asyncio.run(quit_while_reading())
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # ended and reaped, not left running
        os.kill(pid, 0)
