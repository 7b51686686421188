"""Sandbox stacks in one process: start, stop, faults, known_hosts (see package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from ownstack_tui.sandbox.app_http import AppHttpServer
from ownstack_tui.sandbox.faults import FAULTS_FILE, Faults, load_faults, save_faults
from ownstack_tui.sandbox.keys import (
    ensure_key,
    host_pattern,
    public_key_text,
    write_known_hosts,
)
from ownstack_tui.sandbox.proxy import DelayProxy
from ownstack_tui.sandbox.runner import StateCommands
from ownstack_tui.sandbox.server import start_ssh_server
from ownstack_tui.sandbox.state import StackState

DEFAULT_NAMES = ("staging", "prod-east", "prod-west")
FAULT_POLL_SECONDS = 0.25
T = TypeVar("T")


def stack_names(count: int) -> list[str]:
    """staging, prod-east, prod-west, then stack-4, stack-5, ..."""
    return [*DEFAULT_NAMES[:count], *(f"stack-{i}" for i in range(4, count + 1))]


REGIONS = ("us", "eu", "ap")
# One prod stack in TIER_B_EVERY is tier-b; the period is prime to the regions' so that
# tier-b spans every region rather than sitting in one.
TIER_B_EVERY = 4


def tagged_stack_names(count: int) -> dict[str, list[str]]:
    """A big fleet's names and tags (env, region, tier), in fleet order: about a tenth
    staging, a twentieth canary, the rest prod, regions taken in turn and numbered per
    env and region (staging-us-01, canary-eu-01, prod-ap-07); a quarter of prod is tier-b,
    every other stack tier-a."""
    staging = max(1, count // 10) if count >= 2 else 0
    canary = max(1, count // 20) if count >= 3 else 0
    envs = ["staging"] * staging + ["canary"] * canary + ["prod"] * (count - staging - canary)
    seen: Counter[str] = Counter()  # stacks of each env so far
    numbered: Counter[tuple[str, str]] = Counter()
    stacks: dict[str, list[str]] = {}
    for env in envs:
        position = seen[env]
        seen[env] += 1
        region = REGIONS[position % len(REGIONS)]
        tier = "tier-b" if env == "prod" and position % TIER_B_EVERY == TIER_B_EVERY - 1 else "tier-a"
        numbered[env, region] += 1
        stacks[f"{env}-{region}-{numbered[env, region]:02d}"] = [env, region, tier]
    return stacks


class SandboxStack(StateCommands):
    """One stand-in dokku host: state folder + asyncssh server + fault proxy."""

    host = "127.0.0.1"
    user = "dokku"

    def __init__(self, fleet: SandboxFleet, name: str, state_dir: Path) -> None:
        self.fleet = fleet
        self.name = name
        self.state_dir = state_dir
        self.state = StackState(state_dir)
        self.host_key_path = state_dir / "ssh_host_ed25519_key"
        self.alt_host_key_path = state_dir / "ssh_host_ed25519_key.changed"
        self.ssh_port = 0
        self._faults = Faults()
        self._faults_stamp = 0
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._commands: set[asyncio.Task[None]] = set()
        # Exec requests received, by command word (one per SSH channel that ran a command).
        self.commands_received: Counter[str] = Counter()
        self._proxy = DelayProxy(lambda: self.ssh_port, lambda: self._faults)
        self._http = AppHttpServer(self.state)

    # -- identity ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._proxy.port

    @property
    def client_key_path(self) -> Path:
        return self.fleet.client_key_path

    @property
    def host_public_key(self) -> str:
        """The host key the stack presents now (changes with the host_key_changed fault)."""
        return public_key_text(self._presented_key())

    def _presented_key(self) -> Path:
        return self.alt_host_key_path if self._faults.host_key_changed else self.host_key_path

    def known_hosts_line(self) -> str:
        """The line for the stack's real host key (not the one a fault swaps in)."""
        return f"{host_pattern(self.host, self.port)} {public_key_text(self.host_key_path)}"

    def write_known_hosts(self, path: Path) -> None:
        write_known_hosts(path, {host_pattern(self.host, self.port): public_key_text(self.host_key_path)})

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        if not (self.state_dir / "stack.json").exists():
            self.state.initialise(self.name)
        ensure_key(self.host_key_path, f"sandbox-{self.name}")
        ensure_key(self.alt_host_key_path, f"sandbox-{self.name}-changed")
        self._reload_faults()
        self._acceptor = await start_ssh_server(
            self.state,
            self._presented_key(),
            self.fleet.authorized_keys,
            lambda: self._faults,
            self._commands,
            self.commands_received,
        )
        self.ssh_port = self._acceptor.sockets[0].getsockname()[1]
        self._proxy.open()
        await self._proxy.wait_open()
        if self._faults.port_closed:
            self._proxy.close()
        await self._http.start()

    async def stop(self) -> None:
        await self._http.stop()
        await self._proxy.aclose()
        # Commands still running (a push mid-build, a log follower) end with the stack.
        for task in list(self._commands):
            task.cancel()
        if self._commands:
            await asyncio.wait(list(self._commands), timeout=5)
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None

    # -- faults -----------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        return self._faults

    def set_fault(self, **changes: Any) -> Faults:
        new = load_faults(self.state_dir).changed(**changes)
        save_faults(self.state_dir, new)
        self.fleet.call_in_loop(self._reload_faults)
        return new

    def clear_faults(self) -> None:
        save_faults(self.state_dir, Faults())
        self.fleet.call_in_loop(self._reload_faults)

    def _reload_faults(self) -> None:
        """Read faults.json and apply the transport faults (runs on the fleet's loop)."""
        try:
            stamp = (self.state_dir / FAULTS_FILE).stat().st_mtime_ns
        except OSError:
            stamp = 0
        old, new = self._faults, load_faults(self.state_dir)
        self._faults, self._faults_stamp = new, stamp
        if self._acceptor is None:
            return
        if old.host_key_changed != new.host_key_changed:
            self._acceptor.update(server_host_keys=[str(self._presented_key())])
        if new.port_closed and self._proxy.listening:
            self._proxy.close()
        elif not new.port_closed and not self._proxy.listening:
            self._proxy.open()

    def _poll_faults(self) -> None:
        try:
            stamp = (self.state_dir / FAULTS_FILE).stat().st_mtime_ns
        except OSError:
            stamp = 0
        if stamp != self._faults_stamp:
            self._reload_faults()

    def __repr__(self) -> str:
        return f"<SandboxStack {self.name} 127.0.0.1:{self.port}>"


