"""Snapshots of the Config, Scale, Logs and History tabs at 80x24 and 160x50.

Stable from run to run like the main screen's: a frozen clock in UTC, a repo with fixed
commit dates (a fixed SHA), state set straight on the stacks, and only states that cannot
move (the Logs tab shows tails that dokku refused, since live log lines carry real times).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.tabs.config_tab import ConfigTab
from ownstack_tui.tui.tabs.scale_tab import ScaleTab
from ownstack_tui.tui.widgets.history_table import HistoryTable
from ownstack_tui.tui.widgets.tail_pane import TailPane, TailState
from tests.fixtures.sandbox import make_demo_repo
from tests.tui.conftest import build_console, checked, main_screen, wait_for
from tests.tui.tabs_fixtures import prepare_app
from tests.tui.test_snapshots import FROZEN, settle

SIZES = {"small": (80, 24), "large": (160, 50)}
Before = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, trusted_sandbox: Any, clean_faults: None
) -> Callable[..., OwnstackApp]:
    import time

    monkeypatch.setattr("ownstack_tui.clock.now", lambda: FROZEN)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
    repo = make_demo_repo(tmp_path / "shop")

    def make(app: str, **kwargs: Any) -> OwnstackApp:
        path = prepare_app(Path.home() / "fleet.toml", trusted_sandbox, app, repo, **kwargs)
        return build_console(path)

    yield make  # type: ignore[misc]
    monkeypatch.undo()  # TZ back as it was, then the C library told so
    time.tzset()


async def idle(pilot: Pilot[Any]) -> None:
    app: OwnstackApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: checked(app) and not any(s.checking for s in app.states.values()))


async def config_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("3")
    tab = pilot.app.screen.query_one(ConfigTab)
    await wait_for(pilot, lambda: tab.reads >= 1)
    tab.stage(ConfigEdit("LOG_LEVEL", "debug", "staging"))
    await settle(pilot)


async def config_scrolled_right(pilot: Pilot[Any]) -> None:
    """At 80 columns the last stack is off screen: scrolled to it, the key column stays."""
    await config_view(pilot)
    pilot.app.screen.query_one(ConfigTab).table.focus()
    await pilot.press("right", "right", "right", "right")
    await settle(pilot)


async def scale_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("4")
    tab = pilot.app.screen.query_one(ScaleTab)
    await wait_for(pilot, lambda: tab.reads >= 1)
    tab.stage("prod-east", "web", 3)
    await settle(pilot)


async def logs_view(pilot: Pilot[Any]) -> None:
    await idle(pilot)
    await pilot.press("5")
    await wait_for(
        pilot,
        lambda: len(pilot.app.screen.query(TailPane)) == 3
        and all(pane.state is TailState.STOPPED for pane in pilot.app.screen.query(TailPane)),
    )
    await settle(pilot)


async def history_view(pilot: Pilot[Any]) -> None:
    app: OwnstackApp = pilot.app  # type: ignore[assignment]
    run = await app.engine.start_deploy(app.app_model, ["staging", "prod-east"]).wait()
    assert run.succeeded
    screen = main_screen(pilot)
    for state in app.states.values():
        state.checked_at = None
    screen.refresh_status()
    screen.load_history()
    await idle(pilot)
    await pilot.press("6")
    await wait_for(pilot, lambda: len(screen.query_one(HistoryTable).entries) == 2)
    await settle(pilot)


CONFIG = {
    "config": {"LOG_LEVEL": "info", "API_TOKEN": "tok-123456", "MOTD": "line one\nline two"},
    "overrides": {"prod-east": {"REGION": "us-east-1"}},
    "extra_on_stack": {"prod-west": {"LOG_LEVEL": "warn", "HAND_SET": "yes"}},
}
VIEWS: dict[str, tuple[Before, dict[str, Any]]] = {
    "config": (config_view, CONFIG),
    "scale": (scale_view, {"scale": {"web": 1, "worker": 2}}),
    "logs": (logs_view, {}),
    "history": (history_view, {}),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("tab", list(VIEWS))
def test_tab(snap_compare: Any, frozen: Callable[..., OwnstackApp], tab: str, size: str) -> None:
    before, setup = VIEWS[tab]
    app = frozen(f"snap-{tab}-{size}", **setup)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


def test_config_scrolled_right_80x24(snap_compare: Any, frozen: Callable[..., OwnstackApp]) -> None:
    app = frozen("snap-config-right", **CONFIG)
    assert snap_compare(app, terminal_size=SIZES["small"], run_before=config_scrolled_right)
