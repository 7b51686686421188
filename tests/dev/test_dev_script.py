"""`./dev` from a fresh clone: it says what the half-minute install is before it starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
# Stands in for python3: `-m venv DIR` makes a venv holding this same stub, `-m pip` does
# nothing, so the test sees ./dev's own messages without a real half-minute install.
FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    cp "$0" "$3/bin/python"
    printf '#!/bin/sh\\necho "ownstack-tui $*"\\n' > "$3/bin/ownstack-tui"
    chmod +x "$3/bin/ownstack-tui"
fi
exit 0
"""


def fresh_clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(ROOT / "dev", clone / "dev")
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    return clone, {**os.environ, "PYTHON": str(fake)}


def test_the_first_run_says_it_is_installing_and_a_changed_pyproject_says_it_reinstalls(
    tmp_path: Path,
) -> None:
    clone, env = fresh_clone(tmp_path)
    first = subprocess.run(["./dev", "run", "stacks"], cwd=clone, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stderr == "first run: installing into .venv (about 30 s)…\n"
    assert first.stdout == "ownstack-tui stacks\n"

    again = subprocess.run(["./dev", "run", "stacks"], cwd=clone, env=env, capture_output=True, text=True)
    assert (again.returncode, again.stderr) == (0, "")

    later = time.time() + 5
    os.utime(clone / "pyproject.toml", (later, later))
    changed = subprocess.run(["./dev", "run", "stacks"], cwd=clone, env=env, capture_output=True, text=True)
    assert changed.stderr == "pyproject.toml changed: reinstalling into .venv (about 30 s)…\n"
