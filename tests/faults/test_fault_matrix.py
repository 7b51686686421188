"""Every fault of the matrix on ONE stack, against every operation it concerns.

For each cell: the exit status is right, the sick stack's line names it and the cause, the
healthy stacks did their work (checked on the stacks' recorded state, not on output), the
operation ended within its bound, nothing printed a traceback, and the fleet file and history
are consistent afterwards.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from ownstack_tui import paths
from ownstack_tui.cli import main as cli_main
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.engine.history import History
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from tests.api.conftest import ApiWorld
from tests.cli.helpers import Cli, Result, follow_until
from tests.faults.matrix import (
    BUILD_SILENCE,
    CELLS,
    COMMAND_TIMEOUT,
    CONNECT_TIMEOUT,
    HEALTHY,
    SICK,
    Cell,
)
from tests.fixtures.home import isolate
from tests.fixtures.polls import FAST_POLLS
from tests.fixtures.sandbox import make_demo_repo, write_sandbox_fleet
from tests.tui.seen import (
    checked,
    finished,
    reachable,
    sidebar,
    status_line,
    subtitle,
    title,
    toasts,
    wait_for,
)

SSH_CELLS = [cell for cell in CELLS if cell.fault.via == "ssh" and not cell.operation.console]
CONSOLE_CELLS = [cell for cell in CELLS if cell.operation.console]
API_CELLS = [cell for cell in CELLS if cell.fault.via == "api"]
SSHD_CELLS = [cell for cell in SSH_CELLS if cell.behind_sshd]


class SilentHost:
    """Accepts TCP connections and never says a word: a host frozen before the SSH banner."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent_host() -> Iterator[SilentHost]:
    host = SilentHost()
    yield host
    host.close()


@dataclass
class Scene:
    """The app deployed on all three stacks, then one new commit waiting to go out."""

    cli: Cli
    app: str
    fleet_path: Path
    repo: Path
    deployed: str  # the SHA every stack runs before the fault
    tip: str  # the branch tip a deploy sends


def git(repo: Path, *argv: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *argv], check=True, capture_output=True,
                          text=True).stdout.strip()


def edit_fleet(path: Path, edit: Any) -> None:
    document = tomlkit.parse(path.read_text())
    edit(document)
    path.write_text(tomlkit.dumps(document))


def deploy_scene(cli: Callable[..., Result], fleet_path: Path, app: str, repo: Path) -> tuple[str, str]:
    """The matrix's timeouts in the fleet file, the app deployed to every stack, then one new
    commit on the branch; returns (the deployed SHA, the new tip)."""

    def timeouts(document: Any) -> None:
        document["timeouts"] = {"connect": CONNECT_TIMEOUT, "command": COMMAND_TIMEOUT}
        document["timeouts"]["build_silence"] = BUILD_SILENCE

    edit_fleet(fleet_path, timeouts)
    first = cli("deploy", app, "--wait")
    assert first.status == 0, first.out + first.err
    deployed = git(repo, "rev-parse", "HEAD")
    (repo / "CHANGES").write_text("a change to roll out\n")
    git(repo, "add", "CHANGES")
    git(repo, "commit", "-q", "-m", "A change")
    return deployed, git(repo, "rev-parse", "HEAD")


# Operations that change nothing on the stacks: their cells share one deployed app (a deploy
# to three stacks is most of a cell's cost). Each still gets its own fleet file, home and
# known_hosts, so what a fault edits there stays in its cell; the stacks' faults are cleared.
READ_ONLY = frozenset({"app-info", "stacks", "status", "logs", "logs-follow", "console-refresh"})

# Operations whose one lasting effect on the stacks is what their cell checks (a config key, the
# worker count): their cells share the deployed app too, that effect undone on every stack
# first by the stand-in's own command (no fault is on yet), so no cell sees another's work.
UNDO: dict[str, tuple[str, ...]] = {
    "config-set": ("config:unset", "--no-restart", "{app}", "MATRIX_KEY"),
    "config-apply": ("config:unset", "--no-restart", "{app}", "APPLIED_KEY"),
    "ps-scale": ("ps:scale", "{app}", "worker={workers}"),
}
SHARED = READ_ONLY | UNDO.keys()


@dataclass
class Deployed:
    app: str
    fleet_text: str  # the fleet file, copied into each cell's own
    repo: Path
    deployed: str
    tip: str
    workers: int  # the worker count the deploy left (what ps-scale's cells go back to)


