"""The fleet file under hostile conditions, with the real command in real processes: killed
mid-write, several writers at once, a full disk, a folder it may not write."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from ownstack_tui.cli import main as cli_main
from ownstack_tui.fleet_file import FleetFile

BASE = """\
# kept through every edit
[stacks.base]
host = "127.0.0.1"

[apps.shop]
stacks = []
needs_postgres = false
"""
COMMAND = [sys.executable, "-m", "ownstack_tui"]


@pytest.fixture(scope="module", autouse=True)
def warm_imports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Run each command once here, so forked copies start with everything imported and a kill
    can land anywhere in the command's own work rather than in Python's start-up."""
    fleet = tmp_path_factory.mktemp("warm") / "fleet.toml"
    fleet.write_text(BASE)
    for argv in (_edit(1), _edit(2)):
        assert cli_main(["--fleet", str(fleet), *argv]) == 0


def _start(fleet: Path, *argv: str) -> int:
    """The command, as its own process (a fork of this one, already warm). Returns its pid."""
    pid = os.fork()
    if pid == 0:  # the child: run the command, never return into pytest
        status = 70
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            status = cli_main(["--fleet", str(fleet), *argv])
        finally:
            os._exit(status)
    return pid


def _exit_status(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _edit(index: int) -> list[str]:
    """Edit number ``index``: a new stack, or a new config key, alternately."""
    if index % 2:
        return ["stack:add", f"s{index}", "--host", "127.0.0.1"]
    return ["config:set", "--app", "shop", f"K{index}=v{index}"]


def _edit_is_in(index: int, data: dict) -> bool:
    if index % 2:
        return f"s{index}" in data.get("stacks", {})
    return data["apps"]["shop"].get("config", {}).get(f"K{index}") == f"v{index}"


def _check_whole(fleet: Path) -> dict:
    """Old or new content, never a mix: it parses, loads as a fleet, keeps the comment,
    and stays private."""
    data = tomllib.loads(fleet.read_text())
    FleetFile.load(fleet)
    assert fleet.read_text().startswith("# kept through every edit\n")
    assert stat.S_IMODE(fleet.stat().st_mode) == 0o600
    return data


def _reap(pids: list[int]) -> dict[int, tuple[int, float]]:
    """Wait for every one of ``pids``: each one's exit status and when it ended."""
    ended: dict[int, tuple[int, float]] = {}
    while len(ended) < len(pids):
        for pid in pids:
            if pid in ended:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ended[pid] = (os.waitstatus_to_exitcode(status), time.monotonic())
        time.sleep(0.001)
    return ended


# The two tests below fork the command ~400 times (some 25 s of CPU): the integration tier's,
# not `./dev test --fast`'s.
@pytest.mark.integration
def test_200_kills_at_random_moments_never_leave_a_broken_file(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(BASE)
    fleet.chmod(0o600)
    rng = random.Random(17)
    done: list[int] = []  # edits whose command said it succeeded
    index, kills, batches = 0, 0, 0
    # How long 8 commands at once take here and now, to aim the kills across their lives.
    begun = time.monotonic()
    pids = [_start(fleet, *_edit(index := index + 1)) for _ in range(8)]
    lives = sorted(end - begun for _, end in _reap(pids).values())
    typical = lives[len(lives) // 2]
    # Bounded by batches, not by the clock: a slow or busy machine takes longer, never fewer
    # kills (a batch lands ~5 of its 6 kills; 100 batches is room for 200 on any machine).
    while kills < 200 and batches < 100:
        batches += 1
        batch = []
        for k in range(8):  # several at once: kills land on lock holders too; two finish
            index += 1
            delay = None if k < 2 else rng.uniform(0.0, 1.2) * typical
            batch.append((index, _start(fleet, *_edit(index)), delay))
        begun = time.monotonic()
        for _number, pid, delay in sorted(batch, key=lambda item: item[2] or 0):
            if delay is not None:
                time.sleep(max(0.0, begun + delay - time.monotonic()))
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        ended = _reap([pid for _, pid, _ in batch])
        for number, pid, _delay in batch:
            status = ended[pid][0]
            if status == 0:
                done.append(number)
            elif status == -signal.SIGKILL:
                kills += 1
            else:
                raise AssertionError(f"edit {number} ended with status {status}")
        _check_whole(fleet)
    assert kills >= 200
    data = _check_whole(fleet)
    lost = [number for number in done if not _edit_is_in(number, data)]
    assert lost == [], f"edits reported done but missing: {lost}"
    # The next write removes whatever temp files the killed writers left.
    assert _exit_status(_start(fleet, *_edit(index + 1))) == 0
    assert not list(tmp_path.glob(".fleet.toml.*.tmp"))


@pytest.mark.integration
def test_parallel_writers_lose_no_edit_reported_done(tmp_path: Path) -> None:
    """Three stack:add at once, 40 rounds: each edit is in the file, or its command said no."""
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(BASE)
    reported = {}
    for round_ in range(40):
        batch = {f"p{round_}-{k}": _start(fleet, "stack:add", f"p{round_}-{k}", "--host", "127.0.0.1")
                 for k in range(3)}
        reported.update({name: _exit_status(pid) for name, pid in batch.items()})
    stacks = tomllib.loads(fleet.read_text())["stacks"]
    assert [name for name, status in reported.items() if status == 0 and name not in stacks] == []
    assert all(status in (0, 2) for status in reported.values())
    assert sum(status == 0 for status in reported.values()) == len(stacks) - 1


def _as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to run without root's file access")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_an_edit_in_a_read_only_folder_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    fleet = folder / "fleet.toml"
    fleet.write_text(BASE)
    fleet.chmod(0o600)
    folder.chmod(0o500)
    try:
        result = subprocess.run(
            [*_as_unprivileged(), *COMMAND, "--fleet", str(fleet), "config:set", "--app", "shop", "A=1"],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        folder.chmod(0o700)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "Permission denied; nothing was changed: make" in result.stderr
    assert fleet.read_text() == BASE
    assert sorted(p.name for p in folder.iterdir()) == ["fleet.toml"]


def test_a_full_disk_is_one_line_and_the_old_file_stays(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("needs unshare to mount a small tmpfs")
    mount = tmp_path / "small"
    mount.mkdir()
    source = tmp_path / "fleet.toml"
    source.write_text(BASE)
    # In a private mount namespace: a 64 KB tmpfs, the fleet file, a lock file (as after any
    # earlier edit), then filled to the last byte; then an edit that needs room.
    script = f"""
        set -e
        mount -t tmpfs -o size=64k tmpfs {mount}
        cp {source} {mount}/fleet.toml && chmod 600 {mount}/fleet.toml
        cat /dev/zero > {mount}/filler 2>/dev/null || true
        set +e
        {' '.join(COMMAND)} --fleet {mount}/fleet.toml config:set --app shop BIG={'x' * 20_000} \
            2>{tmp_path}/err
        echo $? > {tmp_path}/status
        cp {mount}/fleet.toml {tmp_path}/after.toml
        ls -A {mount} > {tmp_path}/listing
    """
    probe = subprocess.run([unshare, "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {probe.stderr.decode().strip()}")
    subprocess.run([unshare, "-rm", "sh", "-c", script], check=True, timeout=60)
    err = (tmp_path / "err").read_text()
    assert (tmp_path / "status").read_text().strip() == "2"
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "No space left on device; nothing was changed: free some space" in err
    assert (tmp_path / "after.toml").read_text() == BASE
    assert (tmp_path / "listing").read_text().split() == [".fleet.toml.lock", "filler", "fleet.toml"]
