"""Who holds an app's deploy on a stack: the record a rollout leaves there, and how it reads.

dokku's own ``apps:lock`` records no owner and blocks every push (ours too), so a rollout keeps
its own record next to it, as the app config value ``OWNSTACK_DEPLOY_LOCK`` (set with
``--no-restart``): both real dokku and the stand-in keep config, every operator's ownstack-tui
reads it, and it goes with the app. The key is hidden from every config display and plan
(:func:`without_lock_key`) and refused as user config (``validation.writable_config_key``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from ownstack_tui.model.validation import DEPLOY_LOCK_KEY

# A lock older than this may be broken, and only with --break-lock: a rollout that died
# without releasing it (a killed laptop) must not block a fleet for ever.
STALE_AFTER_SECONDS = 3600.0
MAX_COMMAND_CHARS = 60


@dataclass(frozen=True)
class LockHolder:
    owner: str  # user@host
    command: str
    since: float  # epoch seconds
    token: str  # tells our own lock from a later one
    reason: str | None = None

    def encode(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def decode(cls, text: str) -> LockHolder:
        """A value some other tool or version wrote still counts as held (owner unknown)."""
        try:
            data = json.loads(text)
            return cls(
                owner=str(data["owner"]),
                command=str(data.get("command", "")),
                since=float(data["since"]),
                token=str(data.get("token", "")),
                reason=str(data["reason"]) if data.get("reason") else None,
            )
        except (ValueError, KeyError, TypeError):
            return cls(owner="unknown", command="", since=0.0, token="")

    def is_stale(self, now: float) -> bool:
        return now - self.since > STALE_AFTER_SECONDS


@dataclass(frozen=True)
class StackLock:
    """What a stack says about the app's deploy lock: our record, and dokku's own lock."""

    holder: LockHolder | None = None
    dokku_locked: bool = False  # ``apps:lock`` by hand (or a deploy running without us)

    @property
    def is_free(self) -> bool:
        return self.holder is None and not self.dokku_locked


def short_command(argv: list[str] | tuple[str, ...]) -> str:
    text = " ".join(argv)
    return text if len(text) <= MAX_COMMAND_CHARS else text[: MAX_COMMAND_CHARS - 1] + "…"


def _clock_time(epoch: float, now: float) -> str:
    local, today = time.localtime(epoch), time.localtime(now)
    if local[:3] == today[:3]:
        return time.strftime("%H:%M", local)
    return time.strftime("%Y-%m-%d %H:%M", local)


def describe_lock(lock: StackLock, now: float) -> str | None:
    """``rollout by alice@laptop since 14:02 (deploy …)``; None when the stack is free."""
    holder = lock.holder
    if holder is None:
        if lock.dokku_locked:
            return "dokku's deploy lock is held (apps:lock, or a deploy without ownstack-tui; owner unknown)"
        return None
    if not holder.since:
        return "rollout by an unknown owner"
    detail = holder.command + (f"; reason: {holder.reason}" if holder.reason else "")
    return f"rollout by {holder.owner} since {_clock_time(holder.since, now)} ({detail})"


def held_message(stack: str, lock: StackLock, now: float, wait_hint: str = "15m") -> str:
    """``prod-east: rollout by alice@laptop since 14:02 (deploy --wave …): wait, or --lock-wait 15m``"""
    text = f"{stack}: {describe_lock(lock, now)}"
    if lock.holder is None:
        return f"{text}: wait, or --lock-wait {wait_hint}; whoever set it clears it with apps:unlock"
    if lock.holder.is_stale(now):
        return text + ": older than an hour; break it with --break-lock"
    return text + f": wait, or --lock-wait {wait_hint}"


def without_lock_key(config: Mapping[str, str]) -> dict[str, str]:
    """A stack's config as every display and plan sees it: without the lock record."""
    return {key: value for key, value in config.items() if key != DEPLOY_LOCK_KEY}
