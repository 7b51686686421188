"""Fleet health rules: each stack's cells, their severity, the outliers, the problems.

The one place that decides what counts as a warning or critical, and which value stands out.
Pure: readings (from a backend), branch positions (from local git, in the engine) and the
clock come in; :class:`FleetHealth` comes out, for the plain command and the console alike.

Outliers: per column, the value held by more than half of the reachable stacks is the norm,
and every stack that differs from it is flagged. With no such majority nothing is flagged.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum

from ownstack_tui.model.health_readings import StackHealthReading

TLS_WARNING_DAYS = 14  # a certificate expiring sooner is a warning
TLS_CRITICAL_DAYS = 3  # sooner than this (or expired) is critical
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
) -> FleetHealth:
    """Judge every stack's reading and flag each column's outliers."""
    rows = []
    for stack, outcome in outcomes.items():
        reading = outcome.last if isinstance(outcome, Unreachable) else outcome
        problems: list[Problem] = []
        cells: dict[str, Cell] = {}
        if reading is not None:
            position = positions.get(stack, UNKNOWN_POSITION)
            cells = _cells(reading, position, desired_fingerprints.get(stack), now)
            problems = [
                Problem(stack, column, cell.severity, _problem_text(column, cell, reading, now, branch))
                for column, cell in cells.items()
                if cell.severity > Severity.OK
            ]
        error = None
        if isinstance(outcome, Unreachable):
            error = outcome.reason
            problems.insert(0, Problem(stack, "stack", Severity.CRITICAL, f"unreachable: {outcome.reason}"))
        age = None if reading is None else max(0.0, now - reading.read_at)
        rows.append(StackHealth(stack, cells, tuple(problems), age, error))
    return FleetHealth(app, branch, tuple(_flag_outliers(rows)))


def _flag_outliers(rows: list[StackHealth]) -> list[StackHealth]:
    compared = [row for row in rows if row.reachable]
    flagged: dict[str, set[str]] = {row.stack: set() for row in rows}
    for column in COLUMNS:
        keys = {row.stack: row.cells[column].key for row in compared if column in row.cells}
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


# -- cells ---------------------------------------------------------------------------------


def _cells(
    reading: StackHealthReading, position: BranchPosition, desired: str | None, now: float
) -> dict[str, Cell]:
    return {
        "deployed": _deployed_cell(reading, position),
        "processes": _processes_cell(reading),
        "tls": _tls_cell(reading, now),
        "config": _config_cell(reading, desired),
        "dokku": Cell(reading.dokku_version, value=reading.dokku_version, key=reading.dokku_version),
        "lock": Cell(
            "locked" if reading.locked else "-",
            Severity.WARNING if reading.locked else Severity.OK,
            value=reading.locked,
            key=reading.locked,
        ),
        "last_deploy": _last_deploy_cell(reading, now),
    }


def _deployed_cell(reading: StackHealthReading, position: BranchPosition) -> Cell:
    if not reading.app_exists or not reading.deployed_sha:
        return Cell("not deployed", Severity.WARNING, value={"sha": None}, key=None)
    sha = reading.deployed_sha
    text = f"{sha[:SHORT_SHA]} {position.text}".rstrip()
    behind = position.known and (not position.in_branch or (position.behind or 0) > 0)
    value = {
        "sha": sha,
        "behind": position.behind,
        "in_branch": position.in_branch if position.known else None,
    }
    return Cell(text, Severity.WARNING if behind else Severity.OK, value=value, key=sha)


def _processes_cell(reading: StackHealthReading) -> Cell:
    shown = [p for p in reading.processes if p.asked or sum(p.states.values())]
    parts = []
    severity = Severity.OK
    for proc in shown:
        part = f"{proc.type} {proc.running}/{proc.asked}"
        if proc.crashed:
            part += " crashed"
            severity = Severity.CRITICAL
        elif proc.restarting:
            part += " restarting"
            severity = max(severity, Severity.WARNING)
        elif proc.running < proc.asked:
            severity = max(severity, Severity.WARNING)
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
    return Cell(" ".join(parts) or "none", severity, value=value, key=key)


def days_left(expires_at: float, now: float) -> int:
    """Whole days a certificate has left (negative once expired)."""
    return math.floor((expires_at - now) / DAY)


def tls_severity(expires_at: float, now: float) -> Severity:
    left = expires_at - now
    if left < TLS_CRITICAL_DAYS * DAY:
        return Severity.CRITICAL
    if left < TLS_WARNING_DAYS * DAY:
        return Severity.WARNING
    return Severity.OK


def _tls_cell(reading: StackHealthReading, now: float) -> Cell:
    certs = [c for c in reading.certificates if c.expires_at is not None]
    value = [
        {
            "domain": c.domain,
            "days_left": None if c.expires_at is None else days_left(c.expires_at, now),
            "source": c.source,
        }
        for c in reading.certificates
    ]
    if not reading.tls_known or not certs:
        text = "no TLS info" if not reading.tls_known or not reading.certificates else "no cert"
        return Cell(text, value=value, key="none")
    soonest = min(certs, key=lambda c: c.expires_at or 0.0)
    assert soonest.expires_at is not None
    left = days_left(soonest.expires_at, now)
    severity = tls_severity(soonest.expires_at, now)
    text = f"expired {-left} d ago" if soonest.expires_at <= now else f"{left} d"
    if len(reading.certificates) > 1:
        text += f" ({len(reading.certificates)} domains)"
    return Cell(text, severity, value=value, key=severity.label)


def _config_cell(reading: StackHealthReading, desired: str | None) -> Cell:
    actual = reading.config_fingerprint
    if actual is None:
        return Cell("?", value=None, key=None)
    drift = desired is not None and actual != desired
    text = f"{actual} drift" if drift else actual
    value = {"fingerprint": actual, "matches_fleet": None if desired is None else not drift}
    # Stacks may differ on purpose (per-stack overrides): what should match is "as the fleet says".
    severity = Severity.WARNING if drift else Severity.OK
    return Cell(text, severity, value=value, key="drift" if drift else "match")


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


# -- problems ------------------------------------------------------------------------------


def _problem_text(column: str, cell: Cell, reading: StackHealthReading, now: float, branch: str) -> str:
    if column == "deployed":
        if not reading.app_exists or not reading.deployed_sha:
            return "not deployed"
        sha = reading.deployed_sha[:SHORT_SHA]
        value = cell.value if isinstance(cell.value, dict) else {}
        if not value.get("in_branch"):
            return f"deployed {sha} is not in {branch}"
        behind = value.get("behind") or 0
        return f"deployed {sha} is {behind} commit{'s' if behind != 1 else ''} behind {branch}"
    if column == "processes":
        bad = [
            f"{p.type} {'crashed' if p.crashed else 'restarting' if p.restarting else 'short'}"
            f" ({p.running}/{p.asked} running)"
            for p in reading.processes
            if p.crashed or p.restarting or p.running < p.asked
        ]
        return "; ".join(bad)
    if column == "tls":
        certs = [c for c in reading.certificates if c.expires_at is not None]
        soonest = min(certs, key=lambda c: c.expires_at or 0.0)
        assert soonest.expires_at is not None
        left = days_left(soonest.expires_at, now)
        if soonest.expires_at <= now:
            return f"TLS certificate for {soonest.domain} expired {-left} day(s) ago"
        return f"TLS certificate for {soonest.domain} expires in {left} day(s)"
    if column == "config":
        return "config differs from the fleet file (config:apply sets it)"
    if column == "lock":
        return "deploy lock held (a deploy is running, or apps:unlock clears a stale one)"
    return cell.text
