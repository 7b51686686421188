"""What the console imports before it needs it: start-up pays only for the first frame.

Each check runs in a fresh interpreter, since this test process has imported everything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import make_git_repo

# The console as `ownstack-tui` opens it (engine, app, main screen drawn and settled), then
# the first contact with a stack: only that may import asyncssh.
PROBE = """
import asyncio, sys
from pathlib import Path

from ownstack_tui.cli import tui_command  # noqa: F401  (what `ownstack-tui` imports first)
from ownstack_tui.cli.parser import parse  # noqa: F401  (and its command line parser)
from ownstack_tui.engine.factory import open_engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp

path = Path(sys.argv[1])
fleet = FleetFile.load(path).fleet


async def main() -> None:
    app = OwnstackApp(path, fleet, fleet.app("quiet"), open_engine(fleet, "ssh"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "MainScreen", app.screen
        assert "asyncssh" not in sys.modules, "asyncssh imported before any stack was contacted"
        assert "tomlkit" not in sys.modules, "tomlkit imported only to read the fleet"
        assert "tomllib" not in sys.modules, "tomllib imported for a plain fleet file"
        assert "httpx" not in sys.modules, "httpx imported by a console driving stacks over ssh"
        tabs = {m for m in sys.modules if m.startswith("ownstack_tui.tui.tabs.")}
        hidden = tabs - {"ownstack_tui.tui.tabs.lazy_pane"}
        assert not hidden, f"tabs imported before they were shown: {sorted(hidden)}"
        engine = open_engine(fleet, "ssh")
        outcomes = await engine.app_states(fleet.app("shop"))  # a closed port: refused
        await engine.close()
        assert not outcomes["staging"].ok
        assert "asyncssh" in sys.modules, "contacting a stack should have imported asyncssh"


asyncio.run(main())
print("ok")
"""


def test_the_console_imports_asyncssh_only_when_a_stack_is_contacted(tmp_path: Path) -> None:
    fleet_file = FleetFile.load_or_new(tmp_path / "fleet.toml")
    fleet_file.add_stack("staging", "127.0.0.1", 9)  # discard port: nothing listens
    repo = str(make_git_repo(tmp_path / "shop"))
    fleet_file.add_app("quiet", repo)  # no targets: the console contacts no stack
    fleet_file.add_app("shop", repo, stacks=["staging"])
    fleet_file.save()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "fleet.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OWNSTACK_TUI_HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")

