"""A sandbox stack behind a real OpenSSH sshd, reached the way dokku is: a forced command.

authorized_keys holds, like ``sshcommand acl-add`` writes for dokku::

    command="<python> -m ownstack_tui.sandbox.handler --state <dir> $SSH_ORIGINAL_COMMAND",
    no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding ssh-ed25519 AAAA...

sshd runs forced commands through the login user's shell (the user running the tests; root
in CI). That shell is bash, which reads ~/.bashrc for SSH sessions only when SHLVL < 2, so the
config sets ``SetEnv SHLVL=1`` to keep a user's .bashrc (pyenv init costs ~120 ms) out of every
command; ``PYTHONPATH`` is set the same way so the handler imports this checkout. The
interpreter path is absolute (``sys.executable``).

Faults: the command-level ones are read from the state folder by the handler itself;
``auth_refused`` empties authorized_keys; ``host_key_changed`` restarts sshd with the other
key. ``rtt_ms`` and ``port_closed`` live in the same delay proxy as in the asyncssh form, run
on a small thread of its own: ``port`` is the proxy's, ``sshd_port`` sshd's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ownstack_tui.sandbox.app_http import AppHttpServer
from ownstack_tui.sandbox.faults import Faults, load_faults, save_faults
from ownstack_tui.sandbox.keys import ensure_key, host_pattern, public_key_text, write_known_hosts
from ownstack_tui.sandbox.proxy import DelayProxy
from ownstack_tui.sandbox.runner import StateCommands
from ownstack_tui.sandbox.state import StackState, package_root


def sshd_binary() -> str | None:
    return shutil.which("sshd") or ("/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SshdStack(StateCommands):
    """Same attributes as SandboxStack, served by ``sshd -D`` as its own process."""

    host = "127.0.0.1"

    def __init__(
        self,
        base_dir: Path,
        name: str = "sshd-stack",
        client_key: Path | None = None,
        *,
        max_startups: str | None = "100:30:200",
        log_level: str = "ERROR",
    ):
        """``max_startups=None`` keeps sshd's default (``10:30:100``, what real hosts have);
        ``log_level="INFO"`` makes sshd log each connect it drops past MaxStartups."""
        self.name = name
        self.max_startups = max_startups
        self.log_level = log_level
        self.base_dir = Path(base_dir)
        self.state_dir = self.base_dir / "stacks" / name
        self.state = StackState(self.state_dir)
        self.sshd_dir = self.state_dir / "sshd"
        self.host_key_path = self.sshd_dir / "ssh_host_ed25519_key"
        self.alt_host_key_path = self.sshd_dir / "ssh_host_ed25519_key.changed"
        self.client_key_path = client_key or self.base_dir / "client_ed25519_key"
        self.user = getpass.getuser()
        self.sshd_port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._faults = Faults()
        self._proxy = DelayProxy(lambda: self.sshd_port, lambda: self._faults)
        self._http = AppHttpServer(self.state)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._proxy.port

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> SshdStack:
        binary = sshd_binary()
        if binary is None:
            raise RuntimeError("sshd not found: install openssh-server")
        if not (self.state_dir / "stack.json").exists():
            self.state.initialise(self.name)
        self.sshd_dir.mkdir(parents=True, exist_ok=True)
        # sshd (as root) refuses to start without its privilege-separation folder.
        with contextlib.suppress(PermissionError):
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        ensure_key(self.client_key_path, "ownstack-sandbox-client")
        ensure_key(self.host_key_path, f"sandbox-{self.name}")
        ensure_key(self.alt_host_key_path, f"sandbox-{self.name}-changed")
        self.sshd_port = _free_port()
        self._faults = load_faults(self.state_dir)
        self._write_authorized_keys()
        self._spawn()
        self._start_proxy()
        if self._faults.port_closed:
            self._in_proxy_loop(self._proxy.close)
        return self

    def stop(self) -> None:
        self._stop_sshd()
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None:

            async def shutdown() -> None:
                await self._http.stop()
                await self._proxy.aclose()

            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()

    def _start_proxy(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="sshd-proxy", daemon=True)
        self._thread.start()

        async def open_proxy() -> None:
            self._proxy.open()
            await self._proxy.wait_open()
            await self._http.start()

        asyncio.run_coroutine_threadsafe(open_proxy(), loop).result(timeout=10)

    def _in_proxy_loop(self, fn: Callable[[], object]) -> None:
        if self._loop is None:
            return

        async def call() -> None:
            fn()

        asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=10)

    def _stop_sshd(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> SshdStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def dropped_connects(self) -> int:
        """Connects sshd dropped past MaxStartups, from its log (needs ``log_level="INFO"``).

        sshd logs the first drop of a throttling period, then the period's total when it ends
        ("exited MaxStartups throttling after 00:00:01, 9 connections dropped")."""
        try:
            lines = (self.sshd_dir / "sshd.log").read_text(errors="replace").splitlines()
        except OSError:
            return 0
        total, open_period = 0, 0
        for line in lines:
            if "exited MaxStartups throttling" in line:
                total += int(re.search(r"(\d+) connections? dropped", line).group(1))  # type: ignore[union-attr]
                open_period = 0
            elif "past MaxStartups" in line:
                open_period += 1  # a period still throttling when the log was read
        return total + open_period

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- identity ---------------------------------------------------------------------
    @property
    def host_public_key(self) -> str:
        return public_key_text(self._presented_key())

    def known_hosts_line(self) -> str:
        return f"{host_pattern(self.host, self.port)} {public_key_text(self.host_key_path)}"

    def write_known_hosts(self, path: Path) -> None:
        write_known_hosts(path, {host_pattern(self.host, self.port): public_key_text(self.host_key_path)})

    # -- faults -----------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        return load_faults(self.state_dir)

    def set_fault(self, **changes: Any) -> Faults:
        old = self.faults
        new = old.changed(**changes)
        save_faults(self.state_dir, new)
        self._apply(old, new)
        return new

    def clear_faults(self) -> None:
        old = self.faults
        save_faults(self.state_dir, Faults())
        self._apply(old, Faults())

    def _apply(self, old: Faults, new: Faults) -> None:
        self._faults = new
        if old.auth_refused != new.auth_refused:
            self._write_authorized_keys()
        if old.host_key_changed != new.host_key_changed or self._process is None:
            self._stop_sshd()
            self._spawn()
        if new.port_closed and self._proxy.listening:
            self._in_proxy_loop(self._proxy.close)
        elif not new.port_closed and not self._proxy.listening:
            self._in_proxy_loop(self._proxy.open)

    # -- files and process ------------------------------------------------------------
    def _presented_key(self) -> Path:
        return self.alt_host_key_path if self.faults.host_key_changed else self.host_key_path

    def forced_command(self) -> str:
        return (
            f"{shlex.quote(sys.executable)} -m ownstack_tui.sandbox.handler "
            f"--state {shlex.quote(str(self.state_dir.resolve()))} $SSH_ORIGINAL_COMMAND"
        )

    def _write_authorized_keys(self) -> None:
        lines = []
        if not self.faults.auth_refused:
            command = self.forced_command().replace('"', '\\"')
            lines.append(
                f'command="{command}",no-pty,no-port-forwarding,no-agent-forwarding,'
                f"no-X11-forwarding {public_key_text(self.client_key_path)}"
            )
        path = self.sshd_dir / "authorized_keys"
        path.write_text("".join(line + "\n" for line in lines))
        path.chmod(0o600)

    def _write_config(self) -> Path:
        config = self.sshd_dir / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {self.sshd_port}",
                    f"HostKey {self._presented_key()}",
                    f"PidFile {self.sshd_dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.sshd_dir / 'authorized_keys'}",
                    "StrictModes no",
                    "UsePAM no",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    *([f"MaxStartups {self.max_startups}"] if self.max_startups else []),
                    "UseDNS no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    f"LogLevel {self.log_level}",
                    f"SetEnv SHLVL=1 PYTHONPATH={package_root()}",
                    "",
                ]
            )
        )
        return config

    def _spawn(self) -> None:
        binary = sshd_binary()
        assert binary is not None
        config = self._write_config()
        log = open(self.sshd_dir / "sshd.log", "ab")  # noqa: SIM115 - owned by the process
        self._process = subprocess.Popen(
            [binary, "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                detail = (self.sshd_dir / "sshd.log").read_text()[-500:]
                raise RuntimeError(f"sshd exited at start: {detail.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.sshd_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.02)
        self._stop_sshd()
        raise RuntimeError(f"sshd did not listen on port {self.sshd_port}")
