"""Run the plain commands in-process, the way a user runs them, and capture what they print."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.cli import main


@dataclass
class Result:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.fleet = fleet
        self.capsys = capsys

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        status = main(["--fleet", str(self.fleet), *argv])
        captured = self.capsys.readouterr()
        return Result(status, captured.out, captured.err)


def make_git_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", branch, str(path)], check=True)
    return path
