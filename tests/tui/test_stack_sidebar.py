"""The stacks sidebar at fleet scale, driven by keys: the selector filter (/), grouping by tags
(g, [console] group_by) with counts and collapsing, failed first (o), one line per stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from tests.fakes.console import build_console
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import write_fake_fleet
from tests.tui.screen_text import region_text, screen_text
from tests.tui.seen import checked, finished, sidebar, sidebar_rows, wait_for

TAGS = {
    "prod-us-1": ("prod", "us"),
    "prod-us-2": ("prod", "us"),
    "prod-eu-1": ("prod", "eu"),
    "staging-us": ("staging", "us"),
    "staging-eu": ("staging", "eu", "canary"),
    "dev-1": (),
}
SIZE = (120, 40)


def tagged_console(
    fake: FakeBackend, repo: Path, app: str, tags: dict[str, tuple[str, ...]] = TAGS,
    group_by: list[str] | None = None,
) -> OwnstackApp:
    path = write_fake_fleet(Path.home() / f"{app}-fleet.toml", app, repo, stacks=tuple(tags), tags=tags)
    if group_by is not None:
        fleet_file = FleetFile.load(path)
        fleet_file.set_value("console", {"group_by": group_by})
        fleet_file.save()
    return build_console(path, fake)


def names(app: OwnstackApp) -> list[str]:
    """The stacks listed, top to bottom (each entry's first line, without its glyph)."""
    return [entry.split("\n")[0].split()[1] for entry in sidebar(app).values()]


def sidebar_box(app: OwnstackApp) -> str:
    """What the sidebar column shows, border title and prompt bar included."""
    return region_text(app, "#stacks-column")


async def deploy_every_stack(pilot: Pilot[Any], app: OwnstackApp) -> None:
    """d, as an operator would: production stacks ask first; then every job has ended."""
    await wait_for(pilot, lambda: checked(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")
    await wait_for(pilot, lambda: finished(app, *TAGS))


async def type_in_bar(pilot: object, key: str, text: str) -> None:
    await pilot.press(key)  # type: ignore[attr-defined]
    await pilot.press("ctrl+u", *text, "enter")  # type: ignore[attr-defined]
    await pilot.pause(0.1)  # type: ignore[attr-defined]


async def test_the_filter_takes_selectors_and_the_title_counts_what_it_shows(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = tagged_console(fake, demo_repo, "side-filter")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1")
        for selector, expected in [
            ("tag:prod", ["prod-us-1", "prod-us-2", "prod-eu-1"]),
            ("prod-us-*", ["prod-us-1", "prod-us-2"]),
            ("!tag:canary", ["prod-us-1", "prod-us-2", "prod-eu-1", "staging-us", "dev-1"]),
            ("tag:eu,staging-us", ["prod-eu-1", "staging-us", "staging-eu"]),
        ]:
            await type_in_bar(pilot, "slash", selector)
            assert names(app) == expected, selector
            assert f"Stacks {len(expected)}/6" in sidebar_box(app), selector
        # Esc on a reopened bar closes it; the filter stays.
        await pilot.press("slash")
        await pilot.pause(0.1)
        assert "tag:eu,staging-us" in sidebar_box(app)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert "Filter" not in sidebar_box(app)
        assert len(names(app)) == 3
        # An empty filter lists every stack again.
        await type_in_bar(pilot, "slash", "")
        assert len(names(app)) == 6
        assert "Stacks 6/6" not in sidebar_box(app) and "Stacks" in sidebar_box(app)


async def test_a_bad_selector_says_why_in_the_bar_and_keeps_the_list(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = tagged_console(fake, demo_repo, "side-bad")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1")
        await type_in_bar(pilot, "slash", "tag:us")
        before = names(app)
        for bad, says in [("tag:", "give the tag after tag:"), ("tag:nope", "no stack has tag 'nope'"),
                          ("Bad_Name", "invalid stack name")]:
            await type_in_bar(pilot, "slash", bad)
            text = sidebar_box(app)
            assert says in text, (bad, text)
            assert names(app) == before
            assert "Stacks 3/6" in text
            await pilot.press("escape")
        await pilot.pause(0.1)
        assert "no stack has" not in sidebar_box(app)


async def test_groups_count_statuses_after_a_deploy_with_failures_and_collapse(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = tagged_console(fake, demo_repo, "side-groups")
    fake.stack("prod-us-2").fail_builds()
    fake.stack("staging-eu").fail_builds()
    async with app.run_test(size=SIZE) as pilot:
        await deploy_every_stack(pilot, app)
        await pilot.press("1")
        await pilot.press("g")
        await pilot.pause(0.1)
        assert "Group by tags:" in sidebar_box(app)
        assert "prod,us,eu,staging" in sidebar_box(app)  # suggested from the fleet's tags
        await type_in_bar(pilot, "g", "prod,staging")
        rows = sidebar_rows(app)
        headers = [row for row in rows if row.startswith(("▾", "▸"))]
        assert headers == ["▾ prod 3: ✓2 ✗1", "▾ staging 2: ✓1 ✗1", "▾ other 1: ✓1"]
        assert rows.index("▾ staging 2: ✓1 ✗1") - rows.index("▾ prod 3: ✓2 ✗1") == 4
        # Enter on a header collapses its group to the header; space expands it again.
        await pilot.press("home", "enter")
        await pilot.pause(0.1)
        assert sidebar_rows(app)[0] == "▸ prod 3: ✓2 ✗1"
        assert "prod-us-1" not in names(app) and "staging-us" in names(app)
        assert "▸ prod 3: ✓2 ✗1" in screen_text(app)
        await pilot.press("space")
        await pilot.pause(0.1)
        assert names(app)[:3] == ["prod-us-1", "prod-us-2", "prod-eu-1"]
        # The filter applies inside the groups; the counts follow it.
        await type_in_bar(pilot, "slash", "tag:us")
        assert [r for r in sidebar_rows(app) if r.startswith("▾")] == ["▾ prod 2: ✓1 ✗1", "▾ staging 1: ✓1"]
        # An empty grouping lists the stacks plainly again.
        await type_in_bar(pilot, "g", "")
        assert not [r for r in sidebar_rows(app) if r.startswith(("▾", "▸"))]


async def test_o_puts_failed_stacks_first_and_the_title_says_so(fake: FakeBackend, demo_repo: Path) -> None:
    app = tagged_console(fake, demo_repo, "side-order")
    fake.stack("prod-eu-1").fail_builds()
    fake.stack("dev-1").fail_builds()
    async with app.run_test(size=SIZE) as pilot:
        await deploy_every_stack(pilot, app)
        await pilot.press("1", "o")
        await pilot.pause(0.1)
        assert names(app)[:2] == ["prod-eu-1", "dev-1"]
        assert "✗ first" in sidebar_box(app)
        await pilot.press("o")
        await pilot.pause(0.1)
        assert names(app) == list(TAGS)
        assert "✗ first" not in sidebar_box(app)


async def test_the_fleet_files_group_by_groups_at_start(fake: FakeBackend, demo_repo: Path) -> None:
    app = tagged_console(fake, demo_repo, "side-default", group_by=["us", "eu"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))
        headers = [row.split()[1] for row in sidebar_rows(app) if row.startswith("▾")]
        assert headers == ["us", "eu", "other"]


async def test_the_deploy_key_s_deploys_the_highlighted_stack_whatever_the_filter(
    fake: FakeBackend, demo_repo: Path
) -> None:
    app = tagged_console(fake, demo_repo, "side-s")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1")
        await type_in_bar(pilot, "slash", "dev-*")
        await pilot.press("s")
        await wait_for(pilot, lambda: finished(app, "dev-1"))
        assert fake.stack("dev-1").app("side-s") is not None
        assert all(fake.stack(name).app("side-s") is None for name in TAGS if name != "dev-1")


async def test_200_stacks_are_one_line_each_and_the_redraw_keeps_the_scroll(
    fake: FakeBackend, demo_repo: Path
) -> None:
    tags = {f"s{number:03d}": ("prod" if number % 2 else "staging",) for number in range(200)}
    app = tagged_console(fake, demo_repo, "side-200", tags=tags)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app), timeout=60)
        entries = sidebar(app)
        assert len(entries) == 200 and all("\n" not in entry for entry in entries.values())
        await pilot.press("1", "end")
        await pilot.pause(0.2)
        assert "s199" in sidebar_box(app)
        await pilot.pause(1.5)  # a tick's redraw
        assert "s199" in sidebar_box(app) and "s000" not in sidebar_box(app)
        # Filtered down to a few, each stack has its three lines again.
        await type_in_bar(pilot, "slash", "s00?")
        entries = sidebar(app)
        assert len(entries) == 10 and all(entry.count("\n") == 2 for entry in entries.values())
        assert "Stacks 10/200" in sidebar_box(app)
