"""The console (OwnstackApp, as `ownstack-tui` builds it) on a big fleet of in-memory stacks,
every stack deploying at once and streaming build lines; for the console benchmark (#14).

The stacks are the tests' FakeBackend with one change: a build never ends, it streams
dokku-shaped lines at `--rate` lines/s over all stacks (each job its own task, as each SSH
channel is). The deploy starts through the Console's own intent once the main screen is up.

Key probe: a one-row bar on the main screen shows `KEY000123`, the count of keys the app has
finished handling: the count is bumped after the Key event went all the way through (the
focused widget, then the bindings' action at the app), so the frame that draws the new count
is no earlier than the one with the key's own effect.

    python -m tests.perf.apps.console_app --stacks 200 --rate 5000 --stats stats.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from textual import events

from ownstack_tui.engine import engine as engine_module
from ownstack_tui.engine.engine import Engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.sandbox.fleet import tagged_stack_names
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.startup_gc import pause_gc_for_startup
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fake_stack import FakeApp, FakeStack
from tests.perf.apps.lines import line_pool
from tests.perf.apps.stream_app import KeyProbe

APP = "shop"


class StreamingBackend(FakeBackend):
    """FakeBackend whose builds stream lines at a fixed rate and never finish."""

    def __init__(self, fleet: object, per_job_rate: float) -> None:
        super().__init__(fleet)  # type: ignore[arg-type]
        self.per_job_rate = per_job_rate
        self.pool = line_pool()
        self.sent = 0
        self.streaming = 0  # jobs whose build has started streaming

    async def _build(  # type: ignore[override]
        self,
        job: DeployJob,
        fake: FakeStack,
        found: FakeApp,
        stack: object,
        sha: str | None,
        types: list[str],
        source: str,
    ) -> None:
        self.streaming += 1
        started = time.perf_counter()
        cursor = hash(job.stack) % len(self.pool)
        sent = 0
        while True:
            # Lines due by now (not per wake-up), so a late wake-up catches up.
            due = int((time.perf_counter() - started) * self.per_job_rate) - sent
            if due > 0:
                lines = [self.pool[(cursor + i) % len(self.pool)] for i in range(due)]
                cursor += due
                job.add_lines(lines)
                sent += due
                self.sent += due
            await asyncio.sleep(0.1)


class ConsolePerfApp(OwnstackApp):
    def __init__(self, args: argparse.Namespace, backend: StreamingBackend, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.args = args
        self.backend = backend
        self.keys = 0
        self.probe = KeyProbe()
        self.started_streaming = 0.0

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)

    async def _start(self) -> None:
        await self.screen.mount(self.probe)
        # As a user would: once the console has started (the main screen starts the Console
        # after its first refresh), not before.
        self.set_timer(1.0, lambda: self.controller.deploy_app(at_once=True))
        self.set_interval(1.0, self._write_stats)

    def on_key(self, _event: events.Key) -> None:
        # Runs once the Key event and the binding it triggered are done (see the docstring).
        self.call_later(self._bump)

    def _bump(self) -> None:
        self.keys += 1
        self.probe.show(f"KEY{self.keys:06d}")

    def _write_stats(self) -> None:
        if not self.started_streaming and self.backend.streaming >= self.args.stacks:
            self.started_streaming = time.perf_counter()
            self.sent_at_start = self.backend.sent
        stats = {
            "streaming": self.backend.streaming,
            "sent": self.backend.sent - getattr(self, "sent_at_start", 0),
            "elapsed": time.perf_counter() - self.started_streaming if self.started_streaming else 0.0,
        }
        path = Path(self.args.stats)
        path.with_suffix(".tmp").write_text(json.dumps(stats))
        os.replace(path.with_suffix(".tmp"), path)


def write_fleet(folder: Path, count: int) -> Path:
    """A fleet file of `count` tagged stacks (the demo's names) and the app on all of them."""
    repo = folder / "shop"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "Procfile").write_text("web: python app.py\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="p", GIT_AUTHOR_EMAIL="p@example.org",
               GIT_COMMITTER_NAME="p", GIT_COMMITTER_EMAIL="p@example.org")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "one"], check=True, env=env)
    fleet_file = FleetFile.load_or_new(folder / "fleet.toml")
    stacks = tagged_stack_names(count)
    fleet_file.add_stacks(
        [{"name": name, "host": "127.0.0.1", "port": 2201 + i, "tags": tags}
         for i, (name, tags) in enumerate(stacks.items())]
    )
    fleet_file.add_app(APP, str(repo), "main", needs_postgres=False, stacks=list(stacks))
    fleet_file.save()
    return folder / "fleet.toml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stacks", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5000.0, help="lines/s over all stacks")
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    # As the launcher does (open_console): collection paused for start-up, then resumed by the
    # main screen with start-up's objects frozen and the console's thresholds.
    pause_gc_for_startup()
    # The engine deploys to at most 32 stacks at a time; the benchmark asks for the worst case
    # on screen, every stack streaming at once.
    engine_module.DEFAULT_PARALLELISM = max(engine_module.DEFAULT_PARALLELISM, args.stacks)
    with tempfile.TemporaryDirectory(prefix="ownstack-perf-console-") as tmp:
        folder = Path(tmp)
        os.environ["OWNSTACK_TUI_HOME"] = str(folder / "home")  # history and known_hosts
        fleet_path = write_fleet(folder, args.stacks)
        fleet = FleetFile.load(fleet_path).fleet
        backend = StreamingBackend(fleet, args.rate / args.stacks)
        app = ConsolePerfApp(
            args, backend, fleet_path=fleet_path, fleet=fleet, app_model=fleet.app(APP),
            engine=Engine(fleet, backend),
        )
        app.run()


if __name__ == "__main__":
    main()
