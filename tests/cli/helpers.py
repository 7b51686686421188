"""Run the plain commands in-process, the way a user runs them, and capture what they print."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.cli import main
from ownstack_tui.engine.polls import PollIntervals
from tests.fixtures.polls import FAST_POLLS


@dataclass
class Result:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(
        self, fleet: Path, capsys: pytest.CaptureFixture[str], polls: PollIntervals = FAST_POLLS
    ) -> None:
        self.fleet = fleet
        self.capsys = capsys
        self.polls = polls

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        status = main(["--fleet", str(self.fleet), *argv], polls=self.polls)
        captured = self.capsys.readouterr()
        return Result(status, captured.out, captured.err)


def make_git_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", branch, str(path)], check=True)
    return path


def follow_until(argv: list[str], wanted: str, limit: float = 30.0) -> tuple[int, str, str]:
    """Run ``ownstack-tui ARGV`` until its stderr shows ``wanted`` (or ``limit`` passes), then
    Ctrl-C it; returns (exit status, stdout, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    err: list[str] = []
    seen = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            err.append(line)
            if wanted in line:
                seen.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        seen.wait(limit)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(5)
    return process.returncode, out, "".join(err)


def interrupt_while_building(argv: list[str], app: str, jobs: int) -> tuple[int, str, str]:
    """Run ``ownstack-tui ARGV`` until history shows ``jobs`` jobs of ``app`` building, then
    Ctrl-C it; returns (exit status, stdout, stderr)."""
    from ownstack_tui.engine.history import History
    from ownstack_tui.model.deploy import DeployStatus

    process = subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            entries = History().entries(app=app)
            if len(entries) == jobs and all(e.status is DeployStatus.BUILDING for e in entries):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the deploy never reached the build")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, out, err
