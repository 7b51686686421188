"""The Fleet tab on the fake backend's stacks: the same table as ``status``, coloured by
severity, outliers marked, read on a schedule while shown; Enter opens a stack's logs; restart
and rebuild reach the stack (asking first on production-looking ones)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import clock
from ownstack_tui.model.deploy_lock import LockHolder
from ownstack_tui.model.validation import DEPLOY_LOCK_KEY
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.tabs.fleet_tab import heading
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.sandbox.helpers import commit, head_sha
from tests.tui.held_failure import FailsWhenTold
from tests.tui.screen_text import region_text, screen_text, table_cell_style, table_rows
from tests.tui.seen import finished, main, sidebar, table_updates, tail_state, toasts, wait_for

DAY = 86400.0
SECRET = "fleet-tab-secret-value-4711"


class MovableClock:
    """The console's clock (ownstack_tui.clock.now), moved by the test, never by the wall."""

    def __init__(self, start: float = 1_767_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MovableClock]:
    moving = MovableClock()
    monkeypatch.setattr("ownstack_tui.clock.now", moving)
    yield moving


def fleet_rows(app: OwnstackApp) -> dict[str, list[str]]:
    """The Fleet table as shown: each stack's cells, in column order."""
    return table_rows(app, "#fleet-table")


def cell_style(app: OwnstackApp, stack: str, column: str) -> str:
    """How ``stack``'s cell in ``column`` is drawn ("bold reverse #f4005f on #272727", …)."""
    return str(table_cell_style(app, "#fleet-table", stack, heading(column)))


def drawn(app: OwnstackApp, colour: str) -> str:
    """How the screen draws an ANSI ``colour`` ("red": "#f4005f" in the app's ANSI theme)."""
    return app.ansi_theme.ansi_colors[{"red": 1, "yellow": 3}[colour]].hex


def fleet_status(app: OwnstackApp) -> str:
    """What is written under the Fleet table: when it was read, the problems, the last action."""
    return region_text(app, "#fleet-status")


async def deploy(app: OwnstackApp, stacks: list[str]) -> None:
    run = await app.engine.start_deploy(app.app_model, stacks).wait()
    assert run.succeeded, [job.reason for job in run.jobs]


async def open_fleet(pilot: Any, until: Callable[[], bool] = lambda: True) -> None:
    """The Fleet tab, read again now (f5) after what the test set up on the stacks."""
    await pilot.press("7")
    await wait_for(pilot, lambda: "read " in fleet_status(pilot.app))
    await pilot.press("f5")
    await wait_for(pilot, lambda: len(fleet_rows(pilot.app)) == 3 and until())


async def three_problems(app: OwnstackApp, fake: FakeBackend, repo: Path) -> None:
    """staging's certificate expires in 6 days, prod-east's worker crashed, prod-west is a
    commit behind."""
    await deploy(app, ["staging", "prod-east", "prod-west"])
    commit(repo, "second")
    await deploy(app, ["staging", "prod-east"])
    fake.stack("staging").expire_certificate_at(clock.now() + 6.5 * DAY)
    fake.stack("prod-east").crash("worker")
    for name in ("prod-east", "prod-west"):
        fake.stack(name).expire_certificate_at(clock.now() + 60.5 * DAY)


