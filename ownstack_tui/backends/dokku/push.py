"""``git push`` deploys over our own pooled asyncssh connection (no ``ssh`` binary needed).

How: we run the real ``git push --force <url> <sha>:refs/heads/<deploy-branch>`` with
``GIT_SSH_COMMAND`` set to :mod:`.bridge` (``GIT_SSH_VARIANT=simple``). git starts the bridge
exactly as it would start ``ssh``, with the command ``git-receive-pack '<app>'``; the bridge
connects back to us over a private unix socket, and we run that command in a new channel on
the stack's pooled connection, relaying bytes both ways.

Why this and not git's ``ext::`` transport: ``ext::`` must be enabled with
``protocol.ext.allow``, has its own ``%``/space escaping for the command, and would still need
the same relay process. The ``GIT_SSH_COMMAND`` route sends dokku the very command line a
normal ``git push dokku@host:app`` sends (its git path, bare words), scopes everything to the
child's environment, and so uses the same identity, host-key decision and connection (no
extra handshake) as every other command. A random token stops any other local process that
finds the socket from using our connection.

Each output line is passed to ``on_line`` as it arrives (``remote: `` stripped, see
:class:`parsers.PushLine`). A failed build or a deploy lock is a :class:`PushResult` with a
reason; a lost connection raises :class:`ConnectionDropped`; a build that prints nothing for
the pool's ``build_silence`` raises :class:`CommandTimeout` (and is stopped like a cancel).
Cancelling the awaiting task kills git (and the bridge), closes the channel and removes the
socket.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hmac
import os
import secrets
import selectors
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation

from . import bridge, commands, parsers
from .errors import AppNotFound, CommandTimeout, ConnectionDropped, StackError
from .parsers import PushLine
from .silence import watch_silence

if TYPE_CHECKING:
    from .client import DokkuClient

LineCallback = Callable[[PushLine], None]
_FRAME = struct.Struct(">cI")


@dataclass(frozen=True)
class PushResult:
    """How a push ended. ``ok`` means git exited 0; ``up_to_date`` means nothing was sent
    (the stack already had that commit on its deploy branch, so no build ran)."""

    stack: str
    app: str
    sha: str
    branch: str
    exit_status: int
    reason: str | None
    lines: tuple[PushLine, ...]
    up_to_date: bool = False
    locked: bool = False
    not_deployed: bool = False  # dokku took the push but said it was not the deploy branch

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not self.not_deployed


async def resolve_commit(repo: Path, ref: str) -> str:
    """The full SHA ``ref`` names in ``repo`` (so what we push is what we record)."""
    validation.git_ref(ref)
    output: list[bytes] = []
    status = await _run_git(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        dict(os.environ), lambda stream, data: output.append(data) if stream == 1 else None,
    )
    if status != 0:
        raise InvalidInput(f"{ref!r} is not a commit in {repo}")
    return b"".join(output).decode().strip()


async def push(
    client: DokkuClient,
    repo: Path | str,
    ref: str,
    app: str,
    *,
    branch: str | None = None,
    on_line: LineCallback | None = None,
    resolved: bool = False,
) -> PushResult:
    """Force-push ``ref`` of ``repo`` to ``app``'s deploy branch on the client's stack.

    ``branch`` defaults to the stack's deploy branch (``git:report``). ``resolved``: ``ref``
    is the full SHA :func:`resolve_commit` gave the caller (a deploy resolves it once for all
    its stacks), so it is not asked of git again."""
    repo = Path(repo).expanduser()
    validation.existing_app_name(app)
    sha = ref if resolved else await resolve_commit(repo, ref)
    await client.pool.connection(client.stack)  # connect errors surface before git starts
    if branch is None:
        try:
            branch = await client.deploy_branch(app)
        except AppNotFound:
            # A push would auto-create it, but only an existing app tells us its branch.
            await client.app_create(app)
            branch = await client.deploy_branch(app)
    validation.git_ref(branch)
    relay = _Relay(client, app)
    return await relay.push(repo, sha, branch, on_line)


@dataclass
class _Relay:
    client: DokkuClient
    app: str
    dropped: bool = False
    silent: bool = False  # stopped: the build printed nothing for build_silence seconds
    failure: BaseException | None = None
    _processes: list[Any] = field(default_factory=list)
    _handlers: set[asyncio.Task[Any]] = field(default_factory=set)
    _token: str = field(default_factory=lambda: secrets.token_hex(16))

    async def push(
        self, repo: Path, sha: str, branch: str, on_line: LineCallback | None
    ) -> PushResult:
        folder = Path(tempfile.mkdtemp(prefix="ownstack-push-"))
        if len(str(folder)) > 80:  # unix socket paths are limited to ~107 bytes
            shutil.rmtree(folder, ignore_errors=True)
            folder = Path(tempfile.mkdtemp(prefix="ownstack-push-", dir="/tmp"))
        server = await asyncio.start_unix_server(self._serve, path=str(folder / "bridge.sock"))
        lines: list[PushLine] = []
        readers = {1: _LineReader(lines, on_line), 2: _LineReader(lines, on_line)}
        child = _Child()
        watcher: asyncio.Future[None] | None = None
        limit = self.client.pool.build_silence

        def stop_silent() -> None:
            self.silent = True
            child.stop()
            for process in self._processes:
                process.close()

        try:
            watcher = asyncio.ensure_future(watch_silence(lambda: len(lines), limit, stop_silent))
            status = await _run_git(
                ["git", "-C", str(repo), "push", "--force",
                 f"ownstack@{self.client.stack.name}:{self.app}", f"{sha}:refs/heads/{branch}"],
                self._git_env(folder / "bridge.sock"),
                lambda stream, data: readers[stream].feed(data),
                child,
            )
        finally:
            if watcher is not None:
                watcher.cancel()
            child.stop()  # a cancel or an error: git and the bridge go (a no-op once git ended)
            for process in self._processes:
                process.close()
            for handler in self._handlers:
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            server.close()
            await server.wait_closed()
            shutil.rmtree(folder, ignore_errors=True)
        if self.failure is not None:
            raise self.failure
        stack = self.client.stack.name
        if self.silent:
            raise CommandTimeout(
                stack, f"the build timed out: it printed nothing for {limit:g} s "
                "(timeouts.build_silence in the fleet file); the push was stopped"
            )
        if self.dropped:
            self.client.pool.forget(self.client.stack)
            raise ConnectionDropped(
                stack, f"connection lost during the push of {self.app}; the build's outcome "
                "on the stack is unknown"
            )
        locked = any(parsers.is_deploy_lock_message(line.text) for line in lines)
        reason = None
        if status != 0:
            reason = parsers.push_failure_reason(lines, status)
            if locked:
                reason = (
                    f"{self.app} has a deploy lock in place; if no deploy is running, clear it "
                    f"with: {self.client.unlock_hint(self.app)}"
                )
        # "-----> WARNING: deploy did not complete, you must push to master." (exit 0)
        not_deployed = next(
            (line.text for line in lines if line.remote and "deploy did not complete" in line.text),
            None,
        )
        if status == 0 and not_deployed:
            reason = not_deployed.removeprefix("-----> ").removeprefix("WARNING: ")
        up_to_date = status == 0 and any(
            not line.remote and line.text.strip() == "Everything up-to-date" for line in lines
        )
        return PushResult(
            stack=stack, app=self.app, sha=sha, branch=branch, exit_status=status,
            reason=reason, lines=tuple(lines), up_to_date=up_to_date, locked=locked,
            not_deployed=status == 0 and bool(not_deployed),
        )

    def _git_env(self, socket_path: Path) -> dict[str, str]:
        env = dict(os.environ)
        bridge_file = Path(bridge.__file__).resolve()
        env.update({
            "GIT_SSH_COMMAND": f"{shlex.quote(sys.executable)} -I -S {shlex.quote(str(bridge_file))}",
            "GIT_SSH_VARIANT": "simple",  # no -p/-o options; the bridge ignores the host
            bridge.SOCKET_ENV: str(socket_path),
            bridge.TOKEN_ENV: self._token,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",  # git's own lines in English, for the failure-reason parser
        })
        return env

    # --- the parent's end of the bridge ---------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            kind, payload = await _read_frame(reader)
            token, argv = bridge.parse_header(payload) if kind == b"H" else ("", [])
            if not hmac.compare_digest(token.encode(), self._token.encode()):
                return
            status = await self._relay(argv, reader, writer)
            _write_frame(writer, b"X", str(status).encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # Only push() cancels handlers, when it ends. Python 3.11's stream server calls
            # task.exception() on its handler tasks, which raises for a cancelled one and logs a
            # traceback, so the handler ends normally instead.
            pass
        finally:
            writer.close()

    async def _relay(
        self, argv: list[str], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> int:
        import asyncssh

        expected = commands.receive_pack(self.app)
        if not argv or argv[-1] != expected.line:
            _write_frame(writer, b"E", b"ownstack-tui: refusing an unexpected remote command\n")
            return 1
        try:
            process = await self.client.open_process(expected, encoding=None)
        except StackError as error:
            self.failure = error
            return 255
        self._processes.append(process)

        async def to_remote() -> None:
            try:
                while True:
                    kind, payload = await _read_frame(reader)
                    if kind == b"I":
                        process.stdin.write(payload)
                        await process.stdin.drain()
                    elif kind == b"i":
                        process.stdin.write_eof()
                        return
            except (asyncio.IncompleteReadError, ConnectionError):
                process.close()  # the bridge (git) went away: end the remote side too

        async def from_remote(stream: Any, kind: bytes) -> None:
            while True:
                data = await stream.read(1 << 16)
                if not data:
                    return
                _write_frame(writer, kind, data)
                await writer.drain()

        feeder = asyncio.ensure_future(to_remote())
        try:
            await asyncio.gather(from_remote(process.stdout, b"O"), from_remote(process.stderr, b"E"))
            await process.wait_closed()
        except (asyncssh.Error, OSError):
            self.dropped = True
        finally:
            feeder.cancel()
            with contextlib.suppress(BaseException):
                await feeder
        if process.exit_status is None and process.exit_signal is None:
            self.dropped = True
        if self.dropped:
            _write_frame(writer, b"E", b"ownstack-tui: connection to the stack was lost\n")
            return 255
        return process.exit_status if process.exit_status is not None else 255


class _LineReader:
    """One of git's output streams, cut into lines as its chunks come (on the event loop)."""

    def __init__(self, lines: list[PushLine], on_line: LineCallback | None) -> None:
        self._lines = lines
        self._on_line = on_line
        self._splitter = parsers.PushLineSplitter()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes) -> None:
        """A chunk of output; ``b""`` at the stream's end."""
        text = self._decoder.decode(chunk, final=not chunk)
        new = self._splitter.feed(text) if chunk else self._splitter.feed(text) + self._splitter.flush()
        for line in new:
            self._lines.append(line)
            if self._on_line is not None:
                self._on_line(line)


