"""Fleet health rules: each stack's cells, their severity, the outliers, the problems.

The one place that decides what counts as a warning or critical, and which value stands out.
Pure: readings (from a backend), branch positions (from local git, in the engine) and the
clock come in; :class:`FleetHealth` comes out, for the plain command and the console alike.

Outliers: per column, the value held by more than half of the reachable stacks is the norm,
and every stack that differs from it is flagged. With no such majority nothing is flagged.
When the app declares waves, each stack is compared with its own wave only (a canary wave
ahead of the rest is the plan, not an outlier); stacks in no wave are compared together.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ownstack_tui.model.health_readings import StackHealthReading  # the Fleet tab's

TLS_WARNING_DAYS = 14  # a certificate expiring sooner is a warning (default)
TLS_CRITICAL_DAYS = 3  # sooner than this (or expired) is critical (default)
SHORT_SHA = 7
DAY = 86400.0

COLUMNS = ("deployed", "processes", "tls", "config", "dokku", "lock", "last_deploy")
HEADINGS = {
    "deployed": "DEPLOYED",
    "processes": "PROCESSES",
    "tls": "TLS",
    "config": "CONFIG",
    "dokku": "DOKKU",
    "lock": "LOCK",
    "last_deploy": "LAST DEPLOY",
}


class Severity(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class TlsThresholds:
    """The fleet file's ``[health] tls_warning_days`` / ``tls_critical_days``."""

    warning_days: int = TLS_WARNING_DAYS
    critical_days: int = TLS_CRITICAL_DAYS


DEFAULT_TLS = TlsThresholds()


@dataclass(frozen=True)
class BranchPosition:
    """Where a deployed SHA sits relative to the app's branch tip in the local repository."""

    behind: int | None = None  # commits between the SHA and the tip (0: the tip)
    in_branch: bool = False
    known: bool = False  # False: no local repository or branch to compare with

    @classmethod
    def at(cls, behind: int) -> BranchPosition:
        return cls(behind=behind, in_branch=True, known=True)

    @classmethod
    def outside(cls) -> BranchPosition:
        return cls(known=True)

    @property
    def text(self) -> str:
        if not self.known:
            return ""
        if not self.in_branch:
            return "not in branch"
        return "= tip" if self.behind == 0 else f"{self.behind} behind"


UNKNOWN_POSITION = BranchPosition()


@dataclass(frozen=True)
class Unreachable:
    """A stack that could not be read this time; ``last`` is its previous reading, if any."""

    reason: str
    last: StackHealthReading | None = None


@dataclass(frozen=True)
class Cell:
    text: str
    severity: Severity = Severity.OK
    value: object = None  # for --json
    key: Hashable | None = None  # what outliers compare; None: never an outlier
    outlier: bool = False
    problem: str = ""  # why the severity is above ok, in words


@dataclass(frozen=True)
class Problem:
    stack: str
    column: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class StackHealth:
    stack: str
    cells: Mapping[str, Cell]
    problems: tuple[Problem, ...]
    age: float | None  # seconds since the reading shown was taken; None: never read
    error: str | None = None

    @property
    def reachable(self) -> bool:
        return self.error is None

    @property
    def severity(self) -> Severity:
        return max((p.severity for p in self.problems), default=Severity.OK)


@dataclass(frozen=True)
class FleetHealth:
    app: str
    branch: str
    stacks: tuple[StackHealth, ...] = field(default_factory=tuple)

    @property
    def severity(self) -> Severity:
        return max((s.severity for s in self.stacks), default=Severity.OK)

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.stacks for p in s.problems]

    @property
    def exit_status(self) -> int:
        """1 when a stack is unreachable, crashed or has an expired/critical certificate."""
        return 1 if self.severity >= Severity.CRITICAL else 0


