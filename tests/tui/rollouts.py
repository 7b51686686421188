"""Consoles for rollout tests: an app with an ``[apps.NAME.rollout]`` table on the fake stacks,
a second commit to roll out over the first, and what the wave bar and panes show."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.widgets.wave_bar import WaveBar
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import STACKS, write_fake_fleet
from tests.tui.seen import main

WAVES_OF_ONE = 'waves = [["staging"], ["prod-east"], ["prod-west"]]'


def with_rollout(path: Path, app: str, table: str) -> Path:
    """``[apps.APP.rollout]`` with ``table``'s lines added to the fleet file."""
    with path.open("a") as handle:
        handle.write(f"\n[apps.{app}.rollout]\n{table}\n")
    return path


def rollout_console(fake: FakeBackend, repo: Path, app: str, table: str,
                    fleet_path: Path | None = None) -> OwnstackApp:
    path = fleet_path or Path.home() / f"{app}-fleet.toml"
    write_fake_fleet(path, app, repo, needs_postgres=False)
    return build_console(with_rollout(path, app, table), fake)


def commit(repo: Path, text: str) -> str:
    """A new commit on main changing app.py (dates from the environment: fixed in snapshots)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Sandbox", "GIT_AUTHOR_EMAIL": "sandbox@example.org",
           "GIT_COMMITTER_NAME": "Sandbox", "GIT_COMMITTER_EMAIL": "sandbox@example.org"}
    (repo / "app.py").write_text(f"print({text!r})\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", text], check=True, env=env)
    return head(repo)


def head(repo: Path | str | None) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


async def deployed_everywhere(app: OwnstackApp) -> str:
    """The app's branch tip deployed to every stack straight through the engine (no console)."""
    run = await app.engine.start_deploy(app.app_model, list(STACKS)).wait()
    assert run.succeeded, [job.reason for job in run.jobs]
    return run.jobs[0].sha or ""


def wave_bar(app: Any) -> str:
    """The wave bar's text as shown ("" while hidden)."""
    bar = main(app).query_one(WaveBar)
    return bar.describe() if bar.has_class("-shown") else ""