class _Child:
    """The git process a thread runs, for stopping it from the event loop. Lock-guarded: a stop
    that comes while the thread is still starting git kills it as soon as it has started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def started(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._process = process
            if self._stopped:
                self._kill()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._kill()

    def _kill(self) -> None:
        # Not yet reaped, so its pid (and group: start_new_session) is still git's own.
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)


# Called on the event loop with (1 for stdout or 2 for stderr, chunk); b"" ends a stream.
ChunkCallback = Callable[[int, bytes], None]


async def _run_git(
    argv: list[str], env: dict[str, str], on_chunk: ChunkCallback, child: _Child | None = None
) -> int:
    """Run git on a thread of its own (subprocess.Popen), passing its output to ``on_chunk`` on
    the loop as it comes; its exit status. asyncio's own subprocesses cannot be cancelled
    safely: a task cancelled while ``create_subprocess_exec`` connects the pipes (the loop's end
    cancels that too) waits forever for pipes that never connect, and the loop never closes.
    On a cancel, git (and the bridge, in its process group) is killed, and reaped before the
    cancel goes on. Not the loop's default executor: its few threads would queue the pushes of
    a fleet deploying at once, each holding one for its whole build."""
    child = child or _Child()
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[int] = loop.create_future()

    def call(function: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody listens any more
            loop.call_soon_threadsafe(function, *args)

    def finish(status: int, error: BaseException | None) -> None:
        if not ended.done():
            ended.set_result(status) if error is None else ended.set_exception(error)

    def work() -> None:
        try:
            status = _git_in_thread(argv, env, child, lambda stream, data: call(on_chunk, stream, data))
        except BaseException as error:  # handed to the awaiting task (git missing, say)
            call(finish, -1, error)
        else:
            call(finish, status, None)

    threading.Thread(target=work, name="git", daemon=True).start()
    try:
        return await asyncio.shield(ended)
    except asyncio.CancelledError:
        child.stop()
        # Killed, git ends within moments: wait for its reaping (a second cancel stops waiting).
        await asyncio.wait([ended], timeout=5.0)
        if ended.done():
            ended.exception()  # retrieved: nobody wants it after a cancel
        raise


def _git_in_thread(
    argv: list[str], env: dict[str, str], child: _Child, deliver: Callable[[int, bytes], None]
) -> int:
    with subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        start_new_session=True,  # git and the bridge share a group we can kill
    ) as process:
        child.started(process)
        assert process.stdout is not None and process.stderr is not None
        streams = {process.stdout.fileno(): 1, process.stderr.fileno(): 2}
        with selectors.DefaultSelector() as selector:
            for fd in streams:
                selector.register(fd, selectors.EVENT_READ)
            while streams:
                for key, _events in selector.select():
                    data = os.read(key.fd, 1 << 16)
                    deliver(streams[key.fd], data)
                    if not data:
                        selector.unregister(key.fd)
                        del streams[key.fd]
        return process.wait()


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    kind, size = _FRAME.unpack(await reader.readexactly(_FRAME.size))
    return kind, await reader.readexactly(size) if size else b""


def _write_frame(writer: asyncio.StreamWriter, kind: bytes, payload: bytes = b"") -> None:
    writer.write(_FRAME.pack(kind, len(payload)) + payload)
