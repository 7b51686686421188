"""Typed dokku operations on one stack, over the pool's shared connection.

``DokkuClient(stack, pool)`` is cheap: make one per stack wherever it is needed; every
client for a stack reuses the pool's single connection (each command is a new channel).

Errors: a command dokku refuses raises :class:`DokkuCommandError` (``AppNotFound`` for exit
20, ``DeployLocked`` for the deploy lock, with the command that clears it); transport
failures raise the :mod:`.errors` stack errors. ``run`` itself never raises for a non-zero
exit: it returns the :class:`CommandResult` for callers that decide themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ownstack_tui.model.fleet import Stack

from . import commands, parsers
from .commands import RemoteCommand
from .errors import AppNotFound, CommandTimeout, ConnectionDropped, DeployLocked, DokkuCommandError
from .parsers import DeploySource, LogLine
from .silence import watch_silence

if TYPE_CHECKING:
    import asyncssh

    from .pool import SshPool

APP_MISSING_EXIT = 20
STDERR = 1  # SSH's extended data type for stderr (asyncssh.EXTENDED_DATA_STDERR)
T = TypeVar("T")


class _Collected:
    """An SSH session that keeps a command's output and says when its channel closed (with
    the error, when the connection was lost). It has every method asyncssh calls on a client
    session (``SSHClientSession``'s; that class is not imported at start-up)."""

    def __init__(self) -> None:
        self.stdout: list[bytes] = []
        self.stderr: list[bytes] = []
        self.exit_status: int | None = None
        self.exit_signal: str | None = None
        self.closed: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    def connection_made(self, channel: object) -> None:
        pass

    def session_started(self) -> None:
        pass

    def data_received(self, data: bytes, datatype: int | None) -> None:
        (self.stderr if datatype == STDERR else self.stdout).append(data)

    def eof_received(self) -> bool:
        return False

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    def xon_xoff_requested(self, client_can_restart: bool) -> None:
        pass

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status

    def exit_signal_received(self, signal: str, core_dumped: bool, msg: str, lang: str) -> None:
        self.exit_signal = signal

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)

    def expire(self) -> None:
        """The answer's time is up (a timer's callback)."""
        if not self.closed.done():
            self.closed.set_exception(TimeoutError())

    @staticmethod
    def text(chunks: list[bytes]) -> str:
        return b"".join(chunks).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class CommandResult:
    command: RemoteCommand
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    @property
    def message(self) -> str:
        """One line saying why the command failed (dokku's ` !     ` text)."""
        return parsers.error_message(self.stderr, self.stdout, self.exit_status)


@dataclass(frozen=True)
class ServiceState:
    """What ``ensure_service`` did: ``created`` and/or ``linked`` just now."""

    name: str
    created: bool
    linked: bool


