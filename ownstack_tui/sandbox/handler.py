"""The stand-in ``dokku`` as a program: an OpenSSH forced command, and the git hook.

    python -m ownstack_tui.sandbox.handler --state DIR [WORDS...]

With ``SSH_ORIGINAL_COMMAND`` set (sshd's forced command) the command line is taken from it
and parsed like dokku's entry script; the positional words (the shell's split of it, as in
dokku's authorized_keys line) are ignored. Without it, WORDS are dokku's argv as-is (this is
how the pre-receive hook runs ``git-hook <app>``).

Imports stay light (no asyncssh): sshd starts one process per command.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
from pathlib import Path

from ownstack_tui.sandbox.console import STDOUT


class StdioSink:
    """Output to fds 1 and 2, unbuffered, so every line streams as it is written."""

    async def write(self, stream: int, data: bytes) -> None:
        fd = 1 if stream == STDOUT else 2
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    async def read_stdin(self, size: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(None, os.read, 0, size)

    def stdin_fd(self) -> int | None:
        return 0

    async def abort_connection(self) -> None:
        # The TCP connection belongs to the sshd process serving this session: kill it, once
        # it has had a moment to pass on the lines already written (the client sees them).
        pid = _ancestor_named("sshd")
        if pid is not None:
            await asyncio.sleep(0.3)
            os.kill(pid, signal.SIGKILL)

    def is_closed(self) -> bool:
        poller = select.poll()
        poller.register(1, select.POLLERR | select.POLLHUP)
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))


def _ancestor_named(name: str) -> int | None:
    pid = os.getppid()
    while pid > 1:
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        if comm == name:
            return pid
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return None


def _die_with_parent() -> None:
    """A hook whose git-receive-pack is gone (client left, push cancelled) must not go on."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] != "--state":
        sys.stderr.write("usage: python -m ownstack_tui.sandbox.handler --state DIR [WORDS...]\n")
        return 2
    from ownstack_tui.sandbox.dispatch import run_argv, run_ssh_command
    from ownstack_tui.sandbox.state import StackState

    state = StackState(Path(args[1]))
    words = args[2:]
    original = os.environ.pop("SSH_ORIGINAL_COMMAND", None)
    sink = StdioSink()
    if original is not None:
        return asyncio.run(run_ssh_command(state, sink, original))
    faults = state.faults()
    if words[:1] == ["git-hook"]:
        _die_with_parent()
        # The hook's output reaches the client through git-receive-pack, whose relay
        # applies the drop fault; counting here as well would count twice.
        faults = faults.changed(drop_after_lines=0)
    return asyncio.run(run_argv(state, sink, words, faults))


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    # A thread may still be blocked reading stdin; do not wait for it.
    os._exit(status)
