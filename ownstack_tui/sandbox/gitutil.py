"""Small async wrappers around the real git, run against a stack's bare repositories."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

ZERO_SHA = "0" * 40


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # dokku un-exports it before running git; hooks must not see it either.
    env.pop("SSH_ORIGINAL_COMMAND", None)
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    if extra:
        env.update(extra)
    return env


async def git(
    repo: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run ``git -C repo args``; return (status, stdout). stderr is discarded."""
    proc = await asyncio.create_subprocess_exec(
        "git",
        "-C",
        str(repo),
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=git_env(env),
    )
    out, _ = await proc.communicate(stdin)
    return proc.returncode or 0, out.decode("utf-8", "replace")


async def tree_files(repo: Path, sha: str) -> set[str]:
    status, out = await git(repo, "ls-tree", "--name-only", sha)
    return set(out.splitlines()) if status == 0 else set()


async def read_blob(repo: Path, sha: str, path: str) -> str | None:
    status, out = await git(repo, "cat-file", "blob", f"{sha}:{path}")
    return out if status == 0 else None


async def rev_parse(repo: Path, ref: str) -> str | None:
    status, out = await git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return out.strip() if status == 0 and out.strip() else None