class DokkuClient:
    def __init__(self, stack: Stack, pool: SshPool) -> None:
        self.stack = stack
        self.pool = pool

    # --- transport ---------------------------------------------------------------------------

    async def open_process(
        self, command: RemoteCommand, *, encoding: str | None = "utf-8"
    ) -> asyncssh.SSHClientProcess[Any]:
        """A new channel running ``command`` on the pooled connection, as a process with
        streams (for output read as it comes). A stale connection (dropped since last use) is
        replaced once, transparently."""

        async def open_on(connection: asyncssh.SSHClientConnection) -> asyncssh.SSHClientProcess[Any]:
            return await connection.create_process(command.line, encoding=encoding, errors="replace")

        return await self._open_channel(command, open_on)

    async def _open_channel(
        self, command: RemoteCommand, open_on: Callable[[asyncssh.SSHClientConnection], Awaitable[T]]
    ) -> T:
        import asyncssh

        for attempt in (1, 2):
            connection = await self.pool.connection(self.stack)
            try:
                # A host that froze after login never confirms the channel: bounded here.
                async with asyncio.timeout(self.pool.command_timeout):
                    return await open_on(connection)
            except TimeoutError:
                self.pool.forget(self.stack)
                raise self._timed_out(command, self.pool.command_timeout, "command") from None
            except (asyncssh.Error, OSError) as error:
                self.pool.forget(self.stack)
                if attempt == 2:
                    raise ConnectionDropped(
                        self.stack.name, f"could not open a channel for {command.name}: {error}"
                    ) from None
        raise AssertionError("unreachable")

    async def run(
        self,
        command: RemoteCommand | Sequence[str],
        *,
        input: str | None = None,
        long: bool = False,
    ) -> CommandResult:
        """Run one dokku command; returns its exit status and output whatever the status.

        Bounded by the command timeout, or with ``long`` (restarts, scaling, services: work
        that may take minutes) by the build-silence limit. Words given as a list go through
        :func:`commands.build` (validated and quoted)."""
        if not isinstance(command, RemoteCommand):
            command = commands.build(command)
        limit, setting = (
            (self.pool.build_silence, "build_silence") if long else (self.pool.command_timeout, "command")
        )

        async def open_on(connection: asyncssh.SSHClientConnection) -> tuple[Any, _Collected]:
            # A plain session gathering bytes: a fifth of the CPU of a process with streams,
            # which counts when 200 stacks answer at once.
            return await connection.create_session(_Collected, command.line, encoding=None)

        channel, collected = await self._open_channel(command, open_on)
        # A timer that fails the session's own future, not asyncio.timeout: no task to cancel
        # and uncancel, a third of this method's own CPU when 200 stacks answer at once.
        expiry = asyncio.get_running_loop().call_later(limit, collected.expire)
        try:
            if input:
                channel.write(input.encode())
            channel.write_eof()
            lost = await collected.closed
        except TimeoutError:
            raise self._timed_out(command, limit, setting) from None
        except OSError as error:
            self.pool.forget(self.stack)
            raise self._dropped(command, error) from None
        finally:
            expiry.cancel()
            channel.close()
        if lost is not None:
            self.pool.forget(self.stack)
            raise self._dropped(command, lost)
        return self._result(command, collected, collected.text(collected.stdout),
                            collected.text(collected.stderr))

    def _result(self, command: RemoteCommand, process: Any, stdout: str, stderr: str) -> CommandResult:
        """A finished command's result; no exit status at all means the connection went away."""
        if process.exit_status is None and process.exit_signal is None:
            self.pool.forget(self.stack)
            raise self._dropped(command, None)
        status = process.exit_status if process.exit_status is not None else 255
        return CommandResult(command, status, stdout, stderr)

    def _timed_out(self, command: RemoteCommand, limit: float, setting: str) -> CommandTimeout:
        return CommandTimeout(
            self.stack.name,
            f"{command.name} timed out: no answer within {limit:g} s after login "
            f"(timeouts.{setting} in the fleet file)",
        )

    def _dropped(self, command: RemoteCommand, error: object) -> ConnectionDropped:
        detail = f": {error}" if error else ""
        return ConnectionDropped(
            self.stack.name, f"connection lost while running {command.name}{detail}"
        )

    async def check(self, command: RemoteCommand | Sequence[str], **kwargs: Any) -> CommandResult:
        """Like :meth:`run`, but a non-zero exit raises the matching DokkuCommandError."""
        result = await self.run(command, **kwargs)
        if not result.ok:
            raise self.error_for(result)
        return result

    def error_for(self, result: CommandResult, app: str | None = None) -> DokkuCommandError:
        message = result.message
        command = result.command.display
        if result.exit_status == APP_MISSING_EXIT:
            return AppNotFound(self.stack.name, command, result.exit_status, message)
        if parsers.is_deploy_lock_message(result.stderr + result.stdout):
            app = app or (result.command.words[1] if len(result.command.words) > 1 else "APP")
            return DeployLocked(
                self.stack.name, command, result.exit_status, message, self.unlock_hint(app)
            )
        return DokkuCommandError(self.stack.name, command, result.exit_status, message)

    def unlock_hint(self, app: str) -> str:
        """The command a user runs to clear a stuck deploy lock on this stack."""
        port = "" if self.stack.port == 22 else f"-p {self.stack.port} "
        return f"ssh {port}{self.stack.ssh_target} apps:unlock {app}"

    # --- apps --------------------------------------------------------------------------------

    async def version(self) -> str:
        return parsers.parse_version((await self.check(commands.version())).stdout)

    async def apps_list(self) -> list[str]:
        return parsers.parse_apps_list((await self.check(commands.apps_list())).stdout)

    async def app_exists(self, app: str) -> bool:
        result = await self.run(commands.apps_exists(app))
        if result.ok:
            return True
        if result.exit_status == APP_MISSING_EXIT:
            return False
        raise self.error_for(result)

    async def app_create(self, app: str) -> bool:
        """Create the app; False (no error) when it already exists."""
        result = await self.run(commands.apps_create(app))
        if result.ok:
            return True
        if parsers.is_already_exists_message(result.stderr):
            return False
        raise self.error_for(result)

    async def app_destroy(self, app: str) -> None:
        await self.check(commands.apps_destroy(app))

    async def app_report(self, app: str) -> dict[str, str]:
        """``apps:report APP --format json`` as a dict of strings."""
        result = await self.check(commands.apps_report(app))
        reports = parsers.parse_report_json(result.stdout)
        return reports[0] if reports else {}

    async def deploy_source(self, app: str) -> DeploySource:
        return parsers.deploy_source_from_report(await self.app_report(app))

    async def deployed_sha(self, app: str) -> str | None:
        """The SHA dokku recorded for the last successful deploy (dokku.md §11)."""
        return (await self.deploy_source(app)).sha

    async def app_unlock(self, app: str) -> None:
        await self.check(commands.apps_unlock(app))

    async def deploy_lock_set(self, app: str, record: str) -> None:
        await self.check(commands.deploy_lock_set(app, record))

    async def deploy_lock_unset(self, app: str) -> None:
        await self.check(commands.deploy_lock_unset(app))

    async def process_states(self, app: str) -> dict[str, list[str]]:
        """Each process type's container states (``running``, ``exited``, ...)."""
        reports = parsers.parse_report_json((await self.check(commands.ps_report(app))).stdout)
        return parsers.process_states(reports[0] if reports else {})

    async def urls(self, app: str) -> list[str]:
        return parsers.parse_urls((await self.check(commands.urls(app))).stdout)

    # --- config ------------------------------------------------------------------------------

    async def config_export(self, app: str) -> dict[str, str]:
        return parsers.parse_config_json((await self.check(commands.config_export(app))).stdout)

    async def config_set(
        self, app: str, values: Mapping[str, str], *, restart: bool = True
    ) -> CommandResult:
        """Set values (sent ``--encoded``: any text survives). The result's stdout holds
        dokku's progress and, with ``restart``, the redeploy output."""
        return await self.check(commands.config_set(app, values, restart=restart), long=restart)

    async def config_unset(
        self, app: str, keys: Iterable[str], *, restart: bool = True
    ) -> CommandResult:
        return await self.check(commands.config_unset(app, keys, restart=restart), long=restart)

    # --- ps ----------------------------------------------------------------------------------

    async def ps_scale(self, app: str) -> dict[str, int]:
        return parsers.parse_ps_scale((await self.check(commands.ps_scale_show(app))).stdout)

    async def ps_scale_set(
        self, app: str, counts: Mapping[str, int], *, skip_deploy: bool = False
    ) -> CommandResult:
        """Raises DokkuCommandError with dokku's own words when scaling is refused
        (e.g. the app.json formations lock)."""
        return await self.check(
            commands.ps_scale_set(app, counts, skip_deploy=skip_deploy), long=not skip_deploy
        )

    # --- services ----------------------------------------------------------------------------

    async def ensure_service(self, kind: str, app: str, name: str | None = None) -> ServiceState:
        """Make sure ``<kind>-<app>`` (or ``name``) exists and is linked to the app.

        One ``<kind>:info`` when all is in place. Tolerates "already exists" / "already
        linked" from a concurrent or earlier run."""
        name = name or commands.service_name(kind, app)
        created = False
        info = await self.run(commands.service(kind, "info", name))
        if info.ok:
            links = parsers.parse_service_info(info.stdout).links
        elif "does not exist" in info.message:
            result = await self.run(commands.service(kind, "create", name), long=True)
            if not result.ok and not parsers.is_already_exists_message(result.message):
                raise self.error_for(result)
            created, links = result.ok, ()
        else:
            raise self.error_for(info)
        linked = False
        if app not in links:
            result = await self.run(commands.service(kind, "link", name, app), long=True)
            if not result.ok and not parsers.is_already_linked_message(result.message):
                raise self.error_for(result)
            linked = result.ok
        return ServiceState(name=name, created=created, linked=linked)

    async def service_info(self, kind: str, name: str) -> parsers.ServiceInfo:
        result = await self.check(commands.service(kind, "info", name))
        return parsers.parse_service_info(result.stdout)

    # --- git ---------------------------------------------------------------------------------

    async def git_report(self, app: str) -> dict[str, str]:
        reports = parsers.parse_report_json((await self.check(commands.git_report(app))).stdout)
        return reports[0] if reports else {}

    async def deploy_branch(self, app: str) -> str:
        """The branch a push must update to deploy: app's, else global, else master."""
        report = await self.git_report(app)
        for key in ("computed-deploy-branch", "deploy-branch", "global-deploy-branch"):
            if report.get(key, "").strip():
                return report[key].strip()
        return "master"

    async def set_deploy_branch(self, app: str, branch: str) -> None:
        await self.check(commands.git_set(app, "deploy-branch", branch))

    async def git_from_image(
        self, app: str, image: str, on_line: Any = None
    ) -> CommandResult:
        """Deploy an image (``git:from-image``), streaming output lines to ``on_line``."""
        return await self.stream(commands.git_from_image(app, image), on_line)

    async def stream(self, command: RemoteCommand, on_line: Any = None) -> CommandResult:
        """Run a long command, passing each output line (stdout or stderr) to
        ``on_line(str)`` as it arrives; returns the full result."""
        import asyncssh

        process = await self.open_process(command)
        out: list[str] = []
        err: list[str] = []

        async def pump(reader: Any, sink: list[str]) -> None:
            async for line in reader:
                sink.append(line)
                if on_line is not None:
                    on_line(line.rstrip("\r\n"))

        silent = False

        def stop_silent() -> None:
            nonlocal silent
            silent = True
            process.close()

        limit = self.pool.build_silence
        watcher = asyncio.ensure_future(
            watch_silence(lambda: len(out) + len(err), limit, stop_silent)
        )
        try:
            process.stdin.write_eof()
            await asyncio.gather(pump(process.stdout, out), pump(process.stderr, err))
            await process.wait_closed()
        except (asyncssh.Error, OSError) as error:
            if not silent:
                self.pool.forget(self.stack)
                raise self._dropped(command, error) from None
        finally:
            watcher.cancel()
            process.close()
        if silent:
            raise CommandTimeout(
                self.stack.name,
                f"{command.name} timed out: it printed nothing for {limit:g} s "
                "(timeouts.build_silence in the fleet file); it was stopped",
            )
        return self._result(command, process, "".join(out), "".join(err))

    # --- logs --------------------------------------------------------------------------------

    async def logs(
        self, app: str, *, num: int = 100, ps: str | None = None, follow: bool = False
    ) -> AsyncIterator[LogLine]:
        """Runtime log lines, parsed. With ``follow`` it runs until the consumer stops:
        break out, cancel the task, or ``aclose()``; the channel is closed in ``finally``.
        Use ``contextlib.aclosing(client.logs(...))`` to close promptly after a break."""
        import asyncssh

        command = commands.logs(app, num=num, ps=ps, follow=follow)
        process = await self.open_process(command)
        try:
            process.stdin.write_eof()
            try:
                async for line in process.stdout:
                    if line.strip():
                        yield parsers.parse_log_line(line)
            except (asyncssh.Error, OSError) as error:
                self.pool.forget(self.stack)
                raise self._dropped(command, error) from None
            await process.wait_closed()
            if process.exit_status not in (0, None):
                stderr = await process.stderr.read()
                raise self.error_for(CommandResult(command, process.exit_status, "", stderr))
            if process.exit_status is None and process.exit_signal is None:
                self.pool.forget(self.stack)
                raise self._dropped(command, None)
        finally:
            process.close()
            with contextlib.suppress(Exception):
                await asyncio.shield(process.wait_closed())