def assess(
    app: str,
    branch: str,
    outcomes: Mapping[str, StackHealthReading | Unreachable],
    positions: Mapping[str, BranchPosition],
    desired_fingerprints: Mapping[str, str],
    now: float,
    tls: TlsThresholds = DEFAULT_TLS,
    waves: Sequence[Sequence[str]] = (),
) -> FleetHealth:
    """Judge every stack's reading and flag each column's outliers (within each wave, when
    ``waves`` are given)."""
    rows = []
    for stack, outcome in outcomes.items():
        reading = outcome.last if isinstance(outcome, Unreachable) else outcome
        problems: list[Problem] = []
        cells: dict[str, Cell] = {}
        if reading is not None:
            position = positions.get(stack, UNKNOWN_POSITION)
            cells = _cells(reading, position, desired_fingerprints.get(stack), now, branch, tls)
            problems = [
                Problem(stack, column, cell.severity, cell.problem)
                for column, cell in cells.items()
                if cell.severity > Severity.OK
            ]
        error = None
        if isinstance(outcome, Unreachable):
            error = outcome.reason
            problems.insert(0, Problem(stack, "stack", Severity.CRITICAL, f"unreachable: {outcome.reason}"))
        age = None if reading is None else max(0.0, now - reading.read_at)
        rows.append(StackHealth(stack, cells, tuple(problems), age, error))
    return FleetHealth(app, branch, tuple(_flag_outliers(rows, waves)))


def compact_marks(row: StackHealth, deployed_sha: str | None) -> list[tuple[str, Severity]]:
    """A row in a few cells, worst first: crashed process types (``✗worker``), the
    certificate's days (``⚠tls 6d``), commits behind (``↓3``, ``↓?`` outside the branch; only
    while the stack still runs the SHA the row judged, or when ``deployed_sha`` is unknown)."""
    cells = row.cells
    deployed = cells.get("deployed")
    sha = deployed.value.get("sha") if deployed is not None and isinstance(deployed.value, dict) else None
    marks: list[tuple[str, Severity]] = []
    processes = cells.get("processes")
    if processes is not None and isinstance(processes.value, list):
        crashed = [p["type"] for p in processes.value if p.get("crashed")]
        if crashed:
            marks.append(("✗" + ",".join(crashed), Severity.CRITICAL))
    tls = cells.get("tls")
    if tls is not None and tls.severity > Severity.OK and isinstance(tls.value, list):
        days = min(c["days_left"] for c in tls.value if c.get("days_left") is not None)
        glyph = "✗" if tls.severity is Severity.CRITICAL else "⚠"
        marks.append((f"{glyph}tls {'exp' if days < 0 else f'{days}d'}", tls.severity))
    if deployed is not None and (deployed_sha is None or sha == deployed_sha):
        value = deployed.value if isinstance(deployed.value, dict) else {}
        if value.get("in_branch") is False:
            marks.append(("↓?", Severity.WARNING))  # not in the branch at all
        elif value.get("behind"):
            marks.append((f"↓{value['behind']}", Severity.WARNING))
    return marks


def lock_holder(row: StackHealth) -> str | None:
    """Who holds the app's deploys per ``row``: the rollout lock's owner, ``?`` for dokku's own
    apps:lock (it records none); None when free or not read."""
    lock = row.cells.get("lock") if row.reachable else None
    if lock is None or not isinstance(lock.value, dict) or not lock.value.get("locked"):
        return None
    return str(lock.value.get("owner") or "?")


def peer_groups(stacks: Sequence[str], waves: Sequence[Sequence[str]]) -> list[list[str]]:
    """The stacks each stack is compared with: its own wave (the first naming it); the stacks
    in no wave together. Without waves, every stack with every other."""
    groups: list[list[str]] = []
    placed: set[str] = set()
    for wave in waves:
        group = [stack for stack in wave if stack in stacks and stack not in placed]
        placed.update(group)
        if group:
            groups.append(group)
    rest = [stack for stack in stacks if stack not in placed]
    return [*groups, rest] if rest else groups


