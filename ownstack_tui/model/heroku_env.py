"""Heroku-style config files for ``config:push``: ``KEY='shell quoted value'`` per line.

Quoting follows the POSIX shell (single quotes, double quotes, backslashes), so a value may
hold anything, newlines included. Blank lines, ``#`` comments and an ``export`` prefix are
allowed. Any malformed line fails the whole file, naming the line, so nothing is half-applied.
"""

from __future__ import annotations

import shlex

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation


def parse_heroku_env(text: str, source: str = "file") -> dict[str, str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    values: dict[str, str] = {}
    while True:
        line = lexer.lineno
        try:
            token = lexer.get_token()
        except ValueError as error:  # an unclosed quote
            raise InvalidInput(f"{source}, line {line}: {error}; close the quote") from None
        if token is None or token == lexer.eof:
            break
        if token == "export":
            continue
        key, sep, value = token.partition("=")
        if not sep:
            raise InvalidInput(
                f"{source}, line {line}: expected KEY='value', found {token[:40]!r}"
            )
        try:
            validation.writable_config_key(key)
            validation.config_value(key, value)
        except InvalidInput as error:
            raise InvalidInput(f"{source}, line {line}: {error}") from None
        values[key] = value
    return values
