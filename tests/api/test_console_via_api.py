"""The console through the control plane: the header names the target and the token's source."""

from __future__ import annotations

from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.widgets.target_header import TargetHeader
from tests.api.conftest import ApiWorld
from tests.tui.conftest import checked, deploy_finished, deploy_summary, sidebar_entries, wait_for


async def test_the_console_via_api_shows_where_it_goes_and_deploys(world: ApiWorld) -> None:
    fleet = FleetFile.load(world.fleet_path).fleet
    app = OwnstackApp(world.fleet_path, fleet, fleet.app(world.app), open_engine(fleet, "api"))
    async with app.run_test(size=(160, 50)) as pilot:
        header = app.screen.query_one(TargetHeader).describe().plain
        assert "via api" in header and world.control_plane.url in header
        assert "token $OWNSTACK_API_TOKEN" in header and world.token not in header
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("1", "s")  # staging: no production confirmation
        await wait_for(pilot, lambda: deploy_finished(pilot), timeout=60)
        assert "1 ok · 0 failed" in deploy_summary(app)
        await wait_for(pilot, lambda: sidebar_entries(app)["staging"].startswith("✓ staging"))
        (entry,) = app.engine.history.entries(app=world.app)
        assert entry.status is DeployStatus.SUCCEEDED and entry.via == "api"
