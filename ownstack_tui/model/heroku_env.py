"""Heroku-style config files for ``config:push``: ``KEY='shell quoted value'`` per line.

Quoting follows the POSIX shell (single quotes, double quotes, backslashes), so a value may
hold anything, newlines included. Blank lines, ``#`` comments and an ``export`` prefix are
allowed. Any malformed line fails the whole file, naming the line, so nothing is half-applied.
Messages name the line and the key only, never any part of a value (values are often secrets).
"""

from __future__ import annotations

import re

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.model.shell_words import split_words

# Physical lines, each with its "\n" (str.splitlines would also split at \r, \x0c, \u2028...).
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def parse_heroku_env(text: str, source: str = "file") -> dict[str, str]:
    # Editors on Windows start UTF-8 files with a byte-order mark; it is not part of a key.
    text = text.removeprefix("\ufeff")
    lines = _LINE_RE.findall(text)
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        start = index + 1  # the line number a message names
        chunk = lines[index]
        index += 1
        # A quoted value may run over several lines: add lines until the quotes close.
        while True:
            try:
                words = split_words(chunk)
                break
            except ValueError:
                if index == len(lines):
                    raise InvalidInput(
                        f"{source}, line {start}: {_whose(chunk)} opens a quote that is never "
                        "closed; close it"
                    ) from None
                chunk += lines[index]
                index += 1
        if words[:1] == ["export"]:
            words = words[1:]
        for word in words:
            key, sep, value = word.partition("=")
            if not sep:
                # The word may be the tail of a value with an unquoted space: do not show it.
                raise InvalidInput(
                    f"{source}, line {start}: expected KEY='value' (a word without '='; "
                    "quote values that hold spaces)"
                )
            try:
                validation.writable_config_key(key)
                validation.config_value(key, value)
            except InvalidInput as error:
                raise InvalidInput(f"{source}, line {start}: {error}") from None
            values[key] = value
    return values


def _whose(chunk: str) -> str:
    """``the value of KEY`` when the line starts with a valid key, else ``a value``."""
    key = chunk.lstrip().removeprefix("export ").lstrip().partition("=")[0]
    return f"the value of {key}" if validation.CONFIG_KEY_RE.match(key) else "a value"