async def test_the_table_shows_each_stacks_health_with_its_problems_flagged(
    tab_console: ConsoleMaker, fake: FakeBackend, demo_repo: Path
) -> None:
    app = tab_console("fleet-table", scale={"web": 1, "worker": 1}, config={"API_SECRET": SECRET})
    async with app.run_test(size=(200, 40)) as pilot:
        await three_problems(app, fake, demo_repo)
        await open_fleet(pilot, lambda: "crashed" in fleet_rows(app)["prod-east"][2])
        rows = fleet_rows(app)
        behind = fake.stack("prod-west").deployed_sha("fleet-table")
        assert rows["staging"][:4] == ["warning", rows["staging"][1], "web 1/1 worker 1/1", "6 d !"]
        assert rows["prod-east"][0] == "critical"
        assert rows["prod-east"][2] == "web 1/1 worker 0/1 crashed !"
        assert rows["prod-west"][:2] == ["warning", f"{behind[:7]} 1 behind !"]
        assert rows["staging"][1].endswith("= tip") and rows["prod-east"][3] == "60 d"
        # Severity is the cell's colour; an outlier is reversed as well as marked. (The cursor's
        # row is drawn in the cursor's colour: it goes to the last row, prod-west.)
        await pilot.press("end")
        assert drawn(app, "red") in cell_style(app, "prod-east", "processes")
        assert drawn(app, "yellow") in cell_style(app, "staging", "tls")
        assert "reverse" in cell_style(app, "prod-west", "deployed")
        plain = cell_style(app, "prod-west", "dokku")
        assert not any(mark in plain for mark in (drawn(app, "red"), drawn(app, "yellow"), "reverse"))
        text = screen_text(app)
        assert "worker crashed (0/1 running)" in text
        assert "TLS certificate for fleet-table.staging.sandbox.test expires in 6 day(s)" in text
        assert f"deployed {behind[:7]} is 1 commit behind main" in text
        assert SECRET not in text


async def test_the_sidebar_shows_crashed_cert_behind_and_the_lock_owner(
    tab_console: ConsoleMaker, fake: FakeBackend, demo_repo: Path
) -> None:
    app = tab_console("fleet-glyphs", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        await three_problems(app, fake, demo_repo)
        holder = LockHolder("alice@laptop", "deploy", clock.now(), "t0k3n")
        fake.stack("prod-west").apps["fleet-glyphs"].config[DEPLOY_LOCK_KEY] = holder.encode()
        await open_fleet(pilot, lambda: "🔒" in sidebar(app)["prod-west"])
        entries = {name: entry.split("\n") for name, entry in sidebar(app).items()}
        assert entries["staging"][1].endswith(" up ⚠tls 6d")
        assert entries["prod-east"][1].endswith(" up ✗worker")
        assert entries["prod-west"][0] == "✓ prod-west 🔒alice…"  # cut to the sidebar's width
        assert entries["prod-west"][1].endswith(" up ↓1")
        assert rows_lock(app) == {"staging": "-", "prod-east": "-", "prod-west": "locked by alice@laptop !"}
        assert "t0k3n" not in screen_text(app) and "OWNSTACK_DEPLOY_LOCK" not in screen_text(app)


async def test_after_a_run_the_sidebar_marks_come_from_a_reading_taken_after_it(
    tab_console: ConsoleMaker, fake: FakeBackend, demo_repo: Path
) -> None:
    """The marks of the start-up reading (every stack at the tip; prod-west's crashed web shows
    that reading landed) are not what the stacks say once the branch moved and a run ended: the
    sidebar's marks are read again after it, the stacks the run did not touch too."""
    app = tab_console("fleet-after-run", scale={"web": 1})
    tip = head_sha(demo_repo)
    for name in ("staging", "prod-east", "prod-west"):  # deployed before the console started
        on_stack = fake.stack(name).apps["fleet-after-run"]
        on_stack.deployed_sha, on_stack.deploy_source = tip, "git-push"
    fake.stack("prod-west").crash("web")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: "✗web" in sidebar(app)["prod-west"])
        assert not any("↓" in entry for entry in sidebar(app).values())
        commit(demo_repo, "second")  # every stack is a commit behind the branch now
        await pilot.press("1", "s")  # staging (highlighted first) deploys the new tip
        await wait_for(pilot, lambda: finished(app, "staging"))
        behind = ("prod-east", "prod-west")
        await wait_for(pilot, lambda: all("↓1" in sidebar(app)[name] for name in behind), 10)
        entries = {name: entry.split("\n") for name, entry in sidebar(app).items()}
        assert entries["staging"][1] == f"  {head_sha(demo_repo)[:7]} up"  # at the tip: no mark
        assert entries["prod-east"][1] == f"  {tip[:7]} up ↓1"
        assert entries["prod-west"][1] == f"  {tip[:7]} up ✗web ↓1"


