"""Failed deploys grouped by cause: twelve stacks refused by the same hook are one problem.

A cause is the job's reason with what differs from stack to stack masked (the stack's own
name, hosts, ports, SHAs, numbers), so equal causes compare equal. A cause is *transient*
when the network or a busy lock failed, not the app: re-deploying may just work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ownstack_tui.model.deploy import DeployStatus

# Masks, applied in this order (hosts before numbers: an address is one mask, not four).
_USER_AT_HOST = re.compile(r"\b[\w.-]+@[\w.-]+(?::\d+)?")
_IPV6 = re.compile(r"\[[0-9a-fA-F:.]+\](?::\d+)?")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")
# A domain name of three labels or more, ending in letters (not "app.json", not "v1.2.3").
_HOSTNAME = re.compile(r"\b(?:[a-zA-Z0-9-]+\.){2,}[a-zA-Z]{2,}(?::\d+)?\b")
# A hex word of 7-64 characters with a digit and a letter in it: a SHA or an id.
_HASH = re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b")
# Not an HTTP status: "HTTP 500" and "HTTP 404" are different causes.
_NUMBER = re.compile(r"(?<!HTTP )(?<![\d.])\d+(?:\.\d+)?")
_SPACES = re.compile(r"\s+")

HOST_MASK = "HOST"
HASH_MASK = "SHA"
NUMBER_MASK = "N"
STACK_MASK = "STACK"
NO_REASON = "no reason was recorded"

# What a transient failure says (our own messages from both backends, and dokku's lock).
_TRANSIENT = re.compile(
    "|".join((
        r"connection lost",
        r"timed out",
        r"\btimeout\b",
        r"closed the ssh connection",
        r"kept closing the connection",
        r"connection refused",
        r"cannot reach",
        r"no ssh answer",
        r"deploy lock",
        r"is locked",
        r"lock (?:is )?(?:busy|held)",
        r"control plane (?:is )?unavailable",
        r"\b50[234]\b",
    )),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FailureGroup:
    """Failed stacks sharing one cause. ``cause`` is the masked line (for display and
    comparison), ``example`` one stack's own line as it was recorded."""

    cause: str
    example: str
    stacks: tuple[str, ...]
    transient: bool

    @property
    def count(self) -> int:
        return len(self.stacks)

    def headline(self) -> str:
        """``12 stacks: remote: ! [remote rejected] … (pre-receive hook declined)``."""
        noun = "stack" if self.count == 1 else "stacks"
        return f"{self.count} {noun}: {self.cause}"


def reason_line(reason: str | None) -> str:
    """The line of a reason that says it: its first non-blank one."""
    for line in (reason or "").splitlines():
        if line.strip():
            return line.strip()
    return NO_REASON


def cause_of(reason: str | None, stack: str | None = None) -> str:
    """``reason``'s first line with the stack's own name, hosts, SHAs and numbers masked."""
    line = reason_line(reason)
    if stack:
        line = re.sub(rf"(?<![\w-]){re.escape(stack)}(?![\w-])", STACK_MASK, line)
    for pattern in (_USER_AT_HOST, _IPV6, _IPV4, _HOSTNAME):
        line = pattern.sub(HOST_MASK, line)
    line = _HASH.sub(HASH_MASK, line)
    line = _NUMBER.sub(NUMBER_MASK, line)
    # "stack prod-1: …" says which stack; the group lists them.
    return _SPACES.sub(" ", line).removeprefix(f"stack {STACK_MASK}: ")


def is_transient(reason: str | None) -> bool:
    """The network or a busy lock failed, not the build: trying again may succeed."""
    return bool(_TRANSIENT.search(reason_line(reason)))


def group_failures(failures: Iterable[tuple[str, str | None]]) -> list[FailureGroup]:
    """(stack, reason) pairs of failed jobs -> groups, the largest first (then by cause);
    stacks keep the order they came in."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for stack, reason in failures:
        groups.setdefault(cause_of(reason, stack), []).append((stack, reason_line(reason)))
    result = [
        FailureGroup(cause, members[0][1], tuple(stack for stack, _ in members),
                     is_transient(members[0][1]))
        for cause, members in groups.items()
    ]
    return sorted(result, key=lambda group: (-group.count, group.cause))


class Finished(Protocol):
    """A job as the console holds it or as history recorded it."""

    @property
    def stack(self) -> str: ...

    @property
    def status(self) -> DeployStatus: ...

    @property
    def reason(self) -> str | None: ...


def failures_of(jobs: Iterable[Finished]) -> list[FailureGroup]:
    """The failed ones among ``jobs``, grouped by cause."""
    return group_failures((job.stack, job.reason) for job in jobs if job.status is DeployStatus.FAILED)


def transient_stacks(groups: Sequence[FailureGroup]) -> list[str]:
    """The stacks whose failure was transient, in the groups' order."""
    return [stack for group in groups if group.transient for stack in group.stacks]


def stack_list(stacks: Sequence[str], limit: int = 8) -> str:
    """``a, b, c`` cut to ``limit`` names with ``… +N``."""
    shown = ", ".join(stacks[:limit])
    return shown + (f", … +{len(stacks) - limit}" if len(stacks) > limit else "")
