"""Taking and releasing a rollout's deploy lock on one stack (the record: model/deploy_lock.py).

Taking it is read, write, read back: two rollouts that both saw the stack free both write,
and only the one whose record is read back goes on. The window left (a write landing after
the other's read-back) is one round trip; dokku's own deploy lock still refuses a second push
while the first builds.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass

from ownstack_tui import clock
from ownstack_tui.backends.base import RolloutBackend
from ownstack_tui.engine.engine import Engine
from ownstack_tui.errors import OwnstackError
from ownstack_tui.fanout import StackOutcome, fan_out
from ownstack_tui.model.deploy_lock import LockHolder, StackLock, held_message, short_command
from ownstack_tui.model.fleet import App, Stack


class LockHeld(OwnstackError):
    """Another rollout (or dokku's own apps:lock) holds the app's deploys on a stack."""


@dataclass(frozen=True)
class LockRequest:
    holder: LockHolder
    wait: float = 0.0  # --lock-wait: how long to poll for a held lock to be released
    break_stale: bool = False  # --break-lock: take over a lock older than the stale bound


def new_holder(argv: list[str] | tuple[str, ...], reason: str | None = None) -> LockHolder:
    """This process as a lock holder: user@host, the command, now, a token of its own."""
    # Imported here, when a lock is taken: start-up (the first frame) needs neither.
    import getpass
    import secrets

    return LockHolder(
        owner=f"{getpass.getuser()}@{socket.gethostname()}",
        command=short_command(argv),
        since=clock.now(),
        token=secrets.token_hex(8),
        reason=reason,
    )


def _ours(lock: StackLock, holder: LockHolder) -> bool:
    return lock.holder is not None and lock.holder.token == holder.token


def _may_take(lock: StackLock, request: LockRequest) -> bool:
    if lock.is_free:
        return True
    stale = lock.holder is not None and lock.holder.is_stale(clock.now())
    return request.break_stale and stale and not lock.dokku_locked


async def acquire(
    backend: RolloutBackend,
    app: App,
    stack: Stack,
    request: LockRequest,
    on_wait: Callable[[str], None] | None = None,
    on_write: Callable[[], None] | None = None,
    *,
    poll: float,
) -> bool:
    """Hold the app's deploys on ``stack``, polling every ``poll`` seconds up to
    ``request.wait``; raises LockHeld.
    True when the app was created on the stack to hold the lock. ``on_write`` is called
    before our record is first written (from then on there may be something to release)."""
    deadline = clock.now() + request.wait
    told = False
    created = False
    while True:
        lock = await backend.read_lock(app, stack)
        if _ours(lock, request.holder):
            return created
        if _may_take(lock, request):
            if on_write is not None:
                on_write()
            created = await backend.write_lock(app, stack, request.holder) or created
            if _ours(await backend.read_lock(app, stack), request.holder):
                return created
            continue  # another rollout wrote after us: read who holds it now
        message = held_message(stack.name, lock, clock.now())
        if clock.now() >= deadline:
            raise LockHeld(message)
        if on_wait is not None and not told:
            on_wait(f"waiting for the lock: {message.split(': wait')[0]}")
            told = True
        await asyncio.sleep(min(poll, max(0.05, deadline - clock.now())))


async def release(backend: RolloutBackend, app: App, stack: Stack, holder: LockHolder) -> None:
    """Clear the record if it is still ours (a lock broken and retaken is someone else's)."""
    if _ours(await backend.read_lock(app, stack), holder):
        await backend.write_lock(app, stack, None)


async def read_locks(engine: Engine, app: App) -> dict[str, StackOutcome[StackLock]]:
    """Who holds the app's deploys on each target stack (over SSH and via the API alike)."""
    backend = engine.backend
    if not isinstance(backend, RolloutBackend):
        return {}
    stacks = {stack.name: stack for stack in engine.fleet.target_stacks(app)}
    return await fan_out(stacks, lambda name: backend.read_lock(app, stacks[name]), engine.parallelism)
