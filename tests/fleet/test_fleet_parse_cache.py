"""Reading a fleet file again takes tomllib's parse from the cache folder while the file
holds the same bytes; any change in the file is read from the file."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from ownstack_tui import paths
from ownstack_tui.errors import FleetFileError
from ownstack_tui.fleet_file import FleetFile

FLEET = """\
[stacks.s1]
host = "10.0.0.1"
tags = ["prod", "eu"]

[stacks.s2]
host = "10.0.0.2"
port = 2222

[apps.shop]
branch = "main"
stacks = ["s1", "s2"]
"""


def _no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomllib, "loads", refuse)


def _cached(folder: Path) -> list[Path]:
    return list(folder.glob("fleet-*.marshal")) if folder.is_dir() else []


def test_the_same_bytes_are_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    first = FleetFile.load(path).fleet
    (kept,) = _cached(paths.cache_dir())
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # the fleet's hosts: the user's only
    _no_parse(monkeypatch)
    again = FleetFile.load(path).fleet
    assert again == first
    assert list(again.stacks) == ["s1", "s2"]
    assert again.stack("s2").port == 2222


def test_a_changed_file_is_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    FleetFile.load(path)
    path.write_text(FLEET.replace("10.0.0.2", "10.0.0.9"))  # same length, other bytes
    assert FleetFile.load(path).fleet.stack("s2").host == "10.0.0.9"
    path.write_text(FLEET.replace('host = "10.0.0.2"', 'host = "10.0.0.2'))
    with pytest.raises(FleetFileError):  # broken now: refused, not served from the cache
        FleetFile.load(path)


def test_each_fleet_file_keeps_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    one.write_text(FLEET)
    two.write_text(FLEET.replace("s2", "s3"))
    FleetFile.load(one)
    FleetFile.load(two)
    _no_parse(monkeypatch)
    assert list(FleetFile.load(one).fleet.stacks) == ["s1", "s2"]
    assert list(FleetFile.load(two).fleet.stacks) == ["s1", "s3"]


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    FleetFile.load(path)
    (kept,) = _cached(paths.cache_dir())
    kept.write_bytes(b"\x00garbage")
    assert list(FleetFile.load(path).fleet.stacks) == ["s1", "s2"]