def deploy_once(base: Path, sandbox_fleet: Any, app: str, sshd: Any = None) -> Deployed:
    """The scene deployed in a home of its own (a module's fixture is set up before any test's
    isolated_home); with ``sshd``, the sick stack is the one behind the real sshd."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(base / "home", monkeypatch)
        sandbox_fleet.write_known_hosts(paths.known_hosts_path())
        repo = make_demo_repo(base / "demo-app")
        fleet_path = write_sandbox_fleet(base / "fleet.toml", sandbox_fleet, app, repo)
        for stack in sandbox_fleet:
            stack.clear_faults()
        if sshd is not None:
            sshd.clear_faults()
            point_at_sshd(fleet_path, sshd)
        out, err = io.StringIO(), io.StringIO()

        def cli(*words: str) -> Result:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return Result(cli_main(["--fleet", str(fleet_path), *words]), out.getvalue(),
                              err.getvalue())

        deployed, tip = deploy_scene(cli, fleet_path, app, repo)
        workers = sandbox_fleet[HEALTHY[0]].state.meta(app)["scale"].get("worker", 0)
        return Deployed(app, fleet_path.read_text(), repo, deployed, tip, workers)


@pytest.fixture(scope="module")
def deployed_once(sandbox_fleet: Any, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """The scene of the shared cells, made once per module."""
    base = tmp_path_factory.mktemp("matrix-shared")
    return deploy_once(base, sandbox_fleet, f"shared{os.getpid() % 1000}")


@pytest.fixture(scope="module")
def sshd_deployed_once(
    sandbox_fleet: Any, sshd_sandbox: Any, tmp_path_factory: pytest.TempPathFactory
) -> Deployed:
    """The same with the sick stack behind the real sshd (for the sshd cells that share it)."""
    base = tmp_path_factory.mktemp("matrix-shared-sshd")
    return deploy_once(base, sandbox_fleet, f"sharedsshd{os.getpid() % 1000}", sshd_sandbox)


def shared_scene(
    cell: Cell, once: Deployed, stacks: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Scene:
    """A cell's own fleet file and Cli on the shared app, with the last such cell's work undone."""
    if cell.operation.name in UNDO:
        words = [w.format(app=once.app, workers=once.workers) for w in UNDO[cell.operation.name]]
        for stack in stacks:
            undone = stack.dokku_sync(*words)
            assert undone.exit_status == 0, undone
    fleet_path = tmp_path / "fleet.toml"
    fleet_path.write_text(once.fleet_text)
    return Scene(Cli(fleet_path, capsys), once.app, fleet_path, once.repo, once.deployed, once.tip)


@pytest.fixture
def scene(request: pytest.FixtureRequest, cell: Cell, tmp_path: Path,
          capsys: pytest.CaptureFixture[str]) -> Scene:
    if cell.operation.name in SHARED:
        once: Deployed = request.getfixturevalue("deployed_once")
        fleet = request.getfixturevalue("trusted_sandbox")  # this cell's known_hosts
        request.getfixturevalue("clean_faults")
        return shared_scene(cell, once, list(fleet), tmp_path, capsys)
    return request.getfixturevalue("fresh_scene")


@pytest.fixture
def fresh_scene(shop: tuple[Path, str], shop_cli: Cli, demo_repo: Path) -> Scene:
    """A new app of this cell's own, deployed: for operations that change the stacks."""
    fleet_path, app = shop
    deployed, tip = deploy_scene(shop_cli, fleet_path, app, demo_repo)
    return Scene(shop_cli, shop[1], fleet_path, demo_repo, deployed, tip)


