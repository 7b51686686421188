"""`--version` and shell completion, driven the way bash drives argcomplete (COMP_LINE and friends)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FLEET = """\
via = "ssh"
[stacks.staging]
host = "198.51.100.7"
[stacks.prod-east]
host = "203.0.113.10"
tags = ["prod", "us"]
[apps.shop]
stacks = ["staging", "prod-east"]
[apps.shoe]
"""
# Modules a <Tab> must never pay for.
HEAVY = ("textual", "asyncssh", "httpx", "tomlkit")


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    return path


def complete(line: str, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[list[str], set[str]]:
    """What the shell would offer for ``line`` (cursor at its end), and the modules loaded."""
    out = tmp_path / "completions"
    result = subprocess.run(
        # -X importtime logs each import on stderr as it happens (argcomplete ends with os._exit).
        [sys.executable, "-X", "importtime", "-m", "ownstack_tui"],
        env={
            **os.environ,
            **(env or {}),
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\n",
            "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    modules = {
        row.rsplit("|", 1)[1].strip() for row in result.stderr.splitlines() if row.startswith("import time:")
    }
    assert "argcomplete" in modules
    return [word.strip() for word in out.read_text().split("\n") if word.strip()], modules


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = subprocess.run(
        [sys.executable, "-m", "ownstack_tui", "--version"], capture_output=True, text=True, timeout=30
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0, f"ownstack-tui {version('ownstack-tui')}\n", ""
    )


def test_commands_and_flags_complete(tmp_path: Path) -> None:
    assert complete("ownstack-tui dep", tmp_path)[0] == ["deploy"]
    assert complete("ownstack-tui config:u", tmp_path)[0] == ["config:unset"]
    assert complete("ownstack-tui deploy --wa", tmp_path)[0] == ["--wait", "--wave"]
    assert "create" in complete("ownstack-tui app ", tmp_path)[0]


def test_app_and_stack_names_come_from_the_fleet_file(fleet: Path, tmp_path: Path) -> None:
    assert complete(f"ownstack-tui deploy --fleet {fleet} sh", tmp_path)[0] == ["shoe", "shop"]
    assert complete(f"ownstack-tui --fleet {fleet} deploy shop --stack ", tmp_path)[0] == [
        "prod-east", "staging", "tag:prod", "tag:us",
    ]
    by_env = {"OWNSTACK_TUI_FLEET": str(fleet)}
    assert complete("ownstack-tui app stacks:add shop pro", tmp_path, by_env)[0] == ["prod-east"]
    assert complete("ownstack-tui config:set --app s", tmp_path, by_env)[0] == ["shoe", "shop"]
    assert complete("ownstack-tui stack:remove st", tmp_path, by_env)[0] == ["staging"]


def test_selectors_complete_tags_and_the_last_term(fleet: Path, tmp_path: Path) -> None:
    by_env = {"OWNSTACK_TUI_FLEET": str(fleet)}
    assert complete("ownstack-tui deploy shop --stack 'tag:p", tmp_path, by_env)[0] == ["tag:prod"]
    assert complete("ownstack-tui deploy shop --wave 'staging,!p", tmp_path, by_env)[0] == [
        "staging,!prod-east",
    ]
    assert complete("ownstack-tui stack:tag staging u", tmp_path, by_env)[0] == ["us"]


def test_completion_loads_no_network_or_ui_module_and_survives_a_broken_fleet(
    fleet: Path, tmp_path: Path
) -> None:
    words, modules = complete(f"ownstack-tui --fleet {fleet} logs --stack ", tmp_path)
    assert words == ["prod-east", "staging", "tag:prod", "tag:us"]
    assert not {name for name in modules if name.split(".")[0] in HEAVY}
    fleet.write_text("[stacks.staging\n")
    assert complete(f"ownstack-tui --fleet {fleet} logs --stack ", tmp_path)[0] == []
    assert complete("ownstack-tui --fleet /dev/zero logs --stack ", tmp_path)[0] == []
