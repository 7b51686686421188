"""`ownstack-tui demo` keeps to its temp folder, and a hangup or a kill removes that folder
(it holds private keys) and stops the sandbox stacks, as `q` does."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

from tests.e2e.test_demo_in_tmux import Tmux, port_is_open

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux is not installed"
)
ROOT = Path(__file__).parents[2]


def wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("ending", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_the_demo_leaves_nothing_behind_when_hung_up_or_killed(tmp_path: Path, ending: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # A temp root of its own (short: unix socket paths under it must stay short).
    temp_root = Path(tempfile.mkdtemp(prefix="osd-", dir="/tmp"))
    env = {
        "HOME": str(home),
        "TMPDIR": str(temp_root),
        "TERM": "xterm-256color",
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tmux = Tmux(f"ownstack-cleanup-{os.getpid()}")
    # `exec`: the pane's process is the console itself, so its pid is the one to signal.
    tmux("new-session", "-d", "-s", "demo", "-x", "120", "-y", "40",
         f"exec env -i {exports} {shlex.quote(sys.executable)} -m ownstack_tui demo")
    try:
        pid = int(tmux("list-panes", "-t", "demo", "-F", "#{pane_pid}").split()[0])
        tmux.wait_for(r"(up|checked) \d+s ago")
        (fleet_path,) = temp_root.glob("ownstack-demo-*/fleet.toml")
        fleet = tomllib.loads(fleet_path.read_text())
        ports = [int(stack["port"]) for stack in fleet["stacks"].values()]
        assert len(ports) == 3 and all(port_is_open(port) for port in ports)
        if ending == "terminal closed":
            tmux("kill-session", "-t", "demo")
        else:
            os.kill(pid, getattr(signal, ending))
        wait_until(lambda: not is_running(pid), 30, f"the console to end after {ending}")
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)
    try:
        assert sorted(os.listdir(temp_root)) == []
        assert not any(port_is_open(port) for port in ports)
        for leaked in (home / ".local/share/ownstack-tui", home / ".config/ownstack-tui"):
            assert not leaked.exists(), leaked
        assert not re.search(r"127\.0\.0\.1", _text_under(home))
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)


def _text_under(folder: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file())
