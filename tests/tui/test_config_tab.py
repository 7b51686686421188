"""The Config tab on the fake backend's stacks: staged edits, the plan, the apply."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import Input, Label, Static, TextArea

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.config_edit import ConfigEditScreen
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from ownstack_tui.tui.screens.plan import PlanScreen
from ownstack_tui.tui.tabs.config_tab import ConfigTab
from ownstack_tui.tui.tabs.config_view import SEPARATOR_ROW
from tests.fakes.console import ConsoleMaker
from tests.fakes.fake_backend import FakeBackend
from tests.tui.keys import burst
from tests.tui.screen_text import screen_rows
from tests.tui.seen import sidebar, status_line, wait_for

STACKS = ("staging", "prod-east", "prod-west")


def config_tab(app: OwnstackApp) -> ConfigTab:
    return app.screen.query_one(ConfigTab)


async def open_config(pilot: Any) -> ConfigTab:
    await pilot.press("3")
    tab = config_tab(pilot.app)
    await wait_for(pilot, lambda: tab.reads >= 1)
    return tab


def cell_text(tab: ConfigTab, key: str, column: str) -> str:
    return tab.table.get_cell(key, column).plain


async def move_to(pilot: Any, tab: ConfigTab, key: str, column: str) -> None:
    table = tab.table
    table.cursor_coordinate = Coordinate(table.get_row_index(key), table.get_column_index(column))
    table.focus()
    await pilot.pause()


async def type_text(pilot: Any, text: str) -> None:
    keys = ["enter" if char == "\n" else "space" if char == " " else char for char in text]
    await pilot.press(*keys)


async def plan(pilot: Any) -> PlanScreen:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PlanScreen))
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    return screen


async def apply(pilot: Any, tab: ConfigTab, key: str = "a") -> str:
    """Apply the plan shown; returns the status line once the stacks were read again."""
    reads = tab.reads
    await pilot.press(key)
    await wait_for(pilot, lambda: tab.reads > reads and "✓" in status_line(pilot.app, "config"))
    return status_line(pilot.app, "config")


async def test_editing_an_override_on_one_stack_changes_only_that_stack_after_apply(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("cfg-override", config={"LOG_LEVEL": "info", "FEATURE": "on"})
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_config(pilot)
        assert cell_text(tab, "LOG_LEVEL", "prod-east") == "info"
        await move_to(pilot, tab, "LOG_LEVEL", "prod-east")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        editor = app.screen
        assert editor.query_one(TextArea).text == "info"
        await pilot.press("end", "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "debug")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not editor)
        assert cell_text(tab, "LOG_LEVEL", "prod-east") == "◆ info → debug ✎"
        assert "✎" not in cell_text(tab, "LOG_LEVEL", "staging")

        screen = await plan(pilot)
        body = screen.query_one("#plan-body", Static).render()
        # Exactly the difference: one stack, one key, old and new value.
        assert str(body).strip() == "prod-east  (production)\n  ~ LOG_LEVEL: info → debug"
        result = await apply(pilot, tab)

        assert fake.stack("prod-east").config("cfg-override")["LOG_LEVEL"] == "debug"
        for stack in ("staging", "prod-west"):
            assert fake.stack(stack).config("cfg-override")["LOG_LEVEL"] == "info"
        fleet = FleetFile.load(app.fleet_path).fleet.app("cfg-override")
        assert fleet.config == {"LOG_LEVEL": "info", "FEATURE": "on"}
        assert fleet.stack_config == {"prod-east": {"LOG_LEVEL": "debug"}}
        assert app.app_model.stack_config == {"prod-east": {"LOG_LEVEL": "debug"}}
        assert cell_text(tab, "LOG_LEVEL", "prod-east") == "◆ debug"
        assert "✓ prod-east: ~LOG_LEVEL" in result


async def test_a_value_with_quotes_and_a_newline_round_trips_through_the_editor(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("cfg-roundtrip")
    value = "say \"hi\" and 'bye'\nsecond line $HOME x"
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_config(pilot)
        tab.table.focus()
        await pilot.press("a")  # the cursor is on the key column: the app level
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        await type_text(pilot, "GREETING")
        await pilot.press("enter")  # on to the value
        await type_text(pilot, value)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfigEditScreen))
        await plan(pilot)
        await apply(pilot, tab)
        for stack in STACKS:
            assert fake.stack(stack).config("cfg-roundtrip")["GREETING"] == value
        assert FleetFile.load(app.fleet_path).fleet.app("cfg-roundtrip").config == {"GREETING": value}

        # Opened again, the editor holds exactly what was typed.
        await move_to(pilot, tab, "GREETING", "@app")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        assert app.screen.query_one(TextArea).text == value


async def test_invalid_and_reserved_keys_are_refused_in_the_form_with_the_reason(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("cfg-refuse")
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_config(pilot)
        tab.table.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        editor = app.screen
        error = editor.query_one("#error", Label)
        await type_text(pilot, "PORT")
        await pilot.press("ctrl+s")
        assert "reserved" in str(error.render())
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "DOKKU_X")
        await pilot.press("ctrl+s")
        assert "read-only" in str(error.render())
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "1BAD")
        await pilot.press("ctrl+s")
        assert "invalid config key '1BAD'" in str(error.render())
        assert app.screen is editor  # still open: nothing staged
        await pilot.press("escape")
        assert "staged" not in status_line(app, "config")


async def test_overrides_drift_unmanaged_keys_and_masked_secrets_are_shown(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console(
        "cfg-marks",
        config={"LOG_LEVEL": "info", "API_TOKEN": "s3cret-value"},
        overrides={"prod-east": {"REGION": "us-east-1"}},
        extra_on_stack={"prod-west": {"LOG_LEVEL": "warn", "HAND_SET": "yes"}},
    )
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_config(pilot)
        assert cell_text(tab, "REGION", "prod-east") == "◆ us-east-1"
        assert cell_text(tab, "REGION", "staging") == "—"
        assert cell_text(tab, "LOG_LEVEL", "prod-west") == "warn ≠"  # drift
        assert cell_text(tab, "LOG_LEVEL", "staging") == "info"
        # Set on the stack only: listed apart, below the separator row.
        rows = [row.key.value for row in tab.table.ordered_rows]
        assert rows.index("HAND_SET") > rows.index(SEPARATOR_ROW) > rows.index("REGION")
        assert cell_text(tab, "HAND_SET", "prod-west") == "yes"
        await wait_for(pilot, lambda: "≠1" in sidebar(app)["prod-west"])
        assert "≠" not in sidebar(app)["staging"]

        assert cell_text(tab, "API_TOKEN", "@app") == "••••••"
        assert cell_text(tab, "API_TOKEN", "staging") == "••••••"
        await move_to(pilot, tab, "API_TOKEN", "staging")
        await pilot.press("v")  # this value
        assert cell_text(tab, "API_TOKEN", "staging") == "s3cret-value"
        await pilot.press("v", "V")  # hide it again, then reveal all
        assert cell_text(tab, "API_TOKEN", "prod-west") == "s3cret-value"


async def test_removing_an_app_level_key_plans_an_unset_on_every_stack_with_restart_choice(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("cfg-remove", config={"OLD_FLAG": "1", "KEEP": "x"},
                      overrides={"prod-west": {"OLD_FLAG": "2"}})
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_config(pilot)
        await move_to(pilot, tab, "OLD_FLAG", "@app")
        await pilot.press("delete")
        assert "1 staged: " in status_line(app, "config")
        screen = await plan(pilot)
        body = str(screen.query_one("#plan-body", Static).render())
        # prod-west keeps its override: nothing to do there.
        assert body.strip() == (
            "staging\n  - OLD_FLAG\nprod-east  (production)\n  - OLD_FLAG\n"
            "prod-west  (production)\n  no change"
        )
        result = await apply(pilot, tab, "w")  # apply without restart
        assert "OLD_FLAG" not in fake.stack("staging").config("cfg-remove")
        assert "OLD_FLAG" not in fake.stack("prod-east").config("cfg-remove")
        assert fake.stack("prod-west").config("cfg-remove")["OLD_FLAG"] == "2"
        assert "(no restart)" in result


async def test_cancelling_the_plan_changes_nothing(tab_console: ConsoleMaker, fake: FakeBackend) -> None:
    app = tab_console("cfg-cancel", config={"A": "1"})
    before = app.fleet_path.read_text()
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_config(pilot)
        await move_to(pilot, tab, "A", "@app")
        await pilot.press("delete")
        await plan(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.fleet_path.read_text() == before
        assert fake.stack("staging").config("cfg-cancel")["A"] == "1"
        assert "1 staged: " in status_line(app, "config")  # still staged
        await pilot.press("u")
        assert "staged" not in status_line(app, "config")


async def test_planning_with_nothing_staged_repairs_drift_on_the_drifted_stack_only(
    tab_console: ConsoleMaker, fake: FakeBackend
) -> None:
    app = tab_console("cfg-drift", config={"LOG_LEVEL": "info"},
                      extra_on_stack={"prod-west": {"LOG_LEVEL": "warn"}})
    async with app.run_test(size=(160, 50)) as pilot:
        tab = await open_config(pilot)
        tab.table.focus()
        screen = await plan(pilot)
        body = str(screen.query_one("#plan-body", Static).render()).strip()
        assert body == (
            "staging\n  no change\nprod-east  (production)\n  no change\n"
            "prod-west  (production)\n  ~ LOG_LEVEL: warn → info"
        )
        await apply(pilot, tab)
        assert fake.stack("prod-west").config("cfg-drift")["LOG_LEVEL"] == "info"
        await wait_for(pilot, lambda: "≠" not in sidebar(app)["prod-west"])


async def test_a_value_staged_from_the_editor_is_shown_whole_in_its_column(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("cfg-widths", config={"LOG_LEVEL": "info"})
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_config(pilot)
        await move_to(pilot, tab, "LOG_LEVEL", "staging")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        await pilot.press("end", *["backspace"] * 4, *"debug", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfigEditScreen))
        await pilot.pause(0.3)
        # The table was rebuilt behind the modal: its columns still fit their cells.
        row = next(line for line in screen_rows(app) if "LOG" in line and "debug" in line)
        assert "LOG_LEVEL  info       ◆ info → debug ✎" in row


async def test_a_key_tab_value_typed_in_one_burst_fills_both_fields(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("cfg-burst")
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_config(pilot)
        tab.table.focus()
        for separator in ("\t", "\n"):  # Tab, or Enter in the key field
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
            editor = app.screen
            burst(app, f"GREETING{separator}hello there")
            await pilot.pause(0.3)
            assert editor.query_one("#key", Input).value == "GREETING"
            assert editor.query_one(TextArea).text == "hello there"
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfigEditScreen))


async def test_the_key_that_opens_the_form_and_what_follows_in_one_burst_all_reach_the_form(
    tab_console: ConsoleMaker,
) -> None:
    app = tab_console("cfg-burst-open", config={"LOG_LEVEL": "info"})
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_config(pilot)
        await move_to(pilot, tab, "LOG_LEVEL", "@app")
        # "a" opens the form; the rest was typed before it came up (e, v and a are the
        # table's own keys: none of them may act on the table).
        burst(app, "aGREETING\thave a nice eve")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
        await pilot.pause(0.5)
        editor = app.screen
        assert editor.query_one("#key", Input).value == "GREETING"
        assert editor.query_one(TextArea).text == "have a nice eve"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfigEditScreen))
        cell = tab.table.get_cell("GREETING", "@app").plain
        assert "have a nice eve" in cell and "✎" in cell
        assert "1 staged: " in status_line(app, "config")


async def test_keys_typed_while_the_form_comes_up_keep_the_order_they_were_typed_in(
    tab_console: ConsoleMaker,
) -> None:
    """Over SSH a burst arrives in pieces: some keys before the form was pushed, some while
    it is mounting, some once it has focus. Whatever the split, the form gets them in order."""
    app = tab_console("cfg-burst-split")
    async with app.run_test(size=(120, 30)) as pilot:
        tab = await open_config(pilot)

        def typed() -> tuple[str, str]:
            form = app.screen
            return form.query_one("#key", Input).value, form.query_one(TextArea).text

        for split in (1, 5, 9):
            for gap in (0.0, 0.005):
                tab.table.focus()
                await pilot.pause()
                text = "aGREETING\thello there"
                burst(app, text[:split])
                for char in text[split:]:
                    await asyncio.sleep(gap)
                    burst(app, char)
                await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditScreen))
                await wait_for(pilot, lambda: len("".join(typed())) == len("GREETINGhello there"))
                assert typed() == ("GREETING", "hello there"), (split, gap)
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, ConfigEditScreen))


async def test_keys_a_dialog_does_not_take_are_dropped_and_the_keys_after_them_still_work(
    tab_console: ConsoleMaker,
) -> None:
    """A confirmation's buttons take no letters: typed while it comes up, they are dropped
    (as when typed once it is up), and the answer typed after them still answers."""
    app = tab_console("cfg-burst-ignored")
    answers: list[bool | None] = []
    async with app.run_test(size=(120, 30)) as pilot:
        await open_config(pilot)
        app.push_screen(ConfirmScreen("Go ahead?"), answers.append)
        burst(app, "xz")
        await pilot.pause(0.3)
        await pilot.press("n")
        await wait_for(pilot, lambda: answers == [False])
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_host_key_question_is_not_answered_by_keys_typed_before_it_showed(
    tab_console: ConsoleMaker,
) -> None:
    """`a` is the Config tab's "add a key" and the host-key question's "accept and remember":
    typed as the question comes up, it must not trust a key the user has not seen."""
    app = tab_console("cfg-burst-host-key")
    answers: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        await open_config(pilot)
        question = HostKeyScreen("prod-east", "127.0.0.1", 2222, "ssh-ed25519", "SHA256:x")
        app.push_screen(question, answers.append)
        burst(app, "a")
        await pilot.pause(0.3)
        assert answers == [] and app.screen is question
        await pilot.press("r")
        await wait_for(pilot, lambda: answers == ["refuse"])
