"""Where deployed SHAs sit on the app's branch in the local repository (git plumbing only,
no network): ``= tip``, ``N behind`` or ``not in branch``."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from ownstack_tui.model.health import UNKNOWN_POSITION, BranchPosition


async def _git(repo: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "git",
        "-C",
        str(repo),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    try:
        out, _ = await process.communicate()
    except BaseException:
        # Cancelled (the console quits while it reads): end git now, and let its pipes close
        # while the event loop still runs (else they are closed by the GC after it, with an
        # "Event loop is closed" error).
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    return process.returncode or 0, out.decode("utf-8", "replace").strip()


async def branch_positions(
    repo: str | None, branch: str, shas: Iterable[str]
) -> dict[str, BranchPosition]:
    """One position per distinct SHA; all unknown when the repository or branch is missing."""
    wanted = sorted(set(shas))
    if not repo or not wanted:
        return dict.fromkeys(wanted, UNKNOWN_POSITION)
    path = Path(repo).expanduser()
    if not path.is_dir():
        return dict.fromkeys(wanted, UNKNOWN_POSITION)
    status, tip = await _git(path, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
    if status != 0 or not tip:
        return dict.fromkeys(wanted, UNKNOWN_POSITION)

    async def position(sha: str) -> BranchPosition:
        # 0: an ancestor of the tip; 1: not; 128: a commit this repository does not have.
        status, _ = await _git(path, "merge-base", "--is-ancestor", sha, tip)
        if status != 0:
            return BranchPosition.outside()
        status, count = await _git(path, "rev-list", "--count", f"{sha}..{tip}")
        return BranchPosition.at(int(count)) if status == 0 and count.isdigit() else UNKNOWN_POSITION

    positions = await asyncio.gather(*(position(sha) for sha in wanted))
    return dict(zip(wanted, positions, strict=True))