def _flag_outliers(rows: list[StackHealth], waves: Sequence[Sequence[str]] = ()) -> list[StackHealth]:
    compared = {row.stack: row for row in rows if row.reachable}
    flagged: dict[str, set[str]] = {row.stack: set() for row in rows}
    for group in peer_groups([row.stack for row in rows], waves):
        peers = [compared[stack] for stack in group if stack in compared]
        for column in COLUMNS:
            keys = {row.stack: row.cells[column].key for row in peers if column in row.cells}
            keys = {stack: key for stack, key in keys.items() if key is not None}
            if len(keys) < 2:
                continue
            norm, count = Counter(keys.values()).most_common(1)[0]
            if count * 2 <= len(keys):
                continue  # no majority: nothing stands out
            for stack, key in keys.items():
                if key != norm:
                    flagged[stack].add(column)
    result = []
    for row in rows:
        if not flagged[row.stack]:
            result.append(row)
            continue
        cells = {c: replace(cell, outlier=c in flagged[row.stack]) for c, cell in row.cells.items()}
        result.append(replace(row, cells=cells))
    return result


# -- cells (each says what it shows, how bad it is, and why) --------------------------------


def _cells(
    reading: StackHealthReading,
    position: BranchPosition,
    desired: str | None,
    now: float,
    branch: str,
    tls: TlsThresholds = DEFAULT_TLS,
) -> dict[str, Cell]:
    return {
        "deployed": _deployed_cell(reading, position, branch),
        "processes": _processes_cell(reading),
        "tls": _tls_cell(reading, now, tls),
        "config": _config_cell(reading, desired),
        "dokku": Cell(reading.dokku_version, value=reading.dokku_version, key=reading.dokku_version),
        "lock": _lock_cell(reading),
        "last_deploy": _last_deploy_cell(reading, now),
    }


UNKNOWN_OWNER = "owner unknown"


def lock_owner(reading: StackHealthReading) -> str | None:
    """Who holds the app's deploys: the rollout lock's owner, ``owner unknown`` for dokku's
    own ``apps:lock`` (it records none), None when nothing holds them."""
    if reading.lock_owner:
        return reading.lock_owner
    return UNKNOWN_OWNER if reading.locked else None


def _lock_cell(reading: StackHealthReading) -> Cell:
    owner = lock_owner(reading)
    value = {"locked": owner is not None, "owner": reading.lock_owner, "dokku_lock": reading.locked}
    if owner is None:
        return Cell("-", value=value, key=False)
    if reading.lock_owner:
        text = f"locked by {owner}"
        problem = f"deploy lock held by {owner} (a rollout is running, or --break-lock takes a stale one)"
    else:
        text = f"locked ({UNKNOWN_OWNER})"
        problem = "dokku's deploy lock held (a deploy is running, or apps:unlock clears a stale one)"
    return Cell(text, Severity.WARNING, value=value, key=True, problem=problem)


def _deployed_cell(reading: StackHealthReading, position: BranchPosition, branch: str) -> Cell:
    if not reading.app_exists or not reading.deployed_sha:
        return Cell("not deployed", Severity.WARNING, value={"sha": None}, problem="not deployed")
    sha = reading.deployed_sha
    value = {
        "sha": sha,
        "behind": position.behind,
        "in_branch": position.in_branch if position.known else None,
    }
    text = f"{sha[:SHORT_SHA]} {position.text}".rstrip()
    problem = ""
    if position.known and not position.in_branch:
        problem = f"deployed {sha[:SHORT_SHA]} is not in {branch}"
    elif position.known and position.behind:
        plural = "s" if position.behind != 1 else ""
        problem = f"deployed {sha[:SHORT_SHA]} is {position.behind} commit{plural} behind {branch}"
    severity = Severity.WARNING if problem else Severity.OK
    return Cell(text, severity, value=value, key=sha, problem=problem)


