"""One SSH connection per stack, shared by every command, stream and push (many channels).

* ``SshPool.connection(stack)`` returns the stack's open connection, connecting first if
  there is none or the last one dropped (reconnect). Concurrent callers for the same stack
  share one handshake. Simultaneous handshakes to one host:port (one sshd) are bounded,
  because sshd's default ``MaxStartups 10:30:100`` starts dropping connects beyond ten;
  stacks on different hosts never wait for each other, so one black-holed host cannot
  delay the others past their own connect timeout. A connection closed before login (what
  sshd does past MaxStartups, e.g. with other clients connecting too) is tried again after
  a short backoff.
* ``SshPool.handshakes`` counts every connection attempt (the perf benchmarks read it).
* Connecting honours ``~/.ssh/config`` (Host aliases, HostName, Port, User, IdentityFile,
  ProxyJump: asyncssh reads it), ssh-agent (``SSH_AUTH_SOCK``), and the stack's ``identity``.
  The fleet's ``user`` always wins over the config's ``User``; the fleet's ``port`` wins
  unless it is the default 22, so a config ``Port`` for an alias still applies.
* Host keys are checked against ``~/.ssh/known_hosts`` and ours; an unknown key raises
  :class:`UnknownHostKey` (or is accepted and saved with ``accept_new_host_keys=True``, like
  OpenSSH's ``accept-new``), a changed one raises :class:`HostKeyChanged`. A ProxyJump
  host is connected by asyncssh itself and checked against ``~/.ssh/known_hosts`` only.
* Each failure is one :class:`StackError` subclass naming the stack, raised within
  ``connect_timeout`` seconds. After login, ``command_timeout`` bounds opening a channel and
  a command's answer, ``build_silence`` a build or long command that prints nothing, and
  keepalives every ``keepalive_interval`` seconds (three unanswered end the connection) find
  a host that stopped answering. All four come from the fleet file's ``[timeouts]``.

asyncssh is imported only here and only when a stack is first contacted, so importing the
package costs nothing for commands that never talk SSH.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import os
import random
import socket
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ownstack_tui.model.fleet import Stack

from . import hostkeys
from .errors import (
    AuthenticationFailed,
    ConnectTimeout,
    HostKeyChanged,
    HostKeyError,
    StackError,
    StackUnreachable,
    UnknownHostKey,
)
from .gathered_writes import gather_writes

if TYPE_CHECKING:
    import asyncssh

DEFAULT_CONNECT_TIMEOUT = 10.0  # these four: the defaults of model.fleet.Timeouts
DEFAULT_COMMAND_TIMEOUT = 60.0
DEFAULT_KEEPALIVE = 15.0
DEFAULT_BUILD_SILENCE = 600.0
# Below sshd's default MaxStartups start (10): connects past it are dropped at random. sshd
# counts a connection until its child reports the login done, a little after the client sees
# it; at 8, a loaded machine's sshd still dropped 1-2 of 60 now and then, at 6 none.
DEFAULT_MAX_HANDSHAKES = 6
HANDSHAKE_RETRIES = 4  # a connect dropped before login (sshd past MaxStartups) is tried again
HANDSHAKE_BACKOFF = 0.05  # seconds before the first retry, doubling, with jitter
PREFERRED_CIPHERS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
)


async def _import_asyncssh() -> None:
    """The first import of asyncssh takes ~0.3 s: do it on a thread, so a console that
    contacts its stacks at start keeps drawing meanwhile."""
    if "asyncssh" not in sys.modules:
        await asyncio.to_thread(importlib.import_module, "asyncssh")


class _KnownHosts:
    """known_hosts files parsed once and reused while none of them changes: parsing every file
    again for each connection cost a fifth of the CPU of connecting to 50 stacks at once."""

    def __init__(self) -> None:
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._parsed: Any = None

    def load(self, files: Sequence[Path]) -> Any:
        import asyncssh

        stamp = tuple(
            (str(path), info.st_mtime_ns, info.st_size)
            for path in files
            if (info := _stat(path)) is not None
        )
        if stamp != self._stamp:
            readable = [name for name, _mtime, _size in stamp]
            self._parsed = (
                asyncssh.read_known_hosts(readable) if readable else asyncssh.import_known_hosts("")
            )
            self._stamp = stamp
        return self._parsed


def _stat(path: Path) -> Any:
    try:
        info = os.stat(path)  # one system call (path.is_file() would be a second)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


@dataclass
class _HostKeyCheck:
    """The host-key decision for one connection attempt (asyncssh calls into it)."""

    stack: str
    files: Sequence[Path]
    accept_new: bool
    known_hosts: _KnownHosts = field(default_factory=_KnownHosts)
    trusted: list[Any] = field(default_factory=list)
    error: HostKeyError | None = None

    def match(self, host: str, addr: str, port: int | None) -> tuple[Any, ...]:
        import asyncssh

        known = self.known_hosts.load(self.files)
        result = asyncssh.match_known_hosts(known, host, addr, port)
        self.trusted = list(result[0])
        return result

    def validate(self, host: str, port: int, key: asyncssh.SSHKey) -> bool:
        """Called by asyncssh only for a key that is not among the trusted ones."""
        key_type = key.get_algorithm()
        fingerprint = key.get_fingerprint("sha256")
        key_base64 = key.export_public_key("openssh").decode("ascii").split()[1]
        details = {
            "host": host,
            "port": port,
            "key_type": key_type,
            "fingerprint": fingerprint,
            "known_hosts_line": hostkeys.known_hosts_entry(host, port, key_type, key_base64),
        }
        where = host if port == 22 else f"{host}:{port}"
        if self.trusted:
            known = ", ".join(sorted({k.get_fingerprint("sha256") for k in self.trusted}))
            self.error = HostKeyChanged(
                self.stack,
                f"HOST KEY CHANGED for {where}: it now presents {key_type} {fingerprint} "
                f"but known_hosts has {known}; refusing to connect (if the host was really "
                "reinstalled, remove its old line from known_hosts)",
                **details,
            )
            return False
        if self.accept_new:
            hostkeys.append_known_host(details["known_hosts_line"])
            return True
        self.error = UnknownHostKey(
            self.stack,
            f"unknown host key for {where}: {key_type} {fingerprint} "
            "(accept it with --accept-new-host-key, or add it to known_hosts)",
            **details,
        )
        return False


@functools.cache
def _client_class() -> type:
    """asyncssh's client callbacks, asking a connection's :class:`_HostKeyCheck` about a host
    key. Made once (asyncssh is imported late): a class made per connect cost more than the
    rest of this module's work for it."""
    import asyncssh

    class _Client(asyncssh.SSHClient):
        def __init__(self, check: _HostKeyCheck) -> None:
            self._check = check

        def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
            # Before asyncssh sends its first byte: the handshake's packets gather too.
            gather_writes(conn)

        def validate_host_public_key(
            self, host: str, addr: str, port: int, key: asyncssh.SSHKey
        ) -> bool:
            return self._check.validate(host, port, key)

    return _Client


