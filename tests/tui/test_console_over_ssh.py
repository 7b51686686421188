"""The integration tier of the console: the same keys over real SSH to the sandbox stacks.

The console's behaviour is specified on the fake backend (test_main_screen.py and the tab
tests); these check that it holds end to end: a real deploy with one failing stack, and a
real stack's unknown host key asked about in the modal and remembered in known_hosts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ownstack_tui import paths
from ownstack_tui.tui.app import OwnstackApp
from ownstack_tui.tui.screens.confirm import ConfirmScreen
from ownstack_tui.tui.screens.host_key import HostKeyScreen
from tests.tui.seen import checked, finished, pane_text, reachable, subtitle, title, wait_for

STACKS = ("staging", "prod-east", "prod-west")


async def test_a_deploy_over_ssh_reaches_every_stack_and_a_failing_one_fails_alone(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = ssh_console_for("ssh-deploy")
    sandbox_fleet["prod-west"].set_fault(build_fail=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: checked(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: finished(app, *STACKS))
        for stack in ("staging", "prod-east"):
            assert title(app, stack).startswith(f"✓ {stack} · succeeded")
            assert f"http://ssh-deploy.{stack}.localhost" in pane_text(app, stack)
            sha = sandbox_fleet[stack].deployed_sha("ssh-deploy")
            assert sha and sha[:7] in title(app, stack)
        assert "failed to compile" in subtitle(app, "prod-west")
        assert sandbox_fleet["prod-west"].deployed_sha("ssh-deploy") is None


async def test_an_unknown_host_key_is_asked_about_and_never_silently_accepted(
    ssh_console_for: Callable[[str], OwnstackApp], sandbox_fleet: Any
) -> None:
    app = ssh_console_for("ssh-hostkey")
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
        await wait_for(pilot, lambda: all(reachable(app, s) for s in ("prod-east", "prod-west")))
        assert reachable(app, "staging") is False
        remembered = paths.known_hosts_path().read_text()
        assert remembered.splitlines() == [sandbox_fleet["prod-west"].known_hosts_line()]
