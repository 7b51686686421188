"""Malformed fleet files, one table: each is refused with exit 2 and one stderr line that names
the problem and the fix; no traceback, the file untouched, no stack contacted."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ownstack_tui.cli import main as cli_main

GOOD = """\
[stacks.s1]
host = "127.0.0.1"
port = {port}

[apps.shop]
branch = "main"
stacks = ["s1"]
needs_postgres = false
"""


@dataclass(frozen=True)
class Case:
    name: str
    says: str  # a piece of the one stderr line
    text: str | None = None  # the fleet file's content ({port} filled in), or
    make: Callable[[Path, int], None] | None = None  # a setup for what is not plain text
    unprivileged: bool = False  # root reads anything: drop that for permission cases


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def _write_bytes(data: bytes) -> Callable[[Path, int], None]:
    def make(path: Path, port: int) -> None:
        path.write_bytes(data)

    return make


def _directory(path: Path, port: int) -> None:
    path.mkdir()


def _symlink_loop(path: Path, port: int) -> None:
    other = path.with_name("other.toml")
    other.symlink_to(path)
    path.symlink_to(other)


def _dangling_link(path: Path, port: int) -> None:
    path.symlink_to(path.with_name("gone.toml"))


def _unreadable(path: Path, port: int) -> None:
    path.write_text(GOOD.format(port=port))
    path.chmod(0o000)


def _ten_megabytes(path: Path, port: int) -> None:
    with open(path, "w") as handle:
        handle.write(GOOD.format(port=port))
        handle.write(("# " + "padding " * 12 + "\n") * 110_000)


CASES = [
    Case("syntax error", "line 1, column 11", text='[stacks.s1\nhost = "127.0.0.1"\n'),
    Case("not UTF-8", "not UTF-8 text", make=_write_bytes(b'via = "ssh"\n# caf\xe9\n')),
    Case("needs_postgres as a string",
         'needs_postgres in [apps.shop] must be true or false (unquoted), not "no"',
         text=_replace("needs_postgres = false", 'needs_postgres = "no"')),
    Case("api_id as text", 'api_id in [apps.shop] must be a whole number (unquoted), not "abc"',
         text=GOOD + 'api_id = "abc"\n'),
    Case("api_id as a list", "api_id in [apps.shop] must be a whole number (unquoted), not a list",
         text=GOOD + "api_id = [1]\n"),
    Case("port as text", "port in [stacks.s1] must be a whole number",
         text=_replace("port = {port}", 'port = "{port}"')),
    Case("misspelt app key", "unknown key 'brnach' in [apps.shop]: did you mean 'branch'?",
         text=_replace('branch = "main"', 'brnach = "dev"')),
    Case("misspelt stack key", "unknown key 'hots' in [stacks.s1]: did you mean 'host'?",
         text=_replace("port = {port}", 'port = {port}\nhots = "x"')),
    Case("misspelt top-level table", "unknown key 'stack' in the fleet file: did you mean 'stacks'?",
         text=GOOD + '[stack.s2]\nhost = "127.0.0.1"\n'),
    Case("misspelt console key", "unknown key 'refresh' in [console]: did you mean 'refresh_interval'?",
         text="[console]\nrefresh = 5\n" + GOOD),
    Case("a health interval below the floor",
         "console.health_interval = 1 is too short: use at least 2 seconds",
         text="[console]\nhealth_interval = 1\n" + GOOD),
    Case("a grouping that is not a list",
         'console.group_by must be a list of tags, e.g. ["prod", "staging"]',
         text='[console]\ngroup_by = "prod"\n' + GOOD),
    Case("a grouping by a bad tag", "console.group_by: invalid tag 'Prod'",
         text='[console]\ngroup_by = ["Prod"]\n' + GOOD),
    Case("a TLS threshold as text", "health.tls_warning_days = '14': give a whole number of days",
         text='[health]\ntls_warning_days = "14"\n' + GOOD),
    Case("a critical TLS threshold above the warning one",
         "health.tls_critical_days = 20 is above health.tls_warning_days = 14",
         text="[health]\ntls_critical_days = 20\n" + GOOD),
    Case("misspelt health key", "unknown key 'tls_warn' in [health]: did you mean 'tls_warning_days'?",
         text="[health]\ntls_warn = 5\n" + GOOD),
    Case("misspelt rollout key", "unknown key 'wave' in [apps.shop.rollout]: did you mean 'waves'?",
         text=GOOD + "[apps.shop.rollout]\nwave = 2\n"),
    Case("a stack twice in an app's list", "stacks in [apps.shop] names s1 twice; remove the duplicate",
         text=_replace('stacks = ["s1"]', 'stacks = ["s1", "s1"]')),
    Case("an app naming an unknown stack", "app shop targets unknown stack 'nope'; known stacks: s1",
         text=_replace('stacks = ["s1"]', 'stacks = ["s1", "nope"]')),
    Case("stacks not a list", "stacks in [apps.shop] must be a list of stack names",
         text=_replace('stacks = ["s1"]', 'stacks = "s1"')),
    Case("a stack without host", '[stacks.s1] has no host; add host = "HOST"',
         text=_replace('host = "127.0.0.1"', 'user = "dokku"')),
    Case("a config value as a number", "config value of WORKERS must be a string (quote it)",
         text=GOOD + "[apps.shop.config]\nWORKERS = 3\n"),
    Case("an oversized value edited in", "config of app shop on stack s1 is too large for dokku",
         text=GOOD + f'[apps.shop.config]\nBIG = "{"b" * 130_000}"\n'),
    Case("tags not a list", "tags in [stacks.s1] must be a list of tags",
         text=_replace("port = {port}", 'port = {port}\ntags = "prod"')),
    Case("a tag with a capital", "invalid tag 'Prod': use 1-63 lowercase letters",
         text=_replace("port = {port}", 'port = {port}\ntags = ["Prod"]')),
    Case("a tag twice", "tags in [stacks.s1] names prod twice; remove the duplicate",
         text=_replace("port = {port}", 'port = {port}\ntags = ["prod", "prod"]')),
    Case("a wave that is no selector", "[apps.shop.rollout] wave 2 (tag:): give the tag after tag:",
         text=GOOD + '[apps.shop.rollout]\nwaves = [["s1"], ["tag:"]]\n'),
    Case("unknown via", "via = 'pigeon' is not one of: ssh, api", text='via = "pigeon"\n' + GOOD),
    Case("a 10 MB file", "larger than 1 MB, far more than any fleet; check the --fleet path",
         make=_ten_megabytes),
    Case("a directory", "Is a directory; give the path of a file", make=_directory),
    Case("a symlink loop", "the symbolic links loop", make=_symlink_loop),
    Case("a dangling symlink", "is a symbolic link to", make=_dangling_link),
    Case("no permission", "Permission denied; make it readable", make=_unreadable, unprivileged=True),
    Case("an empty file", "the fleet has no apps yet; add one with", text=""),
]


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    """A port where a stack would be: any contact with it is seen."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def _contacts(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def _state(path: Path) -> object:
    """What is at ``path``, to check it is the same afterwards."""
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()))
    os.chmod(path, 0o600) if not os.access(path, os.R_OK) else None
    return ("file", path.read_bytes(), path.stat().st_mode)


