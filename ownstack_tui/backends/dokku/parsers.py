"""Parsers for the dokku output we read, written against the formats in reference/dokku.md.

Pure functions on text: no I/O, so they are tested on the exact reference formats.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ownstack_tui.text import strip_escapes

ERROR_PREFIX = " !     "  # space, '!', five spaces: dokku's warn/fail lines (stderr)
_HEADER_PREFIX = "=====> "
_ROW_INDENT = "       "  # seven spaces before every report row
_VERSION_RE = re.compile(r"^dokku version (\S+)$")
_LOG_RE = re.compile(r"^(?:\x1b\[\d+m)?(\S+Z) app\[([^\]]+)\]:(?:\x1b\[0m)? (.*)$")
_REPORT_HEADER_RE = re.compile(r"^=====> (\S+) (.+) information$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_LOCK_RE = re.compile(r"currently has a deploy lock in place")
# Cleanup chatter printed after a failed build; the cause is on an earlier line.
_CLEANUP_RE = re.compile(r"^(Removing invalid image tag|Retagging old image)")


class ParseError(ValueError):
    """Output that does not have the documented shape."""


# --- errors ---------------------------------------------------------------------------------


def error_lines(text: str) -> list[str]:
    """The messages of dokku's ` !     ` lines, prefix removed, in order."""
    return [
        line[len(ERROR_PREFIX):].rstrip()
        for line in text.splitlines()
        if line.startswith(ERROR_PREFIX)
    ]


def error_message(stderr: str, stdout: str = "", exit_status: int | None = None) -> str:
    """One line explaining a failed command: dokku's ` !     ` lines, else the last line
    of stderr (then stdout), else the exit status."""
    messages = error_lines(stderr) or error_lines(stdout)
    if messages:
        return " ".join(messages)
    for text in (stderr, stdout):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            return lines[-1]
    if exit_status is not None:
        return f"exited with status {exit_status} and printed nothing"
    return "failed and printed nothing"


def is_deploy_lock_message(text: str) -> bool:
    return bool(_LOCK_RE.search(text))


# --- version, apps --------------------------------------------------------------------------


def parse_version(stdout: str) -> str:
    """``dokku version 0.38.27`` -> ``0.38.27``."""
    for line in stdout.splitlines():
        match = _VERSION_RE.match(line.strip())
        if match:
            return match.group(1)
    raise ParseError(f"unexpected version output: {stdout.strip()[:80]!r}")


def parse_apps_list(stdout: str) -> list[str]:
    """``apps:list`` in either format: a JSON array, or the text list under its header."""
    text = stdout.strip()
    if text.startswith("["):
        try:
            names = json.loads(text)
        except json.JSONDecodeError as error:
            raise ParseError(f"apps:list returned bad JSON: {error}") from None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ParseError("apps:list JSON is not a list of names")
        return names
    return [
        line.strip()
        for line in stdout.splitlines()
        if line.strip() and not line.startswith(_HEADER_PREFIX) and not line.startswith(" !")
    ]


# --- *:report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportBlock:
    """One ``=====> <name> <type> information`` block: rows keyed as printed."""

    name: str
    kind: str
    rows: dict[str, str]


def parse_report(stdout: str) -> list[ReportBlock]:
    """The shared ``*:report`` / service ``info`` layout (dokku.md §0.1).

    Rows are ``<7 spaces><Key>:<pad to W><value>``: the key ends at the first ``:`` (values
    may hold colons), and every value of a block starts in the same column, found from the
    rows that have a value; rows with an empty value are only padding. Values are
    right-stripped."""
    blocks: list[ReportBlock] = []
    name, kind, rows = "", "", []
    for line in stdout.splitlines():
        header = _REPORT_HEADER_RE.match(line.rstrip())
        if header:
            if rows or name:
                blocks.append(_report_block(name, kind, rows))
            name, kind, rows = header.group(1), header.group(2), []
        elif line.startswith(_ROW_INDENT) and ":" in line:
            rows.append(line)
    if rows or name:
        blocks.append(_report_block(name, kind, rows))
    return blocks