class SandboxFleet:
    """Several sandbox stacks served from one event loop."""

    def __init__(
        self,
        base_dir: Path | str,
        names: list[str] | None = None,
        count: int | None = None,
    ) -> None:
        self.base_dir = Path(base_dir)
        wanted = list(names) if names is not None else stack_names(count or 3)
        self.client_key_path = self.base_dir / "client_ed25519_key"
        self.stacks: list[SandboxStack] = [
            SandboxStack(self, name, self.base_dir / "stacks" / name) for name in wanted
        ]
        self._authorized: set[bytes] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watcher: asyncio.Task[None] | None = None

    # -- access -----------------------------------------------------------------------
    def __getitem__(self, name: str) -> SandboxStack:
        for stack in self.stacks:
            if stack.name == name:
                return stack
        raise KeyError(name)

    def __iter__(self) -> Iterator[SandboxStack]:
        return iter(self.stacks)

    @property
    def names(self) -> list[str]:
        return [stack.name for stack in self.stacks]

    @property
    def client_public_key(self) -> str:
        return public_key_text(self.client_key_path)

    def authorized_keys(self) -> set[bytes]:
        return self._authorized

    def authorize(self, public_key_file: Path) -> None:
        """Also accept this public key (e.g. a developer's own) on every stack."""
        self._authorized.add(asyncssh.read_public_key(str(public_key_file)).public_data)

    def write_known_hosts(self, path: Path) -> None:
        entries = {host_pattern(s.host, s.port): public_key_text(s.host_key_path) for s in self.stacks}
        write_known_hosts(Path(path), entries)

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> SandboxFleet:
        self._loop = asyncio.get_running_loop()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        ensure_key(self.client_key_path, "ownstack-sandbox-client")
        self.authorize(self.client_key_path.with_name(self.client_key_path.name + ".pub"))
        await asyncio.gather(*(stack.start() for stack in self.stacks))
        self._watcher = asyncio.ensure_future(self._watch_faults())
        return self

    async def add_stack(self, name: str) -> SandboxStack:
        stack = SandboxStack(self, name, self.base_dir / "stacks" / name)
        self.stacks.append(stack)
        await stack.start()
        return stack

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await asyncio.gather(*(stack.stop() for stack in self.stacks), return_exceptions=True)

    async def __aenter__(self) -> SandboxFleet:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _watch_faults(self) -> None:
        # Faults may be switched from another process (CLI, forced command tests).
        while True:
            await asyncio.sleep(FAULT_POLL_SECONDS)
            for stack in self.stacks:
                stack._poll_faults()

    def call_in_loop(self, fn: Callable[[], T]) -> T | None:
        """Run ``fn`` on the fleet's loop and wait for it (directly if already there)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return fn()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return fn()

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=10)

    # -- from synchronous code ---------------------------------------------------------
    @classmethod
    @contextlib.contextmanager
    def background(
        cls, base_dir: Path | str, names: list[str] | None = None, count: int | None = None
    ) -> Iterator[SandboxFleet]:
        """Serve the fleet from a thread of its own; yields once every stack listens."""
        fleet = cls(base_dir, names=names, count=count)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(fleet.start())
            except BaseException as error:
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(fleet.stop())
            # Like asyncio.run: finish whatever connections were still being served.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        thread = threading.Thread(target=serve, name="sandbox-fleet", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        try:
            yield fleet
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