def _command_prefix(case: Case) -> list[str]:
    if case.unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to run without root's file access")
        return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
    return []


def _run(case: Case, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The command on the bad file: its exit status, stdout and stderr. In this process (a
    command of its own starts in ~0.3 s, 60-odd times here), but as its own process when it must
    run without root's file access. The installed command's own start on a bad file is
    tests/cli/test_fleet_commands.py's test_the_installed_command_prints_no_traceback_...."""
    prefix = _command_prefix(case)
    if prefix:
        result = subprocess.run([*prefix, sys.executable, "-m", "ownstack_tui", *argv],
                                capture_output=True, text=True, timeout=60)
        return result.returncode, result.stdout, result.stderr
    capsys.readouterr()
    status = cli_main(argv)  # an exception escaping fails the test, as a traceback would
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", [["app", "info", "shop"], ["config:set", "--app", "shop", "A=1"]],
                         ids=["read", "edit"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_fleet_file_is_one_clear_line_and_exit_2(
    case: Case, command: list[str], tmp_path: Path, listener: socket.socket,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = listener.getsockname()[1]
    path = tmp_path / "fleet.toml"
    if case.make is not None:
        case.make(path, port)
    else:
        assert case.text is not None
        path.write_text(case.text.format(port=port) if "{port}" in case.text else case.text)
    mode_before = path.lstat().st_mode
    before = None if case.unprivileged else _state(path)
    status, out, err = _run(case, ["--fleet", str(path), *command], capsys)
    assert status == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err + out
    assert case.says in err
    assert out == ""
    assert path.lstat().st_mode == mode_before
    if before is not None:
        assert _state(path) == before
    assert _contacts(listener) == 0


def test_a_byte_order_mark_is_not_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.format(port=22).encode())
    result = subprocess.run(
        [sys.executable, "-m", "ownstack_tui", "--fleet", str(path), "app", "list", "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"shop"' in result.stdout
