"""The console driven by keys as an operator would, on the fake backend's stacks."""

from __future__ import annotations

import re
import subprocess

from ownstack_tui import paths
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from ownstack_tui.tui.screens.message import MessageScreen
from ownstack_tui.tui.widgets.stack_sidebar import render_entry
from ownstack_tui.tui.widgets.target_header import TargetHeader
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.screen_text import screen_rows, screen_text
from tests.tui.seen import (
    checked,
    finished,
    pane,
    pane_text,
    reachable,
    sidebar,
    subtitle,
    title,
    wait_for,
)

STACKS = ("staging", "prod-east", "prod-west")


def head_of(repo: str | None) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def job_id(subtitle_text: str) -> int:
    found = re.match(r"job (\d+)", subtitle_text)
    assert found, subtitle_text
    return int(found.group(1))


async def test_the_header_says_where_actions_go(console_for: ConsoleMaker) -> None:
    app = console_for("tui-header")
    async with app.run_test(size=(120, 30)) as pilot:
        header = str(pilot.app.screen.query_one(TargetHeader).describe())
        assert "tui-header" in header and "via ssh" in header and "direct" in header
        assert "tui-header-fleet.toml" in header
        await wait_for(pilot, lambda: checked(app))
        assert all(reachable(app, stack) for stack in STACKS)


async def test_deploy_key_starts_every_stack_and_each_pane_shows_its_own_lines(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-deploy")
    fake.stack("prod-west").fail_builds()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: finished(app, *STACKS))
        for stack in ("staging", "prod-east"):
            text = pane_text(app, stack)
            assert f"http://tui-deploy.{stack}.localhost" in text
            assert all(f"tui-deploy.{other}.localhost" not in text for other in STACKS if other != stack)
            assert title(app, stack).startswith(f"✓ {stack} · succeeded")
        assert "Application deployed" not in pane_text(app, "prod-west")

        failed_pane = pane(app, "prod-west")
        assert failed_pane.has_class("-failed")
        assert "failed" in title(app, "prod-west")
        assert "failed to compile" in subtitle(app, "prod-west")
        await wait_for(pilot, lambda: sidebar(app)["prod-west"].startswith("✗ prod-west"))

        # Re-deploy the failed ones: only prod-west runs again.
        fake.stack("prod-west").clear_faults()
        first_ids = {stack: job_id(subtitle(app, stack)) for stack in STACKS}
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: job_id(subtitle(app, "prod-west")) != first_ids["prod-west"]
                       and finished(app, "prod-west"))
        assert title(app, "prod-west").startswith("✓ prod-west · succeeded")
        assert {stack: job_id(subtitle(app, stack)) for stack in ("staging", "prod-east")} == {
            stack: first_ids[stack] for stack in ("staging", "prod-east")
        }
        assert not pane(app, "prod-west").has_class("-failed")
        assert fake.stack("prod-west").deployed_sha("tui-deploy") == head_of(app.app_model.repo)


async def test_declining_the_production_confirmation_deploys_nothing(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-decline")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause()
        assert all(title(app, stack) == f"{stack} · idle" for stack in STACKS)
        assert app.engine.history.entries(app="tui-decline") == []
        assert all(fake.stack(stack).app("tui-decline") is None for stack in STACKS)
        await wait_for(pilot, lambda: "Nothing deployed" in screen_text(app), timeout=5)


async def test_a_production_confirmation_shows_each_stacks_sha_and_target_over_the_screen(
    console_for: ConsoleMaker,
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
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-selected")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1")  # the sidebar; staging is highlighted first
        await pilot.press("s")
        await wait_for(pilot, lambda: finished(app, "staging"))
        assert title(app, "staging").startswith("✓ staging · succeeded")
        assert title(app, "prod-east") == "prod-east · idle"
        assert fake.stack("staging").deployed_sha("tui-selected") == head_of(app.app_model.repo)
        assert fake.stack("prod-east").deployed_sha("tui-selected") is None


async def test_cancel_stops_a_running_deploy(console_for: ConsoleMaker, fake: FakeBackend) -> None:
    app = console_for("tui-cancel")
    fake.stack("staging").hold_builds()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "s")
        await wait_for(pilot, lambda: "· building ·" in title(app, "staging"))
        await pilot.press("x")
        await wait_for(pilot, lambda: finished(app, "staging"))
        assert title(app, "staging").startswith("⊘ staging · cancelled")
        (entry,) = app.engine.history.entries(app="tui-cancel")
        assert entry.status is DeployStatus.CANCELLED
        assert fake.stack("staging").deployed_sha("tui-cancel") is None


async def test_an_unknown_host_key_is_asked_about_and_never_silently_accepted(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-hostkey")
    for stack in STACKS:
        fake.stack(stack).unknown_host_key()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen))
        prompt = app.screen
        assert isinstance(prompt, HostKeyScreen)
        assert prompt.fingerprint == fake.stack("staging").fingerprint
        await pilot.press("r")  # refuse the first stack
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen) and app.screen is not prompt)
        await pilot.press("o")  # accept the second once
        await wait_for(pilot, lambda: isinstance(app.screen, HostKeyScreen) and app.screen is not prompt)
        await pilot.press("a")  # accept the third and remember it
        await wait_for(pilot, lambda: all(reachable(app, s) for s in ("prod-east", "prod-west")))
        assert reachable(app, "staging") is False
        remembered = paths.known_hosts_path().read_text()
        assert remembered.splitlines() == [
            f"[127.0.0.1]:2203 ssh-ed25519 {fake.stack('prod-west').key_base64}"
        ]


async def test_a_changed_host_key_is_reported_and_the_stack_stays_down(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-changed-key")
    fake.stack("prod-east").changed_host_key()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        assert not isinstance(app.screen, HostKeyScreen)  # nothing to accept: only reported
        assert reachable(app, "prod-east") is False and reachable(app, "staging")
        assert sidebar(app)["prod-east"].startswith("! prod-east")
        assert not paths.known_hosts_path().exists()


async def test_enter_on_a_stack_that_did_not_answer_says_why(
    console_for: ConsoleMaker, fake: FakeBackend
) -> None:
    app = console_for("tui-why-down")
    fake.stack("prod-east").unreachable = True
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        assert reachable(app, "prod-east") is False
        await pilot.press("1", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageScreen))
        assert "prod-east did not answer" in screen_text(app)
        assert "prod-east" in screen_text(app) and "refused" in screen_text(app).lower()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessageScreen))
        await pilot.press("1", "up", "enter")  # staging answered: just its pane, no dialog
        await pilot.pause()
        assert not isinstance(app.screen, MessageScreen)


async def test_maximise_shows_one_pane_and_restores(console_for: ConsoleMaker) -> None:
    app = console_for("tui-maximise")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "down", "z")
        assert app.screen.maximized is pane(app, "prod-east")
        await pilot.press("z")
        assert app.screen.maximized is None


def test_sidebar_entry_shows_status_sha_drift_reachability_and_age() -> None:
    from ownstack_tui.tui.stack_state import StackState

    state = StackState("prod-east", "h", reachable=True, deployed_sha="abcdef0123", checked_at=100.0, drift=2)
    text = render_entry(state, now=112.0, refresh_interval=15).plain
    assert text == "· prod-east ≠2\n  abcdef0 up\n  checked 12s ago"
    down = StackState("prod-west", "h", reachable=False, checked_at=100.0)
    assert render_entry(down, now=400.0, refresh_interval=15).plain == (
        "! prod-west\n  ------- down\n  stale · checked 5m"
    )
