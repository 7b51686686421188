"""A control-plane stand-in (real HTTP on 127.0.0.1) in front of the sandbox stacks (real SSH).

Every test here gets a fresh app on the three sandbox stacks, a fleet file for ``--via api``
and one for ``--via ssh`` (same stacks, same app), and a stand-in seeded from that fleet.
After each test, everything written to disk under the test's folders, and everything
printed or logged, is searched for the token.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.sandbox.control_plane import ControlPlaneHandle, start_control_plane
from tests.cli.helpers import Cli, Result
from tests.fixtures.sandbox import write_sandbox_fleet


@dataclass
class ApiWorld:
    app: str
    fleet_path: Path
    control_plane: ControlPlaneHandle
    token: str
    api: Cli  # plain commands with --via api
    ssh: Cli  # the same commands with --via ssh


class RecordingCli(Cli):
    """A Cli that also keeps everything it printed, for the token search."""

    def __init__(self, fleet: Path, capsys: pytest.CaptureFixture[str], via: str,
                 seen: list[str]) -> None:
        super().__init__(fleet, capsys)
        self.via = via
        self.seen = seen

    def __call__(self, *argv: str) -> Result:
        result = super().__call__("--via", self.via, *argv)
        self.seen += [result.out, result.err]
        return result


@pytest.fixture
def token() -> str:
    return "osk-" + secrets.token_hex(20)


@pytest.fixture
def printed() -> list[str]:
    return []


@pytest.fixture
def token_search(
    token: str, printed: list[str], tmp_path: Path, isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[list[Path]]:
    """Fails the test if the token shows up in any file under its folders (except the ones
    listed in the yielded list: token stores the test wrote on purpose), in anything printed,
    or in any log record."""
    caplog.set_level(logging.DEBUG)
    allowed: list[Path] = []
    yield allowed
    needle = token.encode()
    leaks = [
        str(path)
        for root in (tmp_path, isolated_home)
        for path in root.rglob("*")
        if path.is_file() and path not in allowed and needle in path.read_bytes()
    ]
    leaks += [f"printed: {text[:80]!r}" for text in printed if token in text]
    leaks += [f"log: {record.getMessage()[:80]!r}" for record in caplog.records
              if token in record.getMessage()]
    assert not leaks, f"the token leaked into: {leaks}"


def write_fleet(path: Path, sandbox_fleet: Any, app: str, repo: Path, url: str | None) -> Path:
    write_sandbox_fleet(path, sandbox_fleet, app, repo)
    if url:
        fleet_file = FleetFile.load(path)
        fleet_file.set_value("control_plane", {"url": url})
        fleet_file.save()
    return path


@pytest.fixture
def world(
    tmp_path: Path,
    sandbox_fleet: Any,
    unique_app: str,
    demo_repo: Path,
    clean_faults: None,
    token: str,
    printed: list[str],
    token_search: list[Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ApiWorld]:
    # The stacks' host keys, as after accepting them (the stand-in and the ssh runs share it).
    sandbox_fleet.write_known_hosts(paths.known_hosts_path())
    seed = write_fleet(tmp_path / "seed.toml", sandbox_fleet, unique_app, demo_repo, None)
    handle = start_control_plane(
        FleetFile.load(seed).fleet, token, read_only_tokens=("read-only-" + token[4:12],),
        work_dir=tmp_path / "control-plane",
    )
    try:
        fleet_path = write_fleet(tmp_path / "fleet.toml", sandbox_fleet, unique_app, demo_repo,
                                 handle.url)
        monkeypatch.setenv("OWNSTACK_API_TOKEN", token)
        yield ApiWorld(
            app=unique_app,
            fleet_path=fleet_path,
            control_plane=handle,
            token=token,
            api=RecordingCli(fleet_path, capsys, "api", printed),
            ssh=RecordingCli(fleet_path, capsys, "ssh", printed),
        )
    finally:
        handle.stop()
