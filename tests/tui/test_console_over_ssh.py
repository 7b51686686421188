"""The integration tier of the console: the same keys over real SSH to the sandbox stacks.

The console's behaviour is specified on the fake backend (test_main_screen.py and the tab
tests); these check that it holds end to end: a real deploy with one failing stack, and a
real stack's unknown host key asked about in the modal and remembered in known_hosts, and a
manual-gate rollout promoted from the console.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ownstack_tui import paths
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from tests.fixtures.polls import FAST_POLLS
from tests.fixtures.sandbox import write_sandbox_fleet
from tests.tui.rollouts import wave_bar, with_rollout
from tests.tui.seen import checked, deploy_summary, finished, pane_text, reachable, subtitle, title, wait_for

STACKS = ("staging", "prod-east", "prod-west")


async def test_a_deploy_over_ssh_reaches_every_stack_and_a_failing_one_fails_alone(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = ssh_console_for("ssh-deploy")
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: finished(app, *STACKS))
        for stack in ("staging", "prod-east"):
            assert title(app, stack).startswith(f"✓ {stack} · succeeded")
            assert f"http://ssh-deploy.{stack}.localhost" in pane_text(app, stack)
            sha = sandbox_fleet[stack].deployed_sha("ssh-deploy")
            assert sha and sha[:7] in title(app, stack)
        assert "failed to compile" in subtitle(app, "prod-west")
        assert sandbox_fleet["prod-west"].deployed_sha("ssh-deploy") is None


async def test_an_unknown_host_key_is_asked_about_and_never_silently_accepted(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = ssh_console_for("ssh-hostkey")
    paths.known_hosts_path().unlink()  # nothing trusted yet
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen))
        prompt = app.screen
        assert isinstance(prompt, HostKeyScreen) and prompt.fingerprint.startswith("SHA256:")
        await pilot.press("r")  # refuse the first stack
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen) and app.screen is not prompt)
        await pilot.press("o")  # accept the second once
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen) and app.screen is not prompt)
        await pilot.press("a")  # accept the third and remember it
        await wait_for(pilot, lambda: all(reachable(app, s) for s in ("prod-east", "prod-west")))
        assert reachable(app, "staging") is False
        remembered = paths.known_hosts_path().read_text()
        assert remembered.splitlines() == [sandbox_fleet["prod-west"].known_hosts_line()]


async def test_a_manual_gate_rollout_over_ssh_waits_then_promote_deploys_the_next_wave(
    trusted_sandbox: Any, sandbox_fleet: Any, demo_repo: Path, clean_faults: None
) -> None:
    app_name = "ssh-rollout"
    path = write_sandbox_fleet(Path.home() / "rollout-fleet.toml", trusted_sandbox, app_name, demo_repo,
                               needs_postgres=False)
    with_rollout(path, app_name, 'waves = [["staging"], ["prod-east", "prod-west"]]\ngate = "manual"')
    fleet = FleetFile.load(path).fleet
    app = OwnstackApp(path, fleet, fleet.app(app_name), open_engine(fleet, "ssh", polls=FAST_POLLS))
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "wave 1 ✓ · wave 2 ⏸ waiting" in wave_bar(app), timeout=60)
        staging = sandbox_fleet["staging"].deployed_sha(app_name)
        assert staging and staging[:7] in title(app, "staging")
        # The later wave's stacks got nothing: no app, so no push and no lock.
        assert not sandbox_fleet["prod-east"].state.app_exists(app_name)
        assert not sandbox_fleet["prod-west"].state.app_exists(app_name)
        # The rollout holds staging's lock while the gate waits, under this user's name.
        held = sandbox_fleet["staging"].state.read_env(app_name)["OWNSTACK_DEPLOY_LOCK"]
        assert '"command": "deploy ssh-rollout (console)"' in held
        await pilot.press("P")
        await wait_for(pilot, lambda: "rollout succeeded" in wave_bar(app), timeout=60)
        await wait_for(pilot, lambda: "Last run: 3 ok" in deploy_summary(app))  # locks released
        for stack in ("prod-east", "prod-west"):
            assert sandbox_fleet[stack].deployed_sha(app_name) == staging
            assert title(app, stack).startswith(f"✓ {stack} · succeeded · {staging[:7]}")
        for stack in STACKS:
            assert "OWNSTACK_DEPLOY_LOCK" not in sandbox_fleet[stack].state.read_env(app_name)


async def test_the_fleet_tab_over_ssh_flags_the_expiring_cert_the_crashed_worker_and_the_stack_behind(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any, demo_repo: Path
) -> None:
    from tests.sandbox.helpers import commit
    from tests.tui.screen_text import region_text
    from tests.tui.test_fleet_tab import fleet_rows

    app_name = "ssh-fleet"
    app = ssh_console_for(app_name)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        run = await app.engine.start_deploy(app.app_model).wait()
        assert run.succeeded, [job.reason for job in run.jobs]
        for name in STACKS:
            assert sandbox_fleet[name].dokku_sync("ps:scale", app_name, "worker=1").ok
        commit(demo_repo, "second")
        run = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
        assert run.succeeded, [job.reason for job in run.jobs]
        sandbox_fleet["staging"].set_fault(cert_expiring=True)
        sandbox_fleet["prod-east"].set_fault(crashed="worker")

        await pilot.press("7", "f5")
        await wait_for(pilot, lambda: len(fleet_rows(app)) == 3
                       and "crashed" in fleet_rows(app)["prod-east"][2], 20)
        rows = fleet_rows(app)
        behind = sandbox_fleet["prod-west"].deployed_sha(app_name)
        assert rows["staging"][0] == "warning" and rows["staging"][3] == "6 d !"
        assert rows["prod-east"][0] == "critical" and rows["prod-east"][2] == "web 1/1 worker 0/1 crashed !"
        assert rows["prod-west"][:2] == ["warning", f"{behind[:7]} 1 behind !"]
        status = region_text(app, "#fleet-status")
        assert "worker crashed (0/1 running)" in status
        assert f"deployed {behind[:7]} is 1 commit behind main" in status

        await pilot.press("R")  # staging: restarted over SSH without a question
        done = "✓ restarted ssh-fleet on staging"
        await wait_for(pilot, lambda: done in region_text(app, "#fleet-status"), 30)