def break_stack(cell: Cell, scene: Scene, sick: Any, silent_host: SilentHost) -> None:
    name = cell.fault.name
    switches = {
        "unreachable": {"port_closed": True},
        "auth-refused": {"auth_refused": True},
        "changed-host-key": {"host_key_changed": True},
        "dropped-mid-build": {"drop_after_lines": 5},
        "deploy-locked": {"deploy_locked": True},
        "failing-build": {"build_fail": True},
        "formation-lock": {"formation_lock": True},
        "slow-network": {"rtt_ms": 150},
        "freeze-after-auth": {"freeze_after_auth": True},
        "dropped-mid-log-tail": {"drop_after_lines": 3},
    }
    if name in switches:
        sick.set_fault(**switches[name])
    elif name == "hang":
        edit_fleet(scene.fleet_path, lambda doc: doc["stacks"][SICK].__setitem__("port", silent_host.port))
    elif name == "unknown-host-key":
        known_hosts = paths.known_hosts_path()
        kept = [line for line in known_hosts.read_text().splitlines(keepends=True)
                if f"]:{sick.port} " not in line]
        known_hosts.write_text("".join(kept))
    else:  # pragma: no cover - a fault added to matrix.py without a way to cause it
        raise AssertionError(f"no way to cause fault {name!r}")
    # No wait: both stand-ins' set_fault applies the fault (proxy, sshd restart) before it
    # returns, and the command reads the fleet file and known_hosts when it starts.


def prepare(cell: Cell, scene: Scene) -> None:
    """What an operation needs to have something to do on every stack."""
    if cell.operation.name == "config-apply":
        fleet_file = FleetFile.load(scene.fleet_path)
        fleet_file.set_config(scene.app, None, {"APPLIED_KEY": "from the fleet"})
        fleet_file.save()


def argv(cell: Cell, scene: Scene) -> list[str]:
    return [word.format(app=scene.app, stack=SICK) for word in cell.operation.argv]


def sick_lines(result: Result) -> list[str]:
    """Lines about the sick stack that are not its streamed log (``STACK | …``)."""
    return [line for line in (result.out + result.err).splitlines()
            if SICK in line and f"{SICK} |" not in line]


def check_healthy_stacks(
    cell: Cell, scene: Scene, result: Result, sandbox_fleet: Any, sick: Any
) -> None:
    stacks = {name: sandbox_fleet[name] for name in HEALTHY}
    if not cell.fault.sick_fails:
        stacks[SICK] = sick
    op = cell.operation.name
    for name, stack in stacks.items():
        if op == "deploy":
            assert stack.deployed_sha(scene.app) == scene.tip, f"{name} did not get the new tip"
        elif op == "app-info":
            assert f"{name} — deployed {scene.deployed[:7]}" in result.out
        elif op == "stacks":
            (row,) = [line for line in result.out.splitlines() if line.startswith(name + " ")]
            assert " ok " in row + " ", row
        elif op == "status":
            (row,) = [line for line in result.out.splitlines() if line.startswith(name + " ")]
            assert row.split()[1] != "unreachable", row
            assert scene.deployed[:7] in row, row
        elif op == "config-set":
            assert stack.state.read_env(scene.app).get("MATRIX_KEY") == "v a$l'ue"
        elif op == "config-apply":
            assert stack.state.read_env(scene.app).get("APPLIED_KEY") == "from the fleet"
        elif op in ("logs", "logs-follow"):
            assert re.search(rf"^{name} +\|", result.out, re.M), f"no log lines from {name}"
    if op == "ps-scale":
        # The command names one stack; the others must still be scalable while it is sick.
        healthy = scene.cli("ps:scale", "--app", scene.app, "--stack", HEALTHY[0], "worker=1")
        assert healthy.status == 0, healthy.err
        assert sandbox_fleet[HEALTHY[0]].state.meta(scene.app)["scale"].get("worker") == 1


def check_consistent(scene: Scene) -> None:
    """The fleet file still parses (and kept a config change); no job is left unfinished."""
    fleet = FleetFile.load(scene.fleet_path).fleet
    assert scene.app in fleet.apps
    for entry in History(paths.data_dir()).entries(app=scene.app):
        assert entry.status.is_final, f"job {entry.id} on {entry.stack} left {entry.status.value}"


@pytest.mark.parametrize("cell", SSH_CELLS, ids=[cell.id for cell in SSH_CELLS])
def test_one_sick_stack(
    cell: Cell, scene: Scene, sandbox_fleet: Any, silent_host: SilentHost
) -> None:
    run_cell(cell, scene, sandbox_fleet, sandbox_fleet[SICK], silent_host)


def point_at_sshd(fleet_path: Path, sshd: Any) -> None:
    """The fleet file's sick stack behind the real sshd, its host key trusted."""

    def edit(document: Any) -> None:
        document["stacks"][SICK].update(
            {"port": sshd.port, "user": sshd.user, "identity": str(sshd.client_key_path)}
        )

    edit_fleet(fleet_path, edit)
    with paths.known_hosts_path().open("a") as known_hosts:
        known_hosts.write(sshd.known_hosts_line() + "\n")