class _DroppedAtStartup(Exception):
    """The server closed the connection before login: sshd past MaxStartups does that."""


@dataclass
class _Entry:
    key: tuple[object, ...]
    connection: asyncssh.SSHClientConnection

    def is_open(self) -> bool:
        return not self.connection.is_closed()


class SshPool:
    """The shared SSH connections of one process (one event loop)."""

    def __init__(
        self,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_handshakes: int = DEFAULT_MAX_HANDSHAKES,
        accept_new_host_keys: bool = False,
        known_hosts_files: Sequence[Path] | None = None,
        keepalive_interval: float = DEFAULT_KEEPALIVE,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
        build_silence: float = DEFAULT_BUILD_SILENCE,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.build_silence = build_silence
        self.accept_new_host_keys = accept_new_host_keys
        self.keepalive_interval = keepalive_interval
        self._known_hosts_files = known_hosts_files
        self.max_handshakes = max_handshakes
        self._handshake_slots: dict[tuple[str, int], asyncio.Semaphore] = {}
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.handshakes = 0  # connection attempts started, successful or not
        self._known_hosts = _KnownHosts()
        # Each identity file read and parsed once (not per connect: 200 stacks share one key).
        self._identities: dict[Path, list[asyncssh.SSHKeyPair]] = {}

    @property
    def known_hosts_files(self) -> list[Path]:
        if self._known_hosts_files is not None:
            return list(self._known_hosts_files)
        return hostkeys.default_known_hosts_files()

    async def connection(self, stack: Stack) -> asyncssh.SSHClientConnection:
        """The stack's open connection; connects (or reconnects) when needed."""
        key = (stack.host, stack.port, stack.user, stack.identity)
        entry = self._entries.get(stack.name)
        if entry is not None and entry.key == key and entry.is_open():
            return entry.connection
        lock = self._locks.setdefault(stack.name, asyncio.Lock())
        async with lock:
            entry = self._entries.get(stack.name)
            if entry is not None and entry.key == key and entry.is_open():
                return entry.connection
            if entry is not None:
                entry.connection.close()
            connection = await self._connect(stack)
            self._entries[stack.name] = _Entry(key, connection)
            return connection

    def forget(self, stack: Stack) -> None:
        """Drop the stack's connection (after a failure), so the next call reconnects."""
        entry = self._entries.pop(stack.name, None)
        if entry is not None:
            entry.connection.close()

    async def close(self) -> None:
        entries, self._entries = list(self._entries.values()), {}
        for entry in entries:
            entry.connection.close()
        for entry in entries:
            with contextlib.suppress(Exception):
                await entry.connection.wait_closed()

    async def __aenter__(self) -> SshPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- connecting -------------------------------------------------------------------------

    async def _connect(self, stack: Stack) -> asyncssh.SSHClientConnection:
        await _import_asyncssh()

        check = _HostKeyCheck(
            stack.name, self.known_hosts_files, self.accept_new_host_keys, self._known_hosts
        )
        options = self._options(stack, check)
        where = f"{stack.user}@{stack.host}" + ("" if stack.port == 22 else f":{stack.port}")
        slots = self._handshake_slots.setdefault(
            (stack.host, stack.port), asyncio.Semaphore(self.max_handshakes)
        )
        for retry in range(HANDSHAKE_RETRIES + 1):
            try:
                async with slots:
                    return await self._handshake(stack, options, check, where)
            except _DroppedAtStartup:
                if retry == HANDSHAKE_RETRIES:
                    raise StackUnreachable(
                        stack.name,
                        f"{where} kept closing the connection before login "
                        f"({HANDSHAKE_RETRIES + 1} tries; is its sshd's MaxStartups reached?)",
                    ) from None
            # An sshd past MaxStartups drops at random: back off a little, then try again.
            await asyncio.sleep(HANDSHAKE_BACKOFF * 2**retry * (0.5 + random.random()))
        raise AssertionError("unreachable")

    async def _handshake(
        self, stack: Stack, options: dict[str, Any], check: _HostKeyCheck, where: str
    ) -> asyncssh.SSHClientConnection:
        """One connection attempt; each failure becomes the stack's StackError, except a
        connection closed before login, which the caller tries again."""
        import asyncssh

        self.handshakes += 1
        try:
            # asyncssh's own connect_timeout covers TCP + handshake + auth; the outer
            # bound also covers DNS and ProxyJump hops.
            async with asyncio.timeout(self.connect_timeout + 1.0):
                return await asyncssh.connect(stack.host, **options)
        except asyncssh.ConnectionLost as error:
            if error.reason == "Connection lost":  # closed on us (not a login timeout)
                raise _DroppedAtStartup from None
            raise StackUnreachable(
                stack.name, f"{where} closed the SSH connection: {error.reason}"
            ) from None
        except (ConnectionResetError, BrokenPipeError):
            raise _DroppedAtStartup from None
        except asyncssh.HostKeyNotVerifiable as error:
            if check.error is not None:
                raise check.error from None
            raise StackError(stack.name, f"host key of {where} not accepted: {error}") from None
        except asyncssh.PermissionDenied:
            raise AuthenticationFailed(
                stack.name,
                f"{where} refused our SSH keys (check the stack's identity, "
                "your ssh-agent and ~/.ssh/config)",
            ) from None
        except TimeoutError:
            raise ConnectTimeout(
                stack.name,
                f"no SSH answer from {where} within {self.connect_timeout:g} s: timed out "
                "(timeouts.connect in the fleet file)",
            ) from None
        except asyncssh.KeyExchangeFailed as error:
            raise StackUnreachable(
                stack.name,
                f"SSH key exchange with {where} failed: {error.reason} (if known_hosts "
                "lists only an old key type for this host, it may have been reinstalled)",
            ) from None
        except asyncssh.DisconnectError as error:
            raise StackUnreachable(
                stack.name, f"{where} closed the SSH connection: {error.reason}"
            ) from None
        except ConnectionRefusedError:
            raise StackUnreachable(stack.name, f"connection refused by {where}") from None
        except socket.gaierror:
            raise StackUnreachable(stack.name, f"cannot resolve host {stack.host}") from None
        except OSError as error:
            reason = error.strerror or str(error) or type(error).__name__
            raise StackUnreachable(stack.name, f"cannot reach {where}: {reason}") from None
        except (asyncssh.KeyImportError, ValueError) as error:
            hint = ""
            if "assphrase" in str(error) and stack.identity:
                # We never ask for passphrases; the agent holds the unlocked key.
                hint = (
                    f"; {stack.identity} is passphrase-protected: load it with "
                    f"'ssh-add {stack.identity}' and remove identity from [stacks.{stack.name}] "
                    "so your ssh-agent's key is used"
                )
            raise StackError(stack.name, f"cannot connect to {where}: {error}{hint}") from None

    def _options(self, stack: Stack, check: _HostKeyCheck) -> dict[str, Any]:
        import asyncssh

        options: dict[str, Any] = {
            "username": stack.user,
            "known_hosts": check.match,
            "client_factory": functools.partial(_client_class(), check),
            "connect_timeout": self.connect_timeout,
            "login_timeout": self.connect_timeout,
            "keepalive_interval": self.keepalive_interval,
            "keepalive_count_max": 3,
            # AES-GCM runs in OpenSSL; asyncssh's chacha20-poly1305 (its default first choice)
            # does part of each packet in Python and costs ~3x the CPU per packet, which is
            # what limits fanning out to many stacks at once.
            "encryption_algs": PREFERRED_CIPHERS,
        }
        if stack.port != 22:
            options["port"] = stack.port
        if stack.identity:
            identity = Path(stack.identity).expanduser()
            keys = self._identities.get(identity)
            if keys is None:
                if not identity.is_file():
                    raise StackError(stack.name, f"identity file {identity} not found")
                try:
                    keys = self._identities[identity] = asyncssh.load_keypairs([str(identity)])
                except (asyncssh.KeyImportError, ValueError, OSError):
                    keys = None  # asyncssh says why at connect, with our hint (passphrase)
            options["client_keys"] = keys if keys is not None else [str(identity)]
        return options
