"""The stand-in's running apps: ps:report process states, `urls`, and the tiny app's health path."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.sandbox import git_ssh_env


def deploy(stack: Any, known_hosts: Path, repo: Path, app: str) -> None:
    import subprocess

    assert stack.dokku_sync("apps:create", app).ok
    subprocess.run(
        ["git", "-C", str(repo), "push", "-q", f"{stack.user}@{stack.host}:{app}", "main:master"],
        check=True, env=git_ssh_env(stack, known_hosts), capture_output=True,
    )


def health(stack: Any, app: str) -> int:
    url = stack.dokku_sync("urls", app).stdout.strip()
    assert url.startswith("http://127.0.0.1:")
    return httpx.get(url + "/healthz", timeout=5).status_code


def test_a_deployed_app_runs_and_answers_its_health_path(
    sandbox_stack: Any, sandbox_known_hosts: Path, demo_repo: Path, unique_app: str
) -> None:
    assert sandbox_stack.dokku_sync("urls", unique_app).exit_status == 20
    deploy(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app)
    report = sandbox_stack.dokku_sync("ps:report", unique_app).stdout
    assert re.search(r"Running:\s+true", report)
    assert re.search(r"Status web 1:\s+running", report)
    assert health(sandbox_stack, unique_app) == 200


def test_unhealthy_processes_exit_and_the_health_path_answers_503(
    sandbox_stack: Any, sandbox_known_hosts: Path, demo_repo: Path, unique_app: str
) -> None:
    deploy(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app)
    sandbox_stack.set_fault(unhealthy=True)
    report = sandbox_stack.dokku_sync("ps:report", unique_app).stdout
    assert re.search(r"Status web 1:\s+exited", report)
    assert re.search(r"Running:\s+false", report)
    assert health(sandbox_stack, unique_app) == 503


def test_slow_health_answers_only_after_its_seconds(
    sandbox_stack: Any, sandbox_known_hosts: Path, demo_repo: Path, unique_app: str
) -> None:
    sandbox_stack.set_fault(slow_health=2)
    deploy(sandbox_stack, sandbox_known_hosts, demo_repo, unique_app)
    assert health(sandbox_stack, unique_app) == 503
    assert "restarting" in sandbox_stack.dokku_sync("ps:report", unique_app).stdout
    time.sleep(2.2)
    assert health(sandbox_stack, unique_app) == 200
