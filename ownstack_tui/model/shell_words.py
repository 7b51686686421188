"""Words of a line the way ``shlex.split(text, comments=True, posix=True)`` splits them, in
linear time: shlex builds each word a character at a time (``token += char``), which is
quadratic, so a 1 MB value in a config file took seconds to read (tests/model checks the two
agree on every small input).

Quoting as shlex does it: '…' is literal; in "…" a backslash escapes only ``"`` and ``\\``
(any other pair is kept as written); outside quotes a backslash takes the next character as
it is; ``#`` where a word could start or inside an unquoted word ends the line.
"""

from __future__ import annotations

import re

_BLANK = " \t\r\n"
_PLAIN = re.compile(r"[^ \t\r\n#'\"\\]+")  # in a word, outside quotes: taken as written
_IN_DOUBLE = re.compile(r'[^"\\]+')  # inside "…": taken as written


def split_words(text: str) -> list[str]:
    """The words; ValueError("No closing quotation" / "No escaped character") as shlex."""
    words: list[str] = []
    end = len(text)
    at = 0
    while True:
        while at < end and (text[at] in _BLANK or text[at] == "#"):
            at = _line_end(text, at) if text[at] == "#" else at + 1
        if at >= end:
            return words
        parts: list[str] = []
        while at < end:
            char = text[at]
            if char in _BLANK:
                at += 1
                break
            if char == "#":
                at = _line_end(text, at)
                break
            if char == "'":
                close = text.find("'", at + 1)
                if close < 0:
                    raise ValueError("No closing quotation")
                parts.append(text[at + 1 : close])
                at = close + 1
            elif char == '"':
                at = _double_quoted(text, at + 1, parts)
            elif char == "\\":
                if at + 1 >= end:
                    raise ValueError("No escaped character")
                parts.append(text[at + 1])
                at += 2
            else:
                match = _PLAIN.match(text, at)
                assert match is not None  # char is none of the characters _PLAIN stops at
                parts.append(match.group())
                at = match.end()
        words.append("".join(parts))


def _double_quoted(text: str, at: int, parts: list[str]) -> int:
    """Reads a "…" body from ``at`` into ``parts``; returns the index after the closing quote."""
    end = len(text)
    while True:
        match = _IN_DOUBLE.match(text, at)
        if match:
            parts.append(match.group())
            at = match.end()
        if at >= end:
            raise ValueError("No closing quotation")
        if text[at] == '"':
            return at + 1
        if at + 1 >= end:  # a backslash last
            raise ValueError("No escaped character")
        escaped = text[at + 1]
        parts.append(escaped if escaped in '"\\' else "\\" + escaped)
        at += 2


def _line_end(text: str, at: int) -> int:
    """The index after the newline that ends the line holding ``at`` (a comment's end)."""
    newline = text.find("\n", at)
    return len(text) if newline < 0 else newline + 1
