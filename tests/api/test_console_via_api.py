"""The console through the control plane: the header names the target and the token's source."""

from __future__ import annotations

from typing import Any

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.widgets.target_header import TargetHeader
from tests.api.conftest import ApiWorld
from tests.tui.seen import checked, finished, title, wait_for


async def test_the_console_via_api_shows_where_it_goes_and_deploys(
    world: ApiWorld, sandbox_fleet: Any
) -> None:
    fleet = FleetFile.load(world.fleet_path).fleet
    app = OwnstackApp(world.fleet_path, fleet, fleet.app(world.app), open_engine(fleet, "api"))
    async with app.run_test(size=(160, 50)) as pilot:
        header = app.screen.query_one(TargetHeader).describe().plain
        assert "via api" in header and world.control_plane.url in header
        assert "token $OWNSTACK_API_TOKEN" in header and world.token not in header
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1", "s")  # staging: no production confirmation
        await wait_for(pilot, lambda: finished(app, "staging"), timeout=60)
        assert title(app, "staging").startswith("✓ staging · succeeded")
        # The control plane deployed it: the stack holds the SHA the pane shows.
        sha = sandbox_fleet["staging"].deployed_sha(world.app)
        assert sha and sha[:7] in title(app, "staging")
