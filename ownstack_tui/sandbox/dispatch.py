"""The inner ``dokku`` program: global flags, the command table, errors and exit statuses.

``run_ssh_command`` is what an SSH exec request runs (entry-script word handling first);
``run_argv`` is ``dokku ARGV`` on the host itself (hooks, tests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ownstack_tui.sandbox.commands import apps, config, git, logs, misc, ps, services, tls, urls
from ownstack_tui.sandbox.commands.common import Ctx, FlagError
from ownstack_tui.sandbox.commands.deploying import git_hook
from ownstack_tui.sandbox.console import (
    ClientGone,
    CommandExit,
    ConnectionDropped,
    Console,
    DokkuFail,
    Sink,
)
from ownstack_tui.sandbox.faults import Faults
from ownstack_tui.sandbox.receive import GIT_SERVICES, git_service
from ownstack_tui.sandbox.state import StackState
from ownstack_tui.sandbox.words import entry_words

Handler = Callable[[Ctx, list[str]], Awaitable[int]]

COMMANDS: dict[str, Handler] = {
    **apps.COMMANDS,
    **config.COMMANDS,
    **ps.COMMANDS,
    **logs.COMMANDS,
    **git.COMMANDS,
    **services.COMMANDS,
    **misc.COMMANDS,
    **urls.COMMANDS,
    **tls.COMMANDS,
    "git-hook": git_hook,
}

# Exit statuses for the two ways a command can end without finishing.
DROPPED_STATUS = 255
CLIENT_GONE_STATUS = 141


async def run_ssh_command(state: StackState, sink: Sink, original: str, faults: Faults | None = None) -> int:
    words = entry_words(original)
    if words.stderr:
        await sink.write(2, words.stderr.encode())
    return await run_argv(state, sink, words.argv, faults)


async def run_argv(state: StackState, sink: Sink, argv: list[str], faults: Faults | None = None) -> int:
    faults = faults if faults is not None else state.faults()
    quiet = force = False
    global_flags: list[str] = []
    app_override = ""
    index = 0
    while index < len(argv) and argv[index].startswith("--") and argv[index] != "--version":
        flag = argv[index]
        if flag == "--app":
            app_override = argv[index + 1] if index + 1 < len(argv) else ""
            index += 2
            continue
        quiet = quiet or flag == "--quiet"
        force = force or flag == "--force"
        global_flags.append(flag)
        index += 1
    rest = argv[index:]
    console = Console(sink, faults, quiet=quiet, live_faults=state.faults)
    ctx = Ctx(state=state, console=console, sink=sink, force=force, global_flags=global_flags)
    try:
        if not rest:
            return await misc.help_text(ctx, [])
        command, args = rest[0], rest[1:]
        if app_override:
            args = [app_override, *args]
        if command in GIT_SERVICES:
            return await git_service(ctx, command, args)
        handler = COMMANDS.get(command)
        if handler is None:
            await console.warn(f"`{' '.join(rest)}` is not a dokku command.")
            await console.warn("See `dokku help` for a list of available commands.")
            return 1
        return await handler(ctx, args) or 0
    except DokkuFail as failure:
        for line in failure.message.split("\n !     "):
            await console.warn(line)
        return failure.exit_status
    except CommandExit as done:
        return done.exit_status
    except FlagError as error:
        await console.err(f"{error}")
        return 2
    except ConnectionDropped:
        return DROPPED_STATUS
    except ClientGone:
        return CLIENT_GONE_STATUS
