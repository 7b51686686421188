"""``git-receive-pack '<app>'`` and ``git-upload-pack``: the real git behind dokku's checks.

The app name is cleaned as dokku does (unescaped quotes and one leading ``/`` removed), a
missing app is auto-created, then the real git program runs on the bare repository. Its
output is relayed through the command's Console so the output faults apply to pushes too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal

from ownstack_tui.sandbox import gitutil
from ownstack_tui.sandbox.commands.common import APP_NAME_RULE, NEW_APP_RE, Ctx
from ownstack_tui.sandbox.console import STDERR, STDOUT, ClientGone, CommandExit, DokkuFail

GIT_SERVICES = ("git-receive-pack", "git-upload-pack")


def clean_app_name(word: str) -> str:
    name = re.sub(r"(?<!\\)'", "", word)
    return name[1:] if name.startswith("/") else name


async def git_service(ctx: Ctx, service: str, args: list[str]) -> int:
    app = clean_app_name(args[0] if args else "")
    if not ctx.state.app_exists(app):
        if not NEW_APP_RE.match(app):
            raise DokkuFail(APP_NAME_RULE)
        if ctx.state.global_props().get("disable-autocreation") == "true":
            await ctx.console.warn("App auto-creation disabled.")
            await ctx.console.warn(
                f"Re-enable app auto-creation or create an app with 'dokku apps:create {app}'"
            )
            raise CommandExit(1)
        ctx.state.create_app(app)
    return await relay_process(ctx, [service, str(ctx.state.repo(app))])


async def relay_process(ctx: Ctx, argv: list[str]) -> int:
    stdin_fd = ctx.sink.stdin_fd()
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=stdin_fd if stdin_fd is not None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=gitutil.git_env(),
        # Its own process group, so the hook it runs can be killed with it.
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stderr is not None

    async def pump_out(stream: asyncio.StreamReader, which: int) -> None:
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            await ctx.console.write_bytes(which, chunk)

    async def pump_in() -> None:
        assert proc.stdin is not None
        try:
            while True:
                chunk = await ctx.sink.read_stdin(65536)
                if not chunk:
                    break
                proc.stdin.write(chunk)
                await proc.stdin.drain()
        except (BrokenPipeError, ConnectionError):
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()

    async def watch_client() -> None:
        # A client that went away must not leave a build running (the hook may be quiet
        # for a long time under the build delay fault, so nothing would notice otherwise).
        while not ctx.sink.is_closed():
            await asyncio.sleep(0.2)
        raise ClientGone()

    feeder = asyncio.ensure_future(pump_in()) if stdin_fd is None else None
    watcher = asyncio.ensure_future(watch_client())
    try:
        relay = asyncio.gather(pump_out(proc.stdout, STDOUT), pump_out(proc.stderr, STDERR))
        # When the client is gone the relay is cancelled and never awaited; a pump that had
        # already failed writing to the dead channel must not be logged as never retrieved.
        relay.add_done_callback(lambda done: done.cancelled() or done.exception())
        done, _ = await asyncio.wait({relay, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if watcher in done:
            relay.cancel()
            watcher.result()
        await relay
        return await proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        raise
    finally:
        watcher.cancel()
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feeder
