"""dokku's health-related output formats: ``certs:report``, ``domains:report``,
``letsencrypt:list``, ``ps:report`` container states and ``git:report``'s push time.

Sources (dokku.md is silent on most): dokku ``plugins/certs/report.go`` (``--ssl-expires-at``
is openssl's ``Not After :`` text, e.g. ``Dec  8 12:00:00 2026 GMT``), ``plugins/domains/
report.go`` (space-separated vhosts), ``plugins/ps/report.go`` (``--status-<type>.<n>`` =
``<docker State.Status> (CID: <11 chars>)``) and dokku-letsencrypt's ``cmd-letsencrypt-list``
(printf ``%-25s`` columns, local ``%F %T`` date, ``5d, 23h, 59m, 59s`` / ``... ago`` times).
"""

from __future__ import annotations

import calendar
import re
import time
from collections import Counter
from dataclasses import dataclass

from .parsers import ParseError

_NOT_AFTER_FORMAT = "%b %d %H:%M:%S %Y GMT"
_STATUS_KEY_RE = re.compile(r"^status-(.+)\.(\d+)$")
_STATUS_VALUE_RE = re.compile(r"^(\S+) \(CID: [0-9a-f]*\)$")
_LE_ROW_RE = re.compile(r"^(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\s+(.*?))?\s*$")
_TIMEDIFF_PART_RE = re.compile(r"^(\d+)([dhms])$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_UNKNOWN_COMMAND = "is not a dokku command."


@dataclass(frozen=True)
class SslReport:
    """One app's ``certs:report``: enabled, expiry (unix s) and the names it covers."""

    enabled: bool
    expires_at: float | None
    hostnames: tuple[str, ...]


def parse_openssl_time(text: str) -> float:
    """``Dec  8 12:00:00 2026 GMT`` (openssl's ASN1_TIME print, always GMT) -> unix seconds."""
    try:
        return float(calendar.timegm(time.strptime(" ".join(text.split()), _NOT_AFTER_FORMAT)))
    except ValueError:
        raise ParseError(f"unreadable certificate date {text!r}") from None


def parse_ssl_report(report: dict[str, str]) -> SslReport:
    """From ``certs:report APP --format json`` (keys without ``ssl-``)."""
    enabled = report.get("enabled", "").strip() == "true"
    expires = report.get("expires-at", "").strip()
    hostnames = tuple(report.get("hostnames", "").split())
    return SslReport(
        enabled=enabled,
        expires_at=parse_openssl_time(expires) if enabled and expires else None,
        hostnames=hostnames,
    )


def parse_domains_report(report: dict[str, str]) -> tuple[str, ...]:
    """The app's own domains from ``domains:report APP --format json`` (none when disabled)."""
    if report.get("app-enabled", "true").strip() == "false":
        return ()
    return tuple(report.get("app-vhosts", "").split())


def parse_process_states(report: dict[str, str]) -> dict[str, Counter[str]]:
    """``ps:report APP --format json`` -> ``{"web": Counter({"running": 2}), ...}``."""
    states: dict[str, Counter[str]] = {}
    for key, value in report.items():
        match = _STATUS_KEY_RE.match(key)
        if not match:
            continue
        status = _STATUS_VALUE_RE.match(value.strip())
        states.setdefault(match.group(1), Counter())[status.group(1) if status else "missing"] += 1
    return states


def parse_timediff(text: str) -> int:
    """The letsencrypt plugin's ``6d, 11h, 2m, 5s`` (``... ago`` when negative) -> seconds."""
    words = text.strip()
    negative = words.endswith(" ago") or words == "ago"
    if negative:
        words = words[: -len("ago")].strip()
    total = 0
    for part in filter(None, (p.strip() for p in words.split(","))):
        match = _TIMEDIFF_PART_RE.match(part)
        if not match:
            raise ParseError(f"unreadable time difference {text!r}")
        total += int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return -total if negative else total


@dataclass(frozen=True)
class LetsencryptEntry:
    app: str
    seconds_left: int  # "Time before expiry"; the date column is in the host's local time


def parse_letsencrypt_list(stdout: str) -> dict[str, LetsencryptEntry]:
    """``letsencrypt:list``: a ``----->`` header row, then one row per app with a cert.

    Columns are ``printf "%-25s ..."``, so a long app name pushes the others right: rows are
    split on the date and on runs of two or more spaces rather than by position."""
    entries: dict[str, LetsencryptEntry] = {}
    for line in stdout.splitlines():
        if not line.strip() or line.startswith("----->"):
            continue
        match = _LE_ROW_RE.match(line)
        if not match:
            raise ParseError(f"unreadable letsencrypt:list row {line.strip()!r}")
        times = re.split(r"\s{2,}", (match.group(3) or "").strip())
        entries[match.group(1)] = LetsencryptEntry(match.group(1), parse_timediff(times[0]))
    return entries


def is_unknown_command(stderr: str) -> bool:
    """dokku's answer to a command no installed plugin provides (an absent plugin)."""
    return _UNKNOWN_COMMAND in stderr


def parse_last_updated(report: dict[str, str]) -> float | None:
    """``git:report APP --format json``'s ``last-updated-at``: the deploy branch's last push."""
    value = report.get("last-updated-at", "").strip()
    return float(value) if value.isdigit() else None
