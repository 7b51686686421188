"""dokku's ENV files: godotenv v1.5.1 ``Marshal`` and its reader (dokku.md §10, §11).

Written from the documented behaviour: sorted ``KEY="escaped"`` lines, integer-looking values
written bare as ``%d``, and a reader with godotenv's quirks (quote trimming, ``\\$``).
"""

from __future__ import annotations

import re

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", '"': '\\"', "!": "\\!", "$": "\\$", "`": "\\`"}
_ATOI_RE = re.compile(r"^[+-]?[0-9]+$")
_INT64_MAX = 2**63 - 1
_KEY_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def go_atoi(value: str) -> int | None:
    """The int Go's ``strconv.Atoi`` gives for ``value`` (64-bit), or None."""
    if not _ATOI_RE.match(value):
        return None
    number = int(value)
    if not -_INT64_MAX - 1 <= number <= _INT64_MAX:
        return None
    return number


def marshal(env: dict[str, str]) -> str:
    """godotenv.Marshal: sorted lines joined by newlines (no trailing newline)."""
    lines = []
    for key in sorted(env):
        value = env[key]
        number = go_atoi(value)
        if number is not None:
            lines.append(f"{key}={number}")
        else:
            escaped = "".join(_ESCAPES.get(char, char) for char in value)
            lines.append(f'{key}="{escaped}"')
    return "\n".join(lines)


def write_text(env: dict[str, str]) -> str:
    """What godotenv.Write puts in the file."""
    return marshal(env) + "\n"


def parse(text: str) -> dict[str, str]:
    """godotenv's reader, enough for files written by :func:`marshal` and simple hand edits.

    A quoted value that never closes stops the parse (godotenv returns an error and dokku
    reads nothing after it); keys that fail dokku's rule are dropped.
    """
    env: dict[str, str] = {}
    rest = text
    while rest:
        rest = rest.lstrip(" \t\r\n")
        if not rest:
            break
        if rest.startswith("#"):
            rest = rest.partition("\n")[2]
            continue
        line_key, sep, after = rest.partition("=")
        if not sep or "\n" in line_key:
            rest = rest.partition("\n")[2]
            continue
        key = line_key.strip()
        if key.startswith("export "):
            key = key[len("export ") :].strip()
        after = after.lstrip(" \t")
        if after[:1] in ("'", '"'):
            quote = after[0]
            end = _closing_quote(after, quote)
            if end < 0:
                break
            value = after[:end].strip(quote)
            if quote == '"':
                value = _expand_variables(_expand_escapes(value))
            rest = after[end + 1 :].partition("\n")[2]
        else:
            line, _, rest = after.partition("\n")
            value = line.split(" #", 1)[0].strip()
        if _KEY_RE.match(key):
            env[key] = value
    return env


def _closing_quote(src: str, quote: str) -> int:
    for index in range(1, len(src)):
        if src[index] == quote and src[index - 1] != "\\":
            return index
    return -1


def _expand_escapes(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = match.group(0)[1]
        return {"n": "\n", "r": "\r"}.get(char, match.group(0))

    value = re.sub(r"\\.", one, value)
    return re.sub(r"\\([^$])", r"\1", value)


def _expand_variables(value: str) -> str:
    # Marshal escapes every '$', so only the escaped form matters: "\$" reads back as "$".
    return re.sub(r"\\\$", "$", value)
