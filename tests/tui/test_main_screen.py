"""The console against sandbox stacks over real SSH, driven by keys as an operator would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from ownstack_tui.tui.widgets.deploy_grid import DeployGrid
from ownstack_tui.tui.widgets.stack_sidebar import render_entry
from ownstack_tui.tui.widgets.target_header import TargetHeader
from tests.tui.conftest import checked, deploy_finished, main_screen, wait_for
from tests.tui.screen_text import screen_rows, screen_text

STACKS = ("staging", "prod-east", "prod-west")


def pane_text(app: OwnstackApp, stack: str) -> str:
    pane = app.screen.query_one(DeployGrid).pane(stack)
    pane.flush()
    return "\n".join(pane.lines)


async def test_the_header_says_where_actions_go(console_for: Callable[[str], OwnstackApp]) -> None:
    app = console_for("tui-header")
    async with app.run_test(size=(120, 30)) as pilot:
        header = str(pilot.app.screen.query_one(TargetHeader).describe())
        assert "tui-header" in header and "via ssh" in header and "direct" in header
        assert "tui-header-fleet.toml" in header
        await wait_for(pilot, lambda: checked(app))
        assert all(state.reachable for state in app.states.values())


async def test_deploy_key_starts_every_stack_and_each_pane_shows_its_own_lines(
    console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = console_for("tui-deploy")
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        jobs = main_screen(pilot).running.run.jobs  # type: ignore[union-attr]
        assert [job.stack for job in jobs] == list(STACKS)
        for stack in ("staging", "prod-east"):
            text = pane_text(app, stack)
            assert f"http://tui-deploy.{stack}.localhost" in text
            assert all(f"tui-deploy.{other}.localhost" not in text for other in STACKS if other != stack)
        assert "Application deployed" not in pane_text(app, "prod-west")

        failed_pane = app.screen.query_one(DeployGrid).pane("prod-west")
        assert failed_pane.has_class("-failed")
        assert "failed" in str(failed_pane.border_title)
        assert "failed to compile" in str(failed_pane.border_subtitle)
        assert app.states["prod-west"].status is DeployStatus.FAILED
        entry = render_entry(app.states["prod-west"], app.clock()).plain
        assert entry.startswith("✗ prod-west")

        # Re-deploy the failed ones: only prod-west runs again.
        sandbox_fleet["prod-west"].clear_faults()
        first_ids = {job.stack: job.id for job in jobs}
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        def rerun_finished() -> bool:
            job = app.states["prod-west"].job
            return deploy_finished(pilot) and job is not None and job.id != first_ids["prod-west"]

        await wait_for(pilot, rerun_finished)
        rerun = main_screen(pilot).running.run  # type: ignore[union-attr]
        assert [job.stack for job in rerun.jobs] == ["prod-west"]
        assert rerun.succeeded
        assert app.states["staging"].job.id == first_ids["staging"]  # type: ignore[union-attr]
        assert not app.screen.query_one(DeployGrid).pane("prod-west").has_class("-failed")


async def test_declining_the_production_confirmation_deploys_nothing(
    console_for: Callable[[str], OwnstackApp],
) -> None:
    app = console_for("tui-decline")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause()
        assert main_screen(pilot).running is None
        assert app.engine.history.entries(app="tui-decline") == []
        await wait_for(pilot, lambda: "Nothing deployed" in screen_text(app), timeout=5)


async def test_a_production_confirmation_shows_each_stacks_sha_and_target_over_the_screen(
    console_for: Callable[[str], OwnstackApp],
) -> None:
    app = console_for("tui-confirm-shas")
    run = await app.engine.start_deploy(app.app_model, ["prod-east"]).wait()
    assert run.succeeded
    deployed = run.jobs[0].sha or ""
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause(0.2)
        rows = screen_rows(app)
        assert any(f"prod-east  {deployed[:7]} → main" in row for row in rows)
        assert any("prod-west  ------- → main" in row for row in rows)
        assert any("staging    ------- → main" in row for row in rows)
        # The stacks stay in view behind the question.
        assert any(row.startswith("│ · prod-west") for row in rows)
        await pilot.press("n")


async def test_deploying_the_selected_non_production_stack_needs_no_confirmation(
    console_for: Callable[[str], OwnstackApp],
) -> None:
    app = console_for("tui-selected")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1")  # the sidebar; staging is highlighted first
        await pilot.press("s")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        run = main_screen(pilot).running.run  # type: ignore[union-attr]
        assert [job.stack for job in run.jobs] == ["staging"] and run.succeeded


async def test_cancel_stops_a_running_deploy(
    console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = console_for("tui-cancel")
    for stack in STACKS:
        sandbox_fleet[stack].set_fault(build_line_delay_ms=60_000)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: app.states["staging"].status is DeployStatus.BUILDING)
        await pilot.press("x")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        assert app.states["staging"].status is DeployStatus.CANCELLED
        (entry,) = app.engine.history.entries(app="tui-cancel")
        assert entry.status == "cancelled"


async def test_an_unknown_host_key_is_asked_about_and_never_silently_accepted(
    console_for: Callable[[str], OwnstackApp],
) -> None:
    from ownstack_tui import paths

    app = console_for("tui-hostkey")
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
        await wait_for(pilot, lambda: all(app.states[s].reachable for s in ("prod-east", "prod-west")))
        assert app.states["staging"].reachable is False
        remembered = paths.known_hosts_path().read_text()
        assert remembered.count("\n") == 1 and "ssh-ed25519" in remembered


async def test_maximise_shows_one_pane_and_restores(console_for: Callable[[str], OwnstackApp]) -> None:
    app = console_for("tui-maximise")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "down", "z")
        assert app.screen.maximized is app.screen.query_one(DeployGrid).pane("prod-east")
        await pilot.press("z")
        assert app.screen.maximized is None


def test_sidebar_entry_shows_status_sha_drift_reachability_and_age() -> None:
    from ownstack_tui.tui.stack_state import StackState

    state = StackState("prod-east", "h", reachable=True, deployed_sha="abcdef0123", checked_at=100.0, drift=2)
    text = render_entry(state, now=112.0).plain
    assert text == "· prod-east ≠2\n  abcdef0 up 12s ago"
    down = StackState("prod-west", "h", reachable=False, checked_at=100.0)
    assert render_entry(down, now=400.0).plain == "! prod-west\n  ------- down 5m ago"
