"""Regenerate screenshots/*.svg: the console on sandbox stacks, during a mixed-status deploy.

Run with `./dev screenshots`. Uses a throwaway OWNSTACK_TUI_HOME, so nothing of yours changes.
`./dev screenshots tab-fleet` regenerates only the shots named (both sizes).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZES = ((80, 24), (160, 50))
ONLY = set(sys.argv[1:])  # shot names to regenerate; none: every shot


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise SystemExit("the console did not reach the state to capture")
        await pilot.pause(0.1)


async def capture(fleet_path: Path, name: str, size: tuple[int, int],
                  drive: Callable[[Any], Awaitable[None]]) -> Path:
    from ownstack_tui.engine.factory import open_engine
    from ownstack_tui.fleet_file import FleetFile
    from ownstack_tui.tui.app import OwnstackApp

    fleet = FleetFile.load(fleet_path).fleet
    app = OwnstackApp(fleet_path, fleet, fleet.app(None), open_engine(fleet, "ssh"))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: all(s.checked_at for s in app.controller.states.values()))
        await drive(pilot)
        await pilot.pause(0.5)
        path = OUT / f"{name}-{size[0]}x{size[1]}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> None:
    from ownstack_tui import paths
    from ownstack_tui.model.deploy import DeployStatus
    from ownstack_tui.sandbox.demo import ensure_demo_repo, write_fleet_file
    from ownstack_tui.sandbox.fleet import SandboxFleet, stack_names
    from ownstack_tui.tui.screens.confirm import ConfirmScreen

    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        # A fresh sandbox per size, so every deploy shot shows a first deploy.
        with tempfile.TemporaryDirectory(prefix="ownstack-shots-") as name:
            folder = Path(name)
            os.environ["HOME"] = str(folder)  # the header then shows ~/fleet.toml
            os.environ["OWNSTACK_TUI_HOME"] = str(folder / "home")
            async with SandboxFleet(folder / "stacks", names=stack_names(3)) as fleet:
                fleet.write_known_hosts(paths.known_hosts_path())
                repo = ensure_demo_repo(folder / "shop")
                fleet_path = write_fleet_file(folder / "fleet.toml", fleet, repo)
                fleet["prod-east"].set_fault(build_fail=True)
                fleet["prod-west"].set_fault(build_line_delay_ms=150)

                async def mixed_deploy(pilot: Any) -> None:
                    app = pilot.app
                    await pilot.press("d")
                    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                    await pilot.press("y")
                    await wait_until(
                        pilot,
                        lambda: app.controller.states["staging"].status is DeployStatus.SUCCEEDED
                        and app.controller.states["prod-east"].status is DeployStatus.FAILED,
                    )
                    await pilot.pause(1.0)

                async def idle(pilot: Any) -> None:
                    return None

                async def failure_reason(pilot: Any) -> None:
                    from ownstack_tui.tui.screens.message import MessageScreen

                    await mixed_deploy(pilot)
                    pilot.app.screen.query_one("#pane-prod-east").focus()
                    await pilot.press("enter")
                    await wait_until(pilot, lambda: isinstance(pilot.app.screen, MessageScreen))

                async def help_keys(pilot: Any) -> None:
                    await pilot.press("question_mark")

                async def fleet_health(pilot: Any) -> None:
                    """Every stack deployed; then staging's certificate expires in 6 days and
                    prod-east's worker crashed (prod-west runs the older dokku of the demo)."""
                    from ownstack_tui.tui.widgets.row_table import RowTable

                    app = pilot.app
                    name = app.controller.app_model.name
                    for stack in fleet.stacks:
                        stack.clear_faults()
                    # The deploy shot quit while prod-west built, which can leave dokku's own
                    # deploy lock behind (as a killed deploy does on a real dokku): clear it as
                    # an operator would, with apps:unlock.
                    for stack in fleet.stacks:
                        await stack.dokku("apps:unlock", name)
                    await pilot.press("d")
                    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                    await pilot.press("y")
                    await wait_until(pilot, lambda: all(
                        s.status is DeployStatus.SUCCEEDED for s in app.controller.states.values()))
                    for stack in fleet.stacks:
                        stack.dokku_sync("ps:scale", name, "worker=1")
                    fleet["staging"].set_fault(cert_expiring=True)
                    fleet["prod-east"].set_fault(crashed="worker")
                    await pilot.press("7", "f5")
                    table = app.screen.query_one("#fleet-table", RowTable)
                    await wait_until(pilot, lambda: table.row_count == 3 and any(
                        "crashed" in cell.plain for cell in table.row_cells("prod-east")))
                    await pilot.pause(1.0)

                shots = [("main-idle", idle), ("main-deploy", mixed_deploy),
                         ("main-failure-reason", failure_reason), ("main-help", help_keys),
                         *tab_shots(fleet_path), ("tab-fleet", fleet_health)]
                for shot, drive in shots:
                    if not ONLY or shot in ONLY:
                        print(await capture(fleet_path, shot, size, drive))
                if not ONLY or "main-rollout" in ONLY:  # last: the fleet gets a rollout table
                    for stack in fleet.stacks:
                        stack.clear_faults()
                    release(repo)  # a new commit, so wave 1 builds rather than "nothing to build"
                    print(await capture(rollout_fleet(fleet_path), "main-rollout", size, rollout_gate))
        if not ONLY or "big-fleet" in ONLY:
            print(await big_fleet(size))


