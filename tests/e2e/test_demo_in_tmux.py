"""`ownstack-tui demo` in a real terminal (tmux): deploy with a key, watch three panes, quit clean."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.sandbox import write_sandbox_fleet

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux is not installed"
)


class Tmux:
    def __init__(self, socket_name: str) -> None:
        self.base = ["tmux", "-L", socket_name, "-f", "/dev/null"]

    def __call__(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "demo")

    def wait_for(self, pattern: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"never saw {pattern!r} on screen:\n{self.screen()}")


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_deploys_three_stacks_live_and_quitting_leaves_nothing_behind(tmp_path: Path) -> None:
    tmux = Tmux(f"ownstack-test-{os.getpid()}")
    exit_file = tmp_path / "exit-status"
    temp_root = tmp_path / "tmp"  # the demo's temp folder (and its fleet file) goes here
    temp_root.mkdir()
    env = {
        "OWNSTACK_TUI_HOME": os.environ["OWNSTACK_TUI_HOME"],
        "HOME": os.environ["HOME"],
        "TERM": "xterm-256color",
        "TMPDIR": str(temp_root),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"{exports} {shlex.quote(sys.executable)} -m ownstack_tui demo; echo $? > {exit_file}"
    tmux("new-session", "-d", "-s", "demo", "-x", "160", "-y", "50", command)
    try:
        tmux("resize-window", "-t", "demo", "-x", "160", "-y", "50")
        tmux.wait_for(r"Stacks")
        tmux.wait_for(r"checked \d+s ago")
        (fleet_file,) = temp_root.glob("ownstack-demo-*/fleet.toml")
        ports = [int(port) for port in re.findall(r"(?m)^port = (\d+)$", fleet_file.read_text())]
        assert len(ports) == 3 and all(port_is_open(port) for port in ports)
        tmux("send-keys", "-t", "demo", "d")
        tmux.wait_for(r"Deploy shop to production\?")
        tmux("send-keys", "-t", "demo", "y")
        streaming = tmux.wait_for(r"(building|releasing|succeeded)")
        for stack in ("staging", "prod-east", "prod-west"):
            assert re.search(rf"{stack} · (connecting|building|releasing|succeeded)", streaming)
        tmux.wait_for(r"(?s)(succeeded.*){3}")
        # Every pane shows its own tail (a pane's lines arrive a flush after its title).
        tmux.wait_for(r"(?s)(Application deployed.*){2}", timeout=10)
        tmux("send-keys", "-t", "demo", "q")
        deadline = time.monotonic() + 30
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)
    assert not any(port_is_open(port) for port in ports)
    assert list(temp_root.iterdir()) == []  # the demo's folder, keys and all, is gone
    assert demos_of_this_test(env["OWNSTACK_TUI_HOME"]) == []



def test_refresh_after_a_deploy_from_the_command_line_shows_the_stacks_sha(
    trusted_sandbox: object, demo_repo: Path, clean_faults: None, tmp_path: Path
) -> None:
    """The console open in a terminal, a plain `deploy` beside it, then F5: the sidebar shows
    the SHA the stack now reports."""
    fleet = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, "e2e-refresh", demo_repo,
                                needs_postgres=False)
    # A long interval: within this test only F5 can read the stacks again.
    fleet.write_text(fleet.read_text() + "\n[console]\nrefresh_interval = 300\n")
    sha = subprocess.run(["git", "-C", str(demo_repo), "rev-parse", "HEAD"], check=True,
                         capture_output=True, text=True).stdout.strip()
    tmux = Tmux(f"ownstack-refresh-{os.getpid()}")
    env = {name: os.environ[name] for name in ("OWNSTACK_TUI_HOME", "HOME")}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**env, "TERM": "xterm-256color"}.items())
    console = f"{exports} {shlex.quote(sys.executable)} -m ownstack_tui --fleet {shlex.quote(str(fleet))}"
    tmux("new-session", "-d", "-s", "demo", "-x", "160", "-y", "50", console)
    try:
        tmux.wait_for(r"checked \d+s ago")
        assert sha[:7] not in tmux.screen()
        deploy = subprocess.run(
            [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "deploy", "e2e-refresh",
             "--stack", "staging", "--wait"],
            capture_output=True, text=True, timeout=120, env={**os.environ, **env},
        )
        assert deploy.returncode == 0, deploy.stderr
        tmux("send-keys", "-t", "demo", "F5")
        tmux.wait_for(rf"{sha[:7]} up", timeout=20)
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)


def test_in_a_real_terminal_the_logs_filter_shows_lines_and_a_typed_burst_fills_the_form(
    tmp_path: Path,
) -> None:
    """Keys arrive as a terminal sends them: `send-keys -l` delivers a whole string at once."""
    tmux = Tmux(f"ownstack-burst-{os.getpid()}")
    env = {
        "OWNSTACK_TUI_HOME": os.environ["OWNSTACK_TUI_HOME"],
        "HOME": os.environ["HOME"],
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"{exports} {shlex.quote(sys.executable)} -m ownstack_tui demo"
    tmux("new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", command)
    try:
        tmux("resize-window", "-t", "demo", "-x", "120", "-y", "40")
        tmux.wait_for(r"checked \d+s ago")
        tmux("send-keys", "-t", "demo", "1", "s")  # staging alone: no confirmation
        tmux.wait_for(r"staging · succeeded")
        tmux("send-keys", "-t", "demo", "5")
        tmux.wait_for(r"GET /")
        tmux("send-keys", "-t", "demo", "/")
        tmux.wait_for(r"filter: text or /regex/")
        tmux("send-keys", "-t", "demo", "-l", "GET /health")
        tmux("send-keys", "-t", "demo", "Tab", "BSpace", "0", "Enter")  # no context lines
        tmux.wait_for(r"filter 'GET /health' ±0")
        shown = tmux.wait_for(r"│\d\d:\d\d:\d\d app\[web\.1\]: .*GET /health")
        pane = shown.split("staging · following", 1)[1].split("╰", 1)[0]
        lines = [row for row in pane.splitlines() if "app[" in row]
        assert lines and all("GET /health" in row for row in lines), shown

        tmux("send-keys", "-t", "demo", "3")
        tmux.wait_for(r"Key +app level")
        # "a" opens the form; the rest arrives before the form is up.
        tmux("send-keys", "-t", "demo", "-l", "aGREETING\thello there")
        tmux.wait_for(r"Add a key")
        tmux("send-keys", "-t", "demo", "C-s")
        tmux.wait_for(r"GREETING +hello there ✎")  # the key, and the value in its own field
        tmux("send-keys", "-t", "demo", "q")
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)


def demos_of_this_test(home: str) -> list[str]:
    """Running `ownstack_tui demo` processes with this test's home (other checkouts on the
    machine may be running demos of their own)."""
    mark = f"OWNSTACK_TUI_HOME={home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if "ownstack_tui demo" in cmdline and mark in environ:
            found.append(cmdline)
    return found
