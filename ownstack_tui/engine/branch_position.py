"""Where deployed SHAs sit on the app's branch in the local repository (git plumbing only,
no network): ``= tip``, ``N behind`` or ``not in branch``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from ownstack_tui.model.health import UNKNOWN_POSITION, BranchPosition


async def _git(repo: Path, *args: str) -> tuple[int, str]:
    """``git -C repo ARGS`` in a thread. asyncio's own subprocesses cannot be cancelled safely:
    a task cancelled while ``create_subprocess_exec`` connects the pipes waits forever for a
    transport that never finishes, and the console, quitting just as a health reading starts
    git, hung on its way out. A thread is left to end on its own; git is killed on a cancel."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        return await asyncio.to_thread(_run_git, repo, args, started)
    except asyncio.CancelledError:
        # Cancelled (the console quits while it reads): end git now; the thread reaps it.
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        raise


def _run_git(repo: Path, args: tuple[str, ...], started: list[subprocess.Popen[bytes]]) -> tuple[int, str]:
    with subprocess.Popen(
        ["git", "-C", str(repo), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    ) as process:
        started.append(process)
        out, _ = process.communicate()
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
