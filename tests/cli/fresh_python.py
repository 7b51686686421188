"""A probe script in a fresh interpreter with its own bytecode folder: what the kept caches
(dataclass_cache, regex_cache) write and read across runs, isolated from the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_probe(
    probe: str, pycache: Path, *, path: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``probe`` with bytecode (and so the caches) under ``pycache``, ``path`` first on
    sys.path; bytecode is written unless ``env`` sets PYTHONDONTWRITEBYTECODE."""
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache), **env)
    if path is not None:
        environment["PYTHONPATH"] = os.pathsep.join([str(path), os.environ.get("PYTHONPATH", "")])
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    if "PYTHONDONTWRITEBYTECODE" in env:
        environment["PYTHONDONTWRITEBYTECODE"] = env["PYTHONDONTWRITEBYTECODE"]
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=environment, timeout=60)
