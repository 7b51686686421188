"""A fast reader for the plain TOML a fleet file usually is, with ``tomllib`` behind it.

``tomllib`` is pure Python and general: a 200-stack fleet file (22 KB) cost ~45 M instructions
to parse and ~9 M to import, before the console's first frame (issue 14, #1b). What
``ownstack-tui`` writes, and what people write by hand, is mostly ``[a.b]`` headers and
``key = value`` lines of plain strings, integers, booleans and one-line arrays of strings:
those are read here a line at a time. Anything else (escapes, quoted or dotted keys, floats,
dates, inline tables, multi-line values, a key or table given twice, ...) returns None and the
caller parses with ``tomllib``, so every file means what ``tomllib`` says it means: the
subset is read to the same dict, and a file outside it (or invalid) is never guessed at.
"""

from __future__ import annotations

import re
from typing import Any

_BARE = r"[A-Za-z0-9_-]+"
_STRING = r'"[^"\\]*"'  # a basic string without escapes (control characters: see _CONTROL)
_HEADER = re.compile(rf"\[[ \t]*({_BARE}(?:[ \t]*\.[ \t]*{_BARE})*)[ \t]*\][ \t]*(?:#.*)?\Z")
_KEY_VALUE = re.compile(
    rf"({_BARE})[ \t]*=[ \t]*"
    rf"(?:({_STRING})|(true|false)|([+-]?(?:0|[1-9][0-9]*))|\[([^\[\]\"#]*(?:{_STRING}[^\[\]\"#]*)*)\])"
    r"[ \t]*(?:#.*)?\Z"
)
_STRINGS = re.compile(rf"[ \t]*(?:{_STRING}[ \t]*,[ \t]*)*(?:{_STRING}[ \t]*,?[ \t]*)?\Z")
_STRING_ITEM = re.compile(r'"([^"\\]*)"')
# TOML allows no control character but tab in strings and comments, and "\r" only before "\n".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _NotPlain(Exception):
    """Outside the subset: ``tomllib`` decides."""


def loads_plain(text: str) -> dict[str, Any] | None:
    """``tomllib.loads(text)`` for a document in the plain subset, else None."""
    try:
        return _parse(text)
    except _NotPlain:
        return None


def _parse(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    table = root
    explicit: set[int] = set()  # id() of the tables a header defined (again is an error)
    if _CONTROL.search(text):
        raise _NotPlain
    for raw in text.split("\n"):
        line = raw.strip(" \t")
        if not line:
            continue
        first = line[0]
        if first == "#":
            continue
        if first == "[":
            match = _HEADER.match(line)
            if match is None:
                raise _NotPlain  # an array of tables, a quoted key, or not TOML
            table = _define(root, [part.strip(" \t") for part in match[1].split(".")], explicit)
            continue
        match = _KEY_VALUE.match(line)
        if match is None:
            raise _NotPlain
        key, string, boolean, integer, array = match.groups()
        if key in table:
            raise _NotPlain  # given twice: tomllib says so
        if string is not None:
            table[key] = string[1:-1]
        elif boolean is not None:
            table[key] = boolean == "true"
        elif integer is not None:
            table[key] = int(integer)
        else:
            if _STRINGS.match(array) is None:
                raise _NotPlain
            table[key] = _STRING_ITEM.findall(array)
    return root


def _define(root: dict[str, Any], path: list[str], explicit: set[int]) -> dict[str, Any]:
    """The table a ``[path]`` header opens: its super-tables made as TOML makes them."""
    node = root
    for part in path:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise _NotPlain  # a value's name used as a table's
        node = child
    if id(node) in explicit:
        raise _NotPlain  # the same table defined twice
    explicit.add(id(node))
    return node