def rows_lock(app: OwnstackApp) -> dict[str, str]:
    return {stack: cells[6] for stack, cells in fleet_rows(app).items()}


def crashed_on(app: OwnstackApp, stack: str) -> bool:
    return "crashed" in fleet_rows(app)[stack][2]


async def unchanged_for_a_while(pilot: Any, condition: Callable[[], bool]) -> None:
    """``condition`` still holds after several of the Console's ticks (0.25 s each)."""
    for _ in range(4):
        await pilot.pause(0.2)
        assert condition()


def health_reads(fake: FakeBackend, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, each stack the console asks for its health, in turn."""
    asked: list[str] = []
    read_health = fake.read_health

    async def counted(app: Any, stack: Any) -> Any:
        asked.append(stack.name)
        return await read_health(app, stack)

    monkeypatch.setattr(fake, "read_health", counted)
    return asked


async def test_health_is_read_every_interval_while_the_tab_is_shown_never_faster_than_the_floor(
    tab_console: ConsoleMaker, fake: FakeBackend, moving_clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tab_console("fleet-timer", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot, lambda: fleet_rows(app)["prod-east"][2] == "web 1/1 worker 1/1")
        assert "every 15 s" in fleet_status(app)
        fake.stack("prod-east").crash("worker")
        moving_clock.advance(14.5)  # the default interval is 15 s
        await unchanged_for_a_while(pilot, lambda: not crashed_on(app, "prod-east"))
        # What is shown is that old (the age is redrawn on the screen's 1 s tick).
        await wait_for(pilot, lambda: "read 14 s ago" in fleet_status(app), 3)
        moving_clock.advance(0.5)
        await wait_for(pilot, lambda: crashed_on(app, "prod-east"), 5)
        assert "read 0.0 s ago" in fleet_status(app)

        # Hidden, nothing is read (the stacks are not asked); shown again it is read at once.
        await pilot.press("2")
        fake.stack("prod-east").clear_faults()
        reads = health_reads(fake, monkeypatch)
        moving_clock.advance(60)
        await unchanged_for_a_while(pilot, lambda: not reads)
        await pilot.press("7")
        await wait_for(pilot, lambda: not crashed_on(app, "prod-east"), 5)

        # Shown again within the floor (2 s) it is not read again.
        fake.stack("prod-east").crash("worker")
        moving_clock.advance(1.5)
        await pilot.press("2", "7")
        await unchanged_for_a_while(pilot, lambda: not crashed_on(app, "prod-east"))
        moving_clock.advance(0.5)
        await pilot.press("2", "7")
        await wait_for(pilot, lambda: crashed_on(app, "prod-east"), 5)


async def test_a_reading_asked_for_while_one_raises_runs_when_it_ends(
    tab_console: ConsoleMaker, fake: FakeBackend, moving_clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tab_console("fleet-raises", scale={"web": 1})
    reading = FailsWhenTold(app.engine.fleet_health)
    monkeypatch.setattr(app.engine, "fleet_health", reading)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot, lambda: fleet_rows(app)["prod-west"][2] == "web 1/1")
        reading.arm()
        await pilot.press("f5")
        await wait_for(pilot, reading.in_flight.is_set)
        fake.stack("prod-west").crash("web")
        await pilot.press("f5")  # asked for while the reading is in flight
        reading.release()
        await wait_for(pilot, lambda: any("read fleet health failed" in toast for toast in toasts(app)))
        # The clock stands still: no timer's reading, only the one asked for.
        await wait_for(pilot, lambda: crashed_on(app, "prod-west"), 5)


async def test_the_interval_comes_from_the_console_table_of_the_fleet_file(
    tab_console: ConsoleMaker, fake: FakeBackend, moving_clock: MovableClock
) -> None:
    app = reading_every(tab_console("fleet-interval", scale={"web": 1}), 2)
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot, lambda: fleet_rows(app)["prod-west"][2] == "web 1/1")
        assert "every 2 s" in fleet_status(app)
        fake.stack("prod-west").crash("web")
        moving_clock.advance(1.9)
        await unchanged_for_a_while(pilot, lambda: not crashed_on(app, "prod-west"))
        moving_clock.advance(0.1)
        await wait_for(pilot, lambda: crashed_on(app, "prod-west"), 5)


def reading_every(app: OwnstackApp, seconds: float) -> OwnstackApp:
    """The same console with ``[console] health_interval = seconds`` in its fleet file."""
    path = app.fleet_path
    path.write_text(path.read_text() + f"\n[console]\nhealth_interval = {seconds:g}\n")
    return OwnstackApp(path, *_reloaded(path, app))


def _reloaded(path: Path, old: OwnstackApp) -> tuple[Any, Any, Any]:
    from ownstack_tui.engine.engine import Engine
    from ownstack_tui.fleet_file import FleetFile

    fleet = FleetFile.load(path).fleet
    return fleet, fleet.app(old.app_model.name), Engine(fleet, old.engine.backend)


async def test_enter_on_a_row_opens_that_stacks_logs(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fleet-logs", scale={"web": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot)
        await pilot.press("down", "down", "enter")  # prod-west
        await wait_for(pilot, lambda: app.screen.focused is not None
                       and app.screen.focused.id == "tail-prod-west")
        assert main(app).query_one("#tabs").active == "logs"
        await wait_for(pilot, lambda: tail_state(app, "prod-west") == "following")
        # Its lines come in batches (~100 ms), after the pane says it follows.
        await wait_for(pilot, lambda: "app[web.1]" in region_text(app, "#tail-prod-west"), 5)


async def test_restart_reaches_the_stack_and_asks_first_on_production(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fleet-restart", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        fake.stack("staging").crash("worker")
        await open_fleet(pilot, lambda: crashed_on(app, "staging"))
        await pilot.press("R")  # staging: no question asked
        await wait_for(pilot, lambda: "✓ restarted fleet-restart on staging" in fleet_status(app))
        assert fake.stack("staging").actions == ["ps:restart fleet-restart"]
        assert any("Restarted fleet-restart on staging" in toast for toast in toasts(app))
        await wait_for(pilot, lambda: not crashed_on(app, "staging"))  # read again after it

        await pilot.press("down", "R")  # prod-east looks like production
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Restart fleet-restart on prod-east?" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: any("Nothing restarted" in toast for toast in toasts(app)))
        assert fake.stack("prod-east").actions == []
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: fake.stack("prod-east").actions == ["ps:restart fleet-restart"])
        await wait_for(pilot, lambda: "✓ restarted fleet-restart on prod-east" in fleet_status(app))


async def test_rebuild_reaches_the_stack_and_shows_in_history(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fleet-rebuild", scale={"web": 1})
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot)
        await pilot.press("down", "down", "B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Rebuild fleet-rebuild on prod-west?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: "✓ rebuilt fleet-rebuild on prod-west" in fleet_status(app))
        assert fake.stack("prod-west").actions == ["ps:rebuild fleet-rebuild"]
        await pilot.press("6")
        await wait_for(pilot, lambda: "rebuild by " in screen_text(app))
        assert "prod-west" in next(line for line in screen_text(app).splitlines() if "rebuild by" in line)


async def test_a_failed_restart_is_told_and_written_under_the_table(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fleet-fail", scale={"web": 1})
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot)
        fake.stack("staging").unreachable = True
        await pilot.press("R")
        await wait_for(pilot, lambda: "✗ restart fleet-fail on staging failed" in fleet_status(app))
        assert "connection refused" in fleet_status(app)
        assert any("restart fleet-fail on staging failed" in toast for toast in toasts(app))
        await pilot.press("6")
        await wait_for(pilot, lambda: "restart by " in screen_text(app))
        assert "staging failed" in screen_text(app)


async def test_the_fleet_keys_are_in_the_footer_help_and_palette(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("fleet-keys", scale={"web": 1})
    async with app.run_test(size=(160, 50)) as pilot:
        await open_fleet(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "R Restart app" in footer and "B Rebuild app" in footer
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "Fleet tab" in screen_text(app))
        shown = screen_text(app)
        assert "Restart app" in shown and "Rebuild app" in shown and "Stack logs" in shown
        await pilot.press("escape")
        await pilot.press("2")  # from another tab, the palette still offers them
        await pilot.press("ctrl+p")
        await pilot.press(*"rebuild")
        await wait_for(pilot, lambda: "Rebuild app" in screen_text(app))


async def test_no_secret_config_value_or_lock_token_reaches_the_fleet_tab(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console(
        "fleet-secret", scale={"web": 1}, config={"API_SECRET": SECRET, "LOG_LEVEL": "info"},
        overrides={"prod-east": {"DB_PASSWORD": SECRET + "-east"}},
        extra_on_stack={"prod-west": {"HAND_SET_TOKEN": SECRET + "-by-hand"}},
    )
    async with app.run_test(size=(200, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        holder = LockHolder("alice@laptop", "deploy", clock.now(), "lock-" + SECRET)
        fake.stack("staging").apps["fleet-secret"].config[DEPLOY_LOCK_KEY] = holder.encode()
        fake.stack("prod-east").apps["fleet-secret"].config["API_SECRET"] = "drifted-" + SECRET
        await open_fleet(pilot, lambda: "drift" in fleet_rows(app)["prod-east"][4]
                         and "alice" in fleet_rows(app)["staging"][6])
        for _ in range(3):  # every column scrolled into view, too
            shown = screen_text(app)
            assert SECRET not in shown and "API_SECRET" not in shown
            assert DEPLOY_LOCK_KEY not in shown and "lock-" not in shown
            await pilot.press("right")  # the table has the focus
            await pilot.pause()
        assert "config differs from the fleet file" in fleet_status(app)


async def test_problems_beyond_what_the_status_shows_are_counted_not_listed(
    tab_console: ConsoleMaker, fake: FakeBackend, demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 200 stacks the status (8 lines) cannot list every problem; the rest are counted."""
    monkeypatch.setattr("ownstack_tui.tui.tabs.fleet_tab.PROBLEMS_SHOWN", 1)
    app = tab_console("fleet-more", scale={"web": 1, "worker": 1})
    async with app.run_test(size=(200, 40)) as pilot:
        await three_problems(app, fake, demo_repo)
        await open_fleet(pilot, lambda: "crashed" in fleet_rows(app)["prod-east"][2])
        await wait_for(pilot, lambda: "more problem(s)" in fleet_status(app))
        status = fleet_status(app)
        listed = [name for name in ("staging", "prod-east", "prod-west") if name in status]
        assert len(listed) == 1, status
        assert "`ownstack-tui status` lists them all" in status


async def test_the_read_column_ages_while_the_tab_is_shown_and_is_left_alone_hidden(
    tab_console: ConsoleMaker, fake: FakeBackend, moving_clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tab_console("fleet-ages", scale={"web": 1})
    told = table_updates(monkeypatch)
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot)
        moving_clock.advance(5)
        await wait_for(pilot, lambda: fleet_rows(app)["staging"][-1].startswith("5."), 3)  # "5.0 s ago"
        assert ("fleet-table", "staging") in told
        await pilot.press("2")
        await pilot.pause()
        told.clear()
        moving_clock.advance(5)  # older, but out of sight: the table is not touched
        await unchanged_for_a_while(pilot, lambda: ("fleet-table", "staging") not in told)


async def test_an_old_reading_s_age_is_shown_whole(
    tab_console: ConsoleMaker, fake: FakeBackend, moving_clock: MovableClock
) -> None:
    """The Read column was as wide as the ages when the table was filled ("0.0 s ago"), so a
    reading left on screen for minutes read "14 min ag"."""
    app = reading_every(tab_console("fleet-old", scale={"web": 1}), 3600)
    async with app.run_test(size=(160, 50)) as pilot:
        await deploy(app, ["staging", "prod-east", "prod-west"])
        await open_fleet(pilot, lambda: fleet_rows(app)["staging"][-1].endswith(" s ago"))
        moving_clock.advance(14 * 60)
        await wait_for(pilot, lambda: fleet_rows(app)["staging"][-1] == "14 min ago", 3)
