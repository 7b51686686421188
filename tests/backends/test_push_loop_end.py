"""A push whose event loop ends under it (the console quitting mid-deploy), at many moments from
its start through git's: the loop's end finishes, and no git is left running.

asyncio's own subprocess start, cancelled while it connects the child's pipes (the loop's end
cancels that task too), waits forever for pipes that never connect: the loop never closed.
Each moment runs on a loop of its own in a thread, so a hang fails the test instead of
freezing the run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.dokku import hostkeys
from ownstack_tui.backends.dokku.client import DokkuClient
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.backends.dokku.push import push
from tests.fixtures.loop_end import run_then_close

from .test_push_bridge import _git_push_processes, head, make_repo, stack_for
from .tiny_server import new_server

# Loop iterations after the push starts before the loop ends: through resolving the commit and
# starting git (about a handful of iterations each on this machine), and a few past them.
MOMENTS = range(0, 16)



@pytest.mark.parametrize("resolved", [True, False], ids=["sha given", "ref resolved"])
def test_a_loop_ending_under_a_push_at_any_moment_ends_and_leaves_no_git(
    tmp_path: Path, resolved: bool
) -> None:
    repo = make_repo(tmp_path / "src")
    ref = head(repo) if resolved else "main"
    pushes: list[asyncio.Future[Any]] = []
    for moment in MOMENTS:
        folder = tmp_path / f"server-{moment}"
        folder.mkdir()

        async def main(folder: Path = folder, moment: int = moment) -> None:
            server = new_server(folder)
            await server.start()
            hostkeys.append_known_host(server.known_hosts_line())
            client = DokkuClient(stack_for(server), SshPool())
            await client.run(["echo", "warm"])  # connected: the push goes straight to git
            pushes.append(asyncio.ensure_future(
                push(client, repo, ref, "shop", branch="main", resolved=resolved)
            ))
            for _ in range(moment):
                await asyncio.sleep(0)
            # main returns with the push still going: the loop's end cancels it

        run_then_close(main(), "the push")
    assert not _git_push_processes()
