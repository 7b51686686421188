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
from tests.tui.conftest import (
    checked,
    deploy_finished,
    deploy_summary,
    header_text,
    pane_title,
    sidebar_entries,
    toasts,
    wait_for,
)
from tests.tui.screen_text import screen_rows

STACKS = ("staging", "prod-east", "prod-west")


def pane_text(app: OwnstackApp, stack: str) -> str:
    pane = app.screen.query_one(DeployGrid).pane(stack)
    pane.flush()
    return "\n".join(pane.lines)


async def test_the_header_says_where_actions_go(console_for: Callable[[str], OwnstackApp]) -> None:
    app = console_for("tui-header")
    async with app.run_test(size=(120, 30)) as pilot:
        header = header_text(app)
        assert "tui-header" in header and "via ssh" in header and "direct" in header
        assert "tui-header-fleet.toml" in header
        await wait_for(pilot, lambda: checked(app))
        assert all(" up\n" in entry for entry in sidebar_entries(app).values())


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
        assert "2 ok · 1 failed · 0 cancelled" in deploy_summary(app)
        jobs = app.engine.history.entries(app="tui-deploy")
        assert sorted(job.stack for job in jobs) == sorted(STACKS)
        for stack in ("staging", "prod-east"):
            text = pane_text(app, stack)
            assert f"http://tui-deploy.{stack}.localhost" in text
            assert all(f"tui-deploy.{other}.localhost" not in text for other in STACKS if other != stack)
        assert "Application deployed" not in pane_text(app, "prod-west")

        failed_pane = app.screen.query_one(DeployGrid).pane("prod-west")
        assert failed_pane.has_class("-failed")
        assert "failed" in str(failed_pane.border_title)
        assert "failed to compile" in str(failed_pane.border_subtitle)
        assert sidebar_entries(app)["prod-west"].startswith("✗ prod-west")

        # Re-deploy the failed ones: only prod-west runs again.
        sandbox_fleet["prod-west"].clear_faults()
        first_ids = {job.stack: job.id for job in jobs}
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "1 ok · 0 failed" in deploy_summary(app))
        (rerun,) = [e for e in app.engine.history.entries(app="tui-deploy") if e.id not in first_ids.values()]
        assert rerun.stack == "prod-west" and rerun.status is DeployStatus.SUCCEEDED
        assert f"job {first_ids['staging']}" in pane_title(app, "staging")
        assert not app.screen.query_one(DeployGrid).pane("prod-west").has_class("-failed")
        await wait_for(pilot, lambda: sidebar_entries(app)["prod-west"].startswith("✓ prod-west"))


async def test_declining_the_production_confirmation_deploys_nothing(
    console_for: Callable[[str], OwnstackApp],
) -> None:
    app = console_for("tui-decline")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: any("Nothing deployed" in t for t in toasts(app)))
        assert deploy_summary(app) == ""
        assert app.engine.history.entries(app="tui-decline") == []


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
        assert "1 ok · 0 failed · 0 cancelled" in deploy_summary(app)
        (entry,) = app.engine.history.entries(app="tui-selected")
        assert entry.stack == "staging" and entry.status is DeployStatus.SUCCEEDED


async def test_cancel_stops_a_running_deploy(
    console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = console_for("tui-cancel")
    for stack in STACKS:
        sandbox_fleet[stack].set_fault(build_line_delay_ms=60_000)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: "building" in pane_title(app, "staging"))
        assert "deploy 0 of 1 done" in header_text(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: deploy_finished(pilot))
        assert "0 ok · 0 failed · 1 cancelled" in deploy_summary(app)
        assert " of 1 done" not in header_text(app)
        assert sidebar_entries(app)["staging"].startswith("⊘ staging")
        (entry,) = app.engine.history.entries(app="tui-cancel")
        assert entry.status is DeployStatus.CANCELLED


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
        entries = lambda: sidebar_entries(app)  # noqa: E731
        await wait_for(pilot, lambda: all(" up\n" in entries()[s] for s in ("prod-east", "prod-west")))
        assert " down\n" in entries()["staging"]
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
    text = render_entry(state, now=112.0, refresh_interval=15).plain
    assert text == "· prod-east ≠2\n  abcdef0 up\n  checked 12s ago"
    down = StackState("prod-west", "h", reachable=False, checked_at=100.0)
    assert render_entry(down, now=130.0, refresh_interval=15).plain == (
        "! prod-west\n  ------- down\n  checked 30s ago"
    )


def test_a_reading_older_than_three_intervals_is_marked_stale() -> None:
    from ownstack_tui.tui.stack_state import StackState

    state = StackState("prod-east", "h", reachable=True, deployed_sha="abcdef0123", checked_at=100.0)
    assert render_entry(state, now=145.0, refresh_interval=15).plain.endswith("checked 45s ago")
    assert render_entry(state, now=146.0, refresh_interval=15).plain.endswith("stale · checked 46s")
