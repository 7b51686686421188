"""How dokku's entry script turns ``SSH_ORIGINAL_COMMAND`` into argv (dokku.md §1).

The login shell splits the forced command's ``$SSH_ORIGINAL_COMMAND`` on whitespace (no quote
removal). Leading ``--flags`` are skipped to find the command word; if it contains ``git``
anywhere (the script's regexes are unanchored) the words are a bare whitespace split with
quotes kept literally. Everything else goes through ``xargs -n 1`` (GNU quoting) and
``/bin/echo`` once per word, which eats words such as ``-n``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

_BLANKS = " \t"
# GNU xargs' 128 KiB command buffer holds "echo\0" and the word with its NUL (dokku.md §1).
MAX_WORD_BYTES = 131072 - len("echo") - 2
# /bin/echo (coreutils) takes a word made only of these letters as options.
_ECHO_OPTION_RE = re.compile(r"^-[neE]+$")


@dataclass
class EntryWords:
    """The argv the inner ``dokku`` gets, and what xargs said on stderr (if anything)."""

    argv: list[str]
    stderr: str = ""
    path: str = "xargs"  # "git", "xargs" or "empty"
    notes: list[str] = field(default_factory=list)


def shell_words(original: str) -> list[str]:
    """The login shell's unquoted expansion: a split on IFS whitespace, quotes untouched."""
    return original.split()


def command_word(words: list[str]) -> str:
    """The first word after the leading global flags, as the entry script finds it."""
    skip_value = False
    for word in words:
        if skip_value:
            skip_value = False
            continue
        if word == "--app":
            skip_value = True
            continue
        if word.startswith("--") and word != "--version":
            continue
        return word
    return ""


def entry_words(original: str) -> EntryWords:
    """The argv dokku runs for an SSH command line, following its entry script."""
    if not original.strip():
        return EntryWords(argv=[], path="empty")
    first = command_word(shell_words(original))
    if "git" in first:
        return EntryWords(argv=original.split(), path="git")
    words, error = xargs_words(original)
    echoed = "".join(_echo(word) for word in words)
    return EntryWords(argv=_readarray(echoed), stderr=error, path="xargs")


def xargs_words(text: str) -> tuple[list[str], str]:
    """Words as GNU xargs (default mode) reads them, and its error text if quoting broke.

    Quotes group (backslash is literal inside them), a backslash outside quotes takes the
    next character literally, blanks and newlines separate words, adjacent pieces join.
    A newline or end of input inside quotes is an error; the words before it still run.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote = ""
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\n":
                return words, _unmatched(quote)
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char == "\\":
            i += 1
            if i >= len(text):
                break
            current.append(text[i])
            in_word = True
        elif char in _BLANKS or char == "\n":
            if in_word:
                word = "".join(current)
                if _too_long(word):
                    return words, _TOO_LONG
                words.append(word)
                current = []
                in_word = False
        elif char in "'\"":
            quote = char
            in_word = True
        else:
            current.append(char)
            in_word = True
        i += 1
    if quote and current:
        return words, _unmatched(quote)
    # At end of input GNU xargs keeps a word only if it has characters ('' alone is dropped).
    if in_word and current:
        word = "".join(current)
        if _too_long(word):
            return words, _TOO_LONG
        words.append(word)
    return words, ""


_TOO_LONG = "xargs: argument line too long\n"


def _too_long(word: str) -> bool:
    return len(word.encode("utf-8", "surrogateescape")) > MAX_WORD_BYTES


def _unmatched(quote: str) -> str:
    kind = "single" if quote == "'" else "double"
    return (
        f"xargs: unmatched {kind} quote; by default quotes are special to xargs "
        "unless you use the -0 option\n"
    )


def _echo(word: str) -> str:
    """What ``/bin/echo WORD`` prints."""
    if word in ("--help", "--version"):
        # Rare; ask the real echo so its text is exact.
        done = subprocess.run(["/bin/echo", word], capture_output=True, text=True, check=False)
        return done.stdout
    if _ECHO_OPTION_RE.match(word):
        return "" if "n" in word else "\n"
    return word + "\n"


def _readarray(text: str) -> list[str]:
    """``readarray -t``: one element per line; a last line without newline still counts."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines
