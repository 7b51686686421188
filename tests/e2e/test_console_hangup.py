"""The console in a real terminal, hung up or killed at a rollout's gate (the operator's SSH
session dropped): it ends as `q` does, the rollout cancelled and every deploy lock released,
never left held in the name of a console that is gone."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_demo_in_tmux import Tmux
from tests.fixtures.sandbox import write_sandbox_fleet

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux is not installed"
)
LOCK_KEY = "OWNSTACK_DEPLOY_LOCK"


def lock_on(stack: Any, app: str) -> dict[str, Any] | None:
    """The deploy lock's record as the stack holds it (None: not held)."""
    if not stack.state.app_exists(app):
        return None
    value = stack.state.read_env(app).get(LOCK_KEY)
    return json.loads(value) if value else None


def ended(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("ending", ["SIGHUP", "SIGTERM"])
def test_a_console_hung_up_at_a_gate_cancels_the_rollout_and_frees_its_locks(
    trusted_sandbox: Any, demo_repo: Path, clean_faults: None, tmp_path: Path, ending: str
) -> None:
    app = f"e2e-{ending.lower()}"
    fleet = write_sandbox_fleet(tmp_path / "fleet.toml", trusted_sandbox, app, demo_repo,
                                needs_postgres=False)
    fleet.write_text(fleet.read_text() + f'\n[apps.{app}.rollout]\n'
                     'waves = [["staging"], ["prod-east", "prod-west"]]\ngate = "manual"\n')
    env = {name: os.environ[name] for name in ("OWNSTACK_TUI_HOME", "HOME")}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**env, "TERM": "xterm-256color"}.items())
    tmux = Tmux(f"ownstack-hangup-{os.getpid()}-{ending}")
    # `exec`: the pane's process is the console itself, so its pid is the one to signal.
    console = f"{shlex.quote(sys.executable)} -m ownstack_tui --fleet {shlex.quote(str(fleet))}"
    tmux("new-session", "-d", "-s", "demo", "-x", "160", "-y", "50", f"exec env {exports} {console}")
    try:
        tmux("resize-window", "-t", "demo", "-x", "160", "-y", "50")
        pid = int(tmux("list-panes", "-t", "demo", "-F", "#{pane_pid}").split()[0])
        tmux.wait_for(r"checked \d+s ago")
        tmux("send-keys", "-t", "demo", "d")
        tmux.wait_for(r"to production\?")
        tmux("send-keys", "-t", "demo", "y")
        tmux.wait_for(r"wave 2 ⏸ waiting")
        held = lock_on(trusted_sandbox["staging"], app)
        assert held is not None and "(console)" in held.get("command", ""), held
        os.kill(pid, getattr(signal, ending))
        assert ended(pid, 30), f"the console still runs after {ending}"
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)
    assert {stack.name: lock_on(stack, app) for stack in trusted_sandbox} == {
        stack.name: None for stack in trusted_sandbox
    }
    history = subprocess.run(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(fleet), "--json", "history", "--app", app],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env},
    )
    assert history.returncode == 0, history.stderr
    statuses = {entry["stack"]: entry["status"] for entry in json.loads(history.stdout)}
    assert statuses == {"staging": "succeeded", "prod-east": "skipped", "prod-west": "skipped"}
