"""Deployment status and its allowed transitions (the one status machine both backends use)."""

from __future__ import annotations

from enum import Enum

from ownstack_tui.errors import OwnstackError


class DeployStatus(Enum):
    QUEUED = "queued"
    CONNECTING = "connecting"
    BUILDING = "building"
    RELEASING = "releasing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Never started: an earlier wave of its rollout failed, was halted or cancelled.
    SKIPPED = "skipped"
    # Recorded in history only: the process running the job ended before the job did.
    INTERRUPTED = "interrupted"

    def __str__(self) -> str:
        return self.value

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    @property
    def glyph(self) -> str:
        return GLYPHS[self]


FINAL_STATUSES = frozenset(
    {
        DeployStatus.SUCCEEDED, DeployStatus.FAILED, DeployStatus.CANCELLED,
        DeployStatus.SKIPPED, DeployStatus.INTERRUPTED,
    }
)

GLYPHS = {
    DeployStatus.QUEUED: "…",
    DeployStatus.CONNECTING: "⇄",
    DeployStatus.BUILDING: "⚙",
    DeployStatus.RELEASING: "↑",
    DeployStatus.SUCCEEDED: "✓",
    DeployStatus.FAILED: "✗",
    DeployStatus.CANCELLED: "⊘",
    DeployStatus.SKIPPED: "↷",
    DeployStatus.INTERRUPTED: "↯",
}

_ORDER = [
    DeployStatus.QUEUED,
    DeployStatus.CONNECTING,
    DeployStatus.BUILDING,
    DeployStatus.RELEASING,
]


class InvalidTransition(OwnstackError):
    pass


def can_transition(current: DeployStatus, new: DeployStatus) -> bool:
    """Forward only: a running job may skip steps, fail or be cancelled; final is final."""
    if current.is_final:
        return False
    if new is DeployStatus.SKIPPED:
        return current is DeployStatus.QUEUED  # only a job that never started is skipped
    if new.is_final:
        return True
    return _ORDER.index(new) > _ORDER.index(current)


def check_transition(current: DeployStatus, new: DeployStatus) -> DeployStatus:
    if not can_transition(current, new):
        raise InvalidTransition(f"a deploy cannot go from {current.value} to {new.value}")
    return new