@pytest.fixture
def sshd_scene(request: pytest.FixtureRequest, cell: Cell, tmp_path: Path,
               capsys: pytest.CaptureFixture[str], sshd_stack: Any) -> Scene:
    """The same scene with the sick stack behind a real OpenSSH sshd (forced command): the
    fleet file points the sick stack there before the first deploy, so that one deploy brings
    all three stacks to the same release."""
    if cell.operation.name in SHARED:
        once: Deployed = request.getfixturevalue("sshd_deployed_once")
        fleet = request.getfixturevalue("trusted_sandbox")
        request.getfixturevalue("clean_faults")
        with paths.known_hosts_path().open("a") as known_hosts:
            known_hosts.write(sshd_stack.known_hosts_line() + "\n")
        stacks = [fleet[name] for name in HEALTHY] + [sshd_stack]
        return shared_scene(cell, once, stacks, tmp_path, capsys)
    shop: tuple[Path, str] = request.getfixturevalue("shop")
    shop_cli: Cli = request.getfixturevalue("shop_cli")
    demo_repo: Path = request.getfixturevalue("demo_repo")
    fleet_path, app = shop
    point_at_sshd(fleet_path, sshd_stack)
    deployed, tip = deploy_scene(shop_cli, fleet_path, app, demo_repo)
    return Scene(shop_cli, app, fleet_path, demo_repo, deployed, tip)


@pytest.mark.sshd
@pytest.mark.parametrize("cell", SSHD_CELLS, ids=[cell.id for cell in SSHD_CELLS])
def test_one_sick_stack_behind_a_real_sshd(
    cell: Cell, sshd_scene: Scene, sandbox_fleet: Any, sshd_stack: Any, silent_host: SilentHost
) -> None:
    run_cell(cell, sshd_scene, sandbox_fleet, sshd_stack, silent_host)


def run_cell(cell: Cell, scene: Scene, sandbox_fleet: Any, sick: Any, silent_host: SilentHost) -> None:
    prepare(cell, scene)
    break_stack(cell, scene, sick, silent_host)
    started = time.monotonic()
    if cell.operation.name == "logs-follow":
        status, out, err = follow_until(
            ["--fleet", str(scene.fleet_path), *argv(cell, scene)],
            f"stack {SICK}: log stream reconnected",
        )
        result = Result(status, out, err)
    else:
        result = scene.cli(*argv(cell, scene))
    elapsed = time.monotonic() - started

    assert "Traceback" not in result.out + result.err
    assert result.status == cell.status, result.out[-2000:] + result.err
    if cell.fault.sick_fails:
        lines = sick_lines(result)
        assert any(cell.fault.fragment in line.lower() for line in lines), (
            f"no line names {SICK} and {cell.fault.fragment!r}: {lines}"
        )
    check_healthy_stacks(cell, scene, result, sandbox_fleet, sick)
    assert elapsed < cell.fault.bound, f"took {elapsed:.1f} s, bound {cell.fault.bound} s"
    check_consistent(scene)
    if cell.operation.name == "config-set":
        assert "MATRIX_KEY" in scene.fleet_path.read_text()


