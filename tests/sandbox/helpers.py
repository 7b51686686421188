"""Helpers for the sandbox's own tests: the real OpenSSH client, git, asyncssh, /proc."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncssh

from tests.fixtures.sandbox import git_ssh_env, ssh_argv


def run_ssh(stack: Any, known_hosts: Path, *words: str) -> subprocess.CompletedProcess[str]:
    """One command through the real OpenSSH client (stdin /dev/null, like the backend)."""
    return subprocess.run(
        ssh_argv(stack, known_hosts, *words),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


async def ssh(stack: Any, known_hosts: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_ssh, stack, known_hosts, *words)


def run_git(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, env=env, timeout=120)


async def git_push(
    stack: Any, known_hosts: Path, repo: Path, app: str, *refspecs: str
) -> subprocess.CompletedProcess[str]:
    env = git_ssh_env(stack, known_hosts)
    target = f"{stack.user}@{stack.host}:{app}"
    return await asyncio.to_thread(run_git, "-C", str(repo), "push", target, *refspecs, env=env)


def head_sha(repo: Path) -> str:
    return run_git("-C", str(repo), "rev-parse", "HEAD").stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str] | None = None) -> str:
    for name, text in (files or {}).items():
        (repo / name).write_text(text)
    run_git("-C", str(repo), "add", "-A")
    run_git("-C", str(repo), "commit", "-q", "--allow-empty", "-m", message)
    return head_sha(repo)


@asynccontextmanager
async def connect(stack: Any, known_hosts: Path) -> AsyncIterator[asyncssh.SSHClientConnection]:
    async with asyncssh.connect(
        stack.host,
        stack.port,
        username=stack.user,
        client_keys=[str(stack.client_key_path)],
        known_hosts=str(known_hosts),
        config=None,
        agent_path=None,
    ) as conn:
        yield conn


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(cmdline)
    return found