async def big_fleet(size: tuple[int, int]) -> Path:
    """`demo --stacks 60 --tags` after its first deploy: the sidebar grouped by environment,
    the compact Deploy table, and the failures grouped by cause (tier-b's builds rejected,
    the canaries' connections lost)."""
    from ownstack_tui import paths
    from ownstack_tui.sandbox.demo import ensure_demo_repo, fault_tagged_groups, write_fleet_file
    from ownstack_tui.sandbox.fleet import SandboxFleet, tagged_stack_names
    from ownstack_tui.tui.screens.confirm import ConfirmScreen

    tags = tagged_stack_names(60)
    with tempfile.TemporaryDirectory(prefix="ownstack-shots-") as name:
        folder = Path(name)
        os.environ["HOME"] = str(folder)
        os.environ["OWNSTACK_TUI_HOME"] = str(folder / "home")
        async with SandboxFleet(folder / "stacks", names=list(tags)) as fleet:
            fleet.write_known_hosts(paths.known_hosts_path())
            repo = ensure_demo_repo(folder / "shop")
            fleet_path = write_fleet_file(folder / "fleet.toml", fleet, repo, tags=tags)
            fault_tagged_groups(fleet, tags)

            async def deploy_all(pilot: Any) -> None:
                app = pilot.app
                await pilot.press("d")
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                await pilot.press("y")
                await wait_until(pilot, lambda: app.controller.is_deploying)
                await wait_until(pilot, lambda: not app.controller.is_deploying, timeout=300)
                app.clear_notifications()  # the run's toast would cover the table's rows
                await pilot.pause(1.0)

            return await capture(fleet_path, "big-fleet", size, deploy_all)


def release(repo: Path) -> None:
    """One more commit on the demo app's branch (the rollout shot deploys it)."""
    import subprocess

    who = ["-c", "user.name=Demo", "-c", "user.email=demo@example.invalid"]
    subprocess.run(["git", "-C", str(repo), *who, "commit", "-q", "--allow-empty", "-m", "Release 2"],
                   check=True, capture_output=True)


def rollout_fleet(fleet_path: Path) -> Path:
    """The demo app with a staged rollout: one wave per stack, the operator promotes each."""
    text = fleet_path.read_text()
    if ".rollout]" not in text:
        from ownstack_tui.fleet_file import FleetFile

        app = FleetFile.load(fleet_path).fleet.app(None).name
        fleet_path.write_text(text + f'\n[apps.{app}.rollout]\n'
                              'waves = [["staging"], ["prod-east"], ["prod-west"]]\ngate = "manual"\n')
    return fleet_path


async def rollout_gate(pilot: Any) -> None:
    """A rollout paused at its manual gate after wave 1: the wave bar, Promote and Halt."""
    from ownstack_tui.tui.screens.confirm import ConfirmScreen

    app = pilot.app
    await pilot.press("d")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")
    await wait_until(pilot, lambda: app.controller.awaiting_promotion)
    await pilot.pause(1.0)


def tab_shots(fleet_path: Path) -> list[tuple[str, Callable[[Any], Awaitable[None]]]]:
    """The Config, Scale, Logs and History tabs, after the deploy shot (staging deployed)."""
    from ownstack_tui.fleet_file import FleetFile
    from ownstack_tui.tui.tabs.config_tab import ConfigTab
    from ownstack_tui.tui.tabs.scale_tab import ScaleTab
    from ownstack_tui.tui.widgets.tail_pane import TailPane

    fleet_file = FleetFile.load(fleet_path)
    app = fleet_file.fleet.app(None).name
    if "LOG_LEVEL" not in fleet_file.fleet.app(app).config:
        # Desired config not yet applied anywhere: the table shows it as drift.
        fleet_file.set_config(app, None, {"LOG_LEVEL": "info", "SECRET_KEY": "demo-secret"})
        fleet_file.set_config(app, "prod-east", {"REGION": "us-east-1"})
        fleet_file.save()

    async def config(pilot: Any) -> None:
        await pilot.press("3")
        tab = pilot.app.screen.query_one(ConfigTab)
        await wait_until(pilot, lambda: tab.reads >= 1)

    async def scale(pilot: Any) -> None:
        await pilot.press("4")
        tab = pilot.app.screen.query_one(ScaleTab)
        await wait_until(pilot, lambda: tab.reads >= 1)
        await pilot.press("+")

    async def logs(pilot: Any) -> None:
        await pilot.press("5")
        await wait_until(pilot, lambda: any(
            pane.line_count >= 4 for pane in pilot.app.screen.query(TailPane)))
        await pilot.pause(1.0)

    async def history(pilot: Any) -> None:
        await pilot.press("6")
        await pilot.pause(0.5)

    return [("tab-config", config), ("tab-scale", scale), ("tab-logs", logs),
            ("tab-history", history)]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main())
