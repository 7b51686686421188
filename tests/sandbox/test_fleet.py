"""Starting and stopping sandbox fleets, known_hosts lines, and `python -m ownstack_tui.sandbox up`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from ownstack_tui.sandbox import SandboxFleet, stack_names
from tests.sandbox.helpers import connect, processes_mentioning


def test_stack_names_follow_the_demo_convention() -> None:
    assert stack_names(5) == ["staging", "prod-east", "prod-west", "stack-4", "stack-5"]
    assert stack_names(1) == ["staging"]


async def test_fifty_stacks_start_in_one_process_and_all_answer(tmp_path: Path) -> None:
    async with SandboxFleet(tmp_path, count=50) as fleet:
        assert len({stack.port for stack in fleet}) == 50
        known_hosts = tmp_path / "known_hosts"
        fleet.write_known_hosts(known_hosts)
        gate = asyncio.Semaphore(10)

        async def ask(stack) -> str:
            async with gate, connect(stack, known_hosts) as conn:
                result = await conn.run("version", stdin=asyncssh.DEVNULL)
                return str(result.stdout)

        answers = await asyncio.gather(*(ask(stack) for stack in fleet))
    assert answers == ["dokku version 0.38.27\n"] * 50


async def test_stopped_stacks_refuse_connections_and_keep_their_state(tmp_path: Path) -> None:
    fleet = SandboxFleet(tmp_path, names=["staging"])
    await fleet.start()
    stack = fleet["staging"]
    port, host_key = stack.port, stack.host_public_key
    await stack.dokku("apps:create", "kept")
    await fleet.stop()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    async with SandboxFleet(tmp_path, names=["staging"]) as again:
        assert again["staging"].host_public_key == host_key
        assert (await again["staging"].dokku("apps:exists", "kept")).exit_status == 0


def test_known_hosts_lines_replace_stale_entries(tmp_path: Path, sandbox_fleet) -> None:
    path = tmp_path / "known_hosts"
    stack = sandbox_fleet["staging"]
    pattern = f"[127.0.0.1]:{stack.port}"
    path.write_text(f"{pattern} ssh-ed25519 AAAAstale\nother.example ssh-ed25519 AAAAkeep\n")
    sandbox_fleet.write_known_hosts(path)
    lines = path.read_text().splitlines()
    assert "other.example ssh-ed25519 AAAAkeep" in lines
    assert f"{pattern} ssh-ed25519 AAAAstale" not in lines
    assert stack.known_hosts_line() in lines
    assert len(lines) == 1 + len(sandbox_fleet.stacks)


def test_background_fleet_serves_clients_on_other_loops(sandbox_fleet, sandbox_known_hosts) -> None:
    async def ask() -> int:
        async with connect(sandbox_fleet["prod-east"], sandbox_known_hosts) as conn:
            return (await conn.run("version", stdin=asyncssh.DEVNULL)).exit_status or 0

    assert asyncio.run(ask()) == 0
    assert sandbox_fleet["prod-east"].run_sync("version").stdout == "dokku version 0.38.27\n"


def test_up_writes_a_fleet_file_and_known_hosts_and_stops_on_sigterm(tmp_path: Path) -> None:
    from ownstack_tui.fleet_file import FleetFile

    home = tmp_path / "home"
    env = {**os.environ, "OWNSTACK_TUI_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ownstack_tui.sandbox", "up", "--stacks", "3", "--dir", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("Ctrl-C to stop."):
                break
        text = "".join(printed)
        fleet_path = tmp_path / "d" / "fleet.toml"
        assert f"ownstack-tui --fleet {fleet_path}" in text
        fleet = FleetFile.load(fleet_path).fleet
        assert list(fleet.stacks) == ["staging", "prod-east", "prod-west"]
        shop = fleet.apps["shop"]
        assert shop.stacks == ("staging", "prod-east", "prod-west")
        assert (Path(shop.repo or "") / "Procfile").exists()
        known = (home / "data" / "known_hosts").read_text().splitlines()
        for stack in fleet.stacks.values():
            assert any(line.startswith(f"[127.0.0.1]:{stack.port} ssh-ed25519 ") for line in known)
        staging = fleet.stacks["staging"]
        done = subprocess.run(
            [
                "ssh",
                "-F",
                "/dev/null",
                "-o",
                f"UserKnownHostsFile={home / 'data' / 'known_hosts'}",
                "-o",
                "BatchMode=yes",
                "-i",
                str(staging.identity),
                "-p",
                str(staging.port),
                "dokku@127.0.0.1",
                "--",
                "version",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.stdout == "dokku version 0.38.27\n"
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out.strip().endswith("sandbox stopped.")


async def test_stopping_a_stack_mid_deploy_leaves_no_build_running(tmp_path: Path) -> None:
    from tests.fixtures.sandbox import make_demo_repo
    from tests.sandbox.helpers import git_push

    fleet = SandboxFleet(tmp_path / "fleet", names=["staging"])
    await fleet.start()
    stack = fleet["staging"]
    known_hosts = tmp_path / "known_hosts"
    fleet.write_known_hosts(known_hosts)
    stack.set_fault(build_line_delay_ms=2000)
    push = asyncio.ensure_future(git_push(stack, known_hosts, make_demo_repo(tmp_path / "r"), "slow", "main"))
    lock = stack.state.deploy_lock_path("slow")
    for _ in range(250):
        if lock.exists():
            break
        await asyncio.sleep(0.02)
    assert processes_mentioning(str(stack.state_dir))
    await fleet.stop()
    assert (await push).returncode != 0
    for _ in range(100):
        if not processes_mentioning(str(stack.state_dir)):
            break
        await asyncio.sleep(0.05)
    assert processes_mentioning(str(stack.state_dir)) == []