@pytest.mark.parametrize("cell", CONSOLE_CELLS, ids=[cell.id for cell in CONSOLE_CELLS])
async def test_one_sick_stack_in_the_console(
    cell: Cell, scene: Scene, sandbox_fleet: Any, silent_host: SilentHost,
    caplog: pytest.LogCaptureFixture, isolated_home: Path,
) -> None:
    break_stack(cell, scene, sandbox_fleet[SICK], silent_host)
    fleet = FleetFile.load(scene.fleet_path).fleet
    engine = open_engine(fleet, "ssh", polls=FAST_POLLS)
    console = OwnstackApp(scene.fleet_path, fleet, fleet.app(scene.app), engine)
    started = time.monotonic()
    async with console.run_test(size=(160, 50), notifications=True) as pilot:
        if cell.fault.name == "unknown-host-key":
            await wait_for(pilot, lambda: isinstance(console.screen, HostKeyScreen), cell.fault.bound)
            prompt = console.screen
            assert isinstance(prompt, HostKeyScreen) and prompt.fingerprint.startswith("SHA256:")
            assert prompt.stack == SICK
            await pilot.press("r")  # refused: the stack stays down, the others were checked
            await wait_for(pilot, lambda: checked(console), cell.fault.bound)
        elif cell.operation.name == "console-refresh":
            await wait_for(pilot, lambda: checked(console), cell.fault.bound)
            await pilot.press("3")  # the Config tab reads every stack: the sick one says why
            cause = cell.fault.fragment
            await wait_for(pilot, lambda: any(
                cause in text.lower() for text in [*toasts(console), status_line(console, "config")]
            ), cell.fault.bound)
            assert f"✗ {SICK}: " in status_line(console, "config") or any(
                SICK in text for text in toasts(console)
            )
        else:
            await wait_for(pilot, lambda: checked(console), cell.fault.bound)
            started = time.monotonic()
            await pilot.press("2", "d")
            await wait_for(pilot, lambda: isinstance(console.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: finished(console, SICK, *HEALTHY), cell.fault.bound)
        elapsed = time.monotonic() - started
        check_console(cell, scene, console, sandbox_fleet)
    assert elapsed < cell.fault.bound, f"took {elapsed:.1f} s, bound {cell.fault.bound} s"
    logged = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not logged, [r.getMessage() for r in logged]
    written = [p for p in isolated_home.rglob("*.log") if b"Traceback" in p.read_bytes()]
    assert not written, written
    check_consistent(scene)


def check_console(cell: Cell, scene: Scene, console: OwnstackApp, sandbox_fleet: Any) -> None:
    """The sick stack as the console shows it, and the healthy stacks' work on their state."""
    if cell.operation.name == "console-refresh":
        assert reachable(console, SICK) is False, sidebar(console)[SICK]
        for name in HEALTHY:
            assert reachable(console, name) is True, sidebar(console)[name]
            assert scene.deployed[:7] in sidebar(console)[name]
        return
    assert title(console, SICK).startswith(f"✗ {SICK} · failed"), title(console, SICK)
    assert cell.fault.fragment in subtitle(console, SICK).lower(), subtitle(console, SICK)
    for name in HEALTHY:
        assert title(console, name).startswith(f"✓ {name} · succeeded"), title(console, name)
        assert sandbox_fleet[name].deployed_sha(scene.app) == scene.tip, f"{name} missed the tip"


def break_control_plane(cell: Cell, world: ApiWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    name = cell.fault.name
    if name == "api-401":
        monkeypatch.setenv("OWNSTACK_API_TOKEN", "osk-not-the-right-one")
    elif name == "api-500-read":
        world.control_plane.set_faults(fail_requests=2, fail_method="GET")
    elif name == "api-500-post":
        world.control_plane.set_faults(fail_requests=1, fail_method="POST")
    elif name == "api-log-cut":
        world.control_plane.set_faults(drop_log_after_lines=4)
    else:  # pragma: no cover
        raise AssertionError(f"no way to cause fault {name!r}")


@pytest.mark.parametrize("cell", API_CELLS, ids=[cell.id for cell in API_CELLS])
def test_a_sick_control_plane(
    cell: Cell, world: ApiWorld, sandbox_fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.ssh("deploy", world.app, "--wait").status == 0
    break_control_plane(cell, world, monkeypatch)
    words = [word.format(app=world.app, stack=SICK) for word in cell.operation.argv]
    started = time.monotonic()
    result = Cli.__call__(world.ssh, *words)  # argv names --via api itself
    elapsed = time.monotonic() - started

    assert "Traceback" not in result.out + result.err
    assert result.status == cell.status, result.out[-2000:] + result.err
    text = (result.out + result.err).lower()
    if cell.fault.sick_fails:
        assert cell.fault.fragment in text
        assert world.token not in result.out + result.err
    else:
        sha = git(world.fleet_path.parent / "demo-app", "rev-parse", "HEAD")
        for stack in sandbox_fleet:
            assert stack.deployed_sha(world.app) == sha
    if cell.fault.name == "api-500-post":
        registry = world.control_plane.registry
        assert registry is not None and registry.deployments == {}, "a retry would have deployed"
    assert elapsed < cell.fault.bound, f"took {elapsed:.1f} s, bound {cell.fault.bound} s"


def test_the_published_reliability_table_is_the_one_tested() -> None:
    from tests.faults.render import DOC, render

    assert DOC.read_text() == render(), "run: python -m tests.faults.render > docs/RELIABILITY.md"