def _processes_cell(reading: StackHealthReading) -> Cell:
    shown = [p for p in reading.processes if p.asked or sum(p.states.values())]
    parts, problems = [], []
    severity = Severity.OK
    for proc in shown:
        part = f"{proc.type} {proc.running}/{proc.asked}"
        state = ""
        if proc.crashed:
            state, severity = "crashed", Severity.CRITICAL
        elif proc.restarting:
            state, severity = "restarting", max(severity, Severity.WARNING)
        elif proc.running < proc.asked:
            state, severity = "short", max(severity, Severity.WARNING)
        if state == "short":
            problems.append(f"{proc.type}: {proc.running} of {proc.asked} running")
        elif state:
            problems.append(f"{proc.type} {state} ({proc.running}/{proc.asked} running)")
            part += f" {state}"
        parts.append(part)
    value = [
        {
            "type": p.type,
            "asked": p.asked,
            "running": p.running,
            "crashed": p.crashed,
            "restarting": p.restarting,
        }
        for p in shown
    ]
    key = tuple((p.type, p.asked, p.running, p.crashed, p.restarting) for p in shown)
    return Cell(" ".join(parts) or "none", severity, value=value, key=key, problem="; ".join(problems))


def days_left(expires_at: float, now: float) -> int:
    """Whole days a certificate has left (negative once expired)."""
    return math.floor((expires_at - now) / DAY)


def tls_severity(expires_at: float, now: float, tls: TlsThresholds = DEFAULT_TLS) -> Severity:
    left = expires_at - now
    if left < tls.critical_days * DAY or left <= 0:
        return Severity.CRITICAL
    if left < tls.warning_days * DAY:
        return Severity.WARNING
    return Severity.OK


def _tls_cell(reading: StackHealthReading, now: float, tls: TlsThresholds = DEFAULT_TLS) -> Cell:
    value = [
        {
            "domain": c.domain,
            "days_left": None if c.expires_at is None else days_left(c.expires_at, now),
            "source": c.source,
        }
        for c in reading.certificates
    ]
    dated = [(c.expires_at, c.domain) for c in reading.certificates if c.expires_at is not None]
    if not reading.tls_known or not dated:
        text = "no TLS info" if not reading.tls_known or not reading.certificates else "no cert"
        return Cell(text, value=value, key="none")
    expires_at, domain = min(dated)
    left = days_left(expires_at, now)
    severity = tls_severity(expires_at, now, tls)
    if expires_at <= now:
        text, problem = f"expired {-left} d ago", f"TLS certificate for {domain} expired {-left} day(s) ago"
    else:
        text, problem = f"{left} d", f"TLS certificate for {domain} expires in {left} day(s)"
    if len(reading.certificates) > 1:
        text += f" ({len(reading.certificates)} domains)"
    # Expiry dates differ from stack to stack anyway: the outlier is the one in another band.
    return Cell(
        text,
        severity,
        value=value,
        key=severity.label,
        problem=problem if severity > Severity.OK else "",
    )


def _config_cell(reading: StackHealthReading, desired: str | None) -> Cell:
    actual = reading.config_fingerprint
    if actual is None:
        return Cell("?", value=None, key=None)
    drift = desired is not None and actual != desired
    value = {"fingerprint": actual, "matches_fleet": None if desired is None else not drift}
    # Stacks may differ on purpose (per-stack overrides): what should match is "as the fleet says".
    return Cell(
        f"{actual} drift" if drift else actual,
        Severity.WARNING if drift else Severity.OK,
        value=value,
        key="drift" if drift else "match",
        problem="config differs from the fleet file (config:apply sets it)" if drift else "",
    )


def _last_deploy_cell(reading: StackHealthReading, now: float) -> Cell:
    if reading.last_deploy_at is None:
        return Cell("-", value=None)
    age = max(0.0, now - reading.last_deploy_at)
    return Cell(format_age(age) + " ago", value=round(age, 1))


def format_age(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``5 min``, ``3 h``, ``2 d``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * DAY:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / DAY:.0f} d"