def _report_block(name: str, kind: str, lines: list[str]) -> ReportBlock:
    split = []
    for line in lines:
        key, _, rest = line[len(_ROW_INDENT):].partition(":")
        split.append((key.strip(), len(_ROW_INDENT) + len(key) + 1, rest))
    # The value column: where the values start on the rows that have one.
    starts = [
        offset + len(rest) - len(rest.lstrip(" ")) for _key, offset, rest in split if rest.strip()
    ]
    column = min(starts) if starts else 0
    rows = {}
    for (key, offset, rest), line in zip(split, lines, strict=True):
        # Plugins pad values too (service info); no real value ends in spaces.
        rows[key] = line[max(column, offset):].rstrip() if rest.strip() else ""
    return ReportBlock(name=name, kind=kind, rows=rows)


def parse_report_json(stdout: str) -> list[dict[str, str]]:
    """``*:report --format json``: one JSON object per line (NDJSON without an app)."""
    objects = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ParseError(f"report returned bad JSON: {error}") from None
        if not isinstance(value, dict):
            raise ParseError("report JSON is not an object")
        objects.append({str(k): "" if v is None else str(v) for k, v in value.items()})
    return objects


def parse_report_value(stdout: str) -> str:
    """``<type>:report APP --<flag>``: the value plus one newline."""
    return stdout[:-1] if stdout.endswith("\n") else stdout


@dataclass(frozen=True)
class DeploySource:
    """What ``apps:report`` says is deployed: source kind, raw metadata, and the SHA if any."""

    source: str
    metadata: str

    @property
    def sha(self) -> str | None:
        """The deployed commit: metadata is a SHA (git push) or ``url#sha`` (git:sync)."""
        candidate = self.metadata.rpartition("#")[2]
        return candidate if _SHA_RE.match(candidate) else None

    @property
    def image(self) -> str | None:
        if self.source != "docker-image":
            return None
        return self.metadata or None


def deploy_source_from_report(report: dict[str, str]) -> DeploySource:
    """From ``apps:report APP --format json`` (stripped or legacy ``app-`` keys)."""
    source = report.get("deploy-source", report.get("app-deploy-source", ""))
    metadata = report.get("deploy-source-metadata", report.get("app-deploy-source-metadata", ""))
    return DeploySource(source=source.strip(), metadata=metadata.strip())


# --- config, ps -----------------------------------------------------------------------------


def parse_config_json(stdout: str) -> dict[str, str]:
    """``config:export --format json``: ``{"K":"v"}`` (sorted keys, Go escaping)."""
    text = stdout.strip()
    if not text or text == "null":
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"config:export returned bad JSON: {error}") from None
    if not isinstance(value, dict):
        raise ParseError("config:export JSON is not an object")
    return {str(k): str(v) for k, v in value.items()}


def parse_ps_scale(stdout: str) -> dict[str, int]:
    """``ps:scale APP`` (text or ``--format json``) -> ``{"web": 1, "worker": 0}``."""
    text = stdout.strip()
    if text.startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise ParseError(f"ps:scale returned bad JSON: {error}") from None
        try:
            return {str(row["process_type"]): int(row["quantity"]) for row in rows}
        except (KeyError, TypeError, ValueError):
            raise ParseError("ps:scale JSON rows lack process_type/quantity") from None
    scale: dict[str, int] = {}
    for line in stdout.splitlines():
        if line.startswith(("-----> ", "proctype:", "--------:")) or not line.strip():
            continue
        name, sep, count = line.partition(":")
        if sep and count.strip().lstrip("-").isdigit():
            scale[name.strip()] = int(count.strip())
    return scale


# --- services -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    status: str
    links: tuple[str, ...]
    rows: dict[str, str]


def parse_service_info(stdout: str) -> ServiceInfo:
    """``postgres:info NAME`` / ``redis:info NAME``: the report layout, with a Links row."""
    blocks = parse_report(stdout)
    if not blocks:
        raise ParseError("service info printed no information block")
    block = blocks[0]
    links_value = block.rows.get("Links", "").strip()
    links = () if links_value in ("", "-") else tuple(links_value.replace(",", " ").split())
    return ServiceInfo(
        name=block.name, status=block.rows.get("Status", "").strip(), links=links, rows=block.rows
    )


def is_already_exists_message(text: str) -> bool:
    """dokku's "Name is already taken" (apps) and the plugins' "already exists"."""
    lowered = text.lower()
    return "already taken" in lowered or "already exists" in lowered


def is_already_linked_message(text: str) -> bool:
    return "already linked" in text.lower()


# --- logs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    """One runtime log line: ``timestamp`` and ``process`` (``web.1``) are empty for lines
    that do not have dokku's prefix (``--quiet`` output, container noise)."""

    timestamp: str
    process: str
    message: str
    raw: str


def parse_log_line(line: str) -> LogLine:
    line = line.rstrip("\r\n")
    match = _LOG_RE.match(line)
    if match:
        return LogLine(match.group(1), match.group(2), match.group(3), line)
    return LogLine("", "", strip_escapes(line), line)


# --- git push -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushLine:
    """One line of ``git push`` output: ``remote`` lines came from the stack's hook."""

    text: str
    remote: bool


def clean_push_line(raw: str) -> PushLine:
    """Strip ``remote: ``, colour/cursor escapes and the trailing padding or ``ESC[K``."""
    remote = raw.startswith("remote:")
    text = raw[len("remote:"):] if remote else raw
    if remote and text.startswith(" "):
        text = text[1:]
    text = strip_escapes(text).rstrip()
    return PushLine(text=text, remote=remote)


class PushLineSplitter:
    """Incremental splitter for git's stderr: ``\\n`` and ``\\r`` both end a line."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, chunk: str) -> list[PushLine]:
        parts = re.split(r"\r\n|\r|\n", self._pending + chunk)
        self._pending = parts.pop()
        return [clean_push_line(part) for part in parts if part.strip()]

    def flush(self) -> list[PushLine]:
        rest, self._pending = self._pending, ""
        return [clean_push_line(rest)] if rest.strip() else []


def push_failure_reason(lines: list[PushLine], exit_status: int) -> str:
    """The line that explains a failed push: the stack's first ` !` cause (skipping image
    cleanup chatter), else git's ``[remote rejected]`` or ``fatal:``/``error:`` line."""
    # Hook output arrives as "remote:" lines; dokku's own refusals before git starts (bad
    # app name, auto-creation disabled) arrive as plain " !     " lines.
    causes = [
        line.text.lstrip()[1:].strip()
        for line in lines
        if line.text.strip() != "!"
        and (
            (line.remote and line.text.lstrip().startswith("!"))
            or line.text.startswith(ERROR_PREFIX)
        )
    ]
    meaningful = [cause for cause in causes if not _CLEANUP_RE.match(cause)]
    if meaningful:
        return meaningful[0]
    if causes:
        return causes[0]
    for marker in ("[remote rejected]", "fatal:", "error:"):
        for line in lines:
            if not line.remote and marker in line.text:
                return line.text.strip()
    return f"git push exited with status {exit_status}"


# --- running processes and URLs (a rollout's health gate) -----------------------------------


def process_states(report: dict[str, str]) -> dict[str, list[str]]:
    """``ps:report --format json``'s ``status-<type>.<n>`` values -> ``{"web": ["running"]}``."""
    states: dict[str, list[str]] = {}
    for key, value in sorted(report.items()):
        name = key.removeprefix("ps-")
        if not name.startswith("status-"):
            continue
        process = name.removeprefix("status-").rsplit(".", 1)[0]
        states.setdefault(process, []).append(value.split(" ", 1)[0].strip() or "unknown")
    return states


def parse_urls(stdout: str) -> list[str]:
    """``urls APP``: one URL a line."""
    lines = (strip_escapes(line).strip() for line in stdout.splitlines())
    return [line for line in lines if line.startswith("http")]
