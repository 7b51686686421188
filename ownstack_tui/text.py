"""Plain text from terminal output: what a terminal would show of one line, as a ``str``.

Pure and cheap to import (no rich): the plain commands, the SSH backend's parsers and the
log panes all strip escapes through :func:`strip_escapes`, so dokku's lines read the same
everywhere. Styling (colours into spans) is :mod:`ownstack_tui.ansi`'s job, for the panes.
"""

from __future__ import annotations

import re

# One alternative per kind of sequence; the order matters (CSI before the generic 2-byte form).
ESCAPE_RE = re.compile(
    r"""
    (?=[\x00-\x1f\x7f-\x9f^])  # a cheap first-character test lets the engine skip plain text
    (?:
    (?:\x1b|\^\[)\[(?P<csi>[0-?]*)[\x20-/]*(?P<final>[@-~]?)  # CSI (git may print ESC as ^[)
    | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\|$)      # OSC / DCS / SOS / PM / APC strings
    | \x1b[\x20-/]*[0-~]?                             # other ESC sequences, or a lone ESC
    | \x9b[0-?]*[\x20-/]*[@-~]?                       # 8-bit CSI
    | (?P<cr>\r)                                      # carriage return: the line restarts
    | [\x00-\x08\x0a-\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9a\x9c-\x9f]  # other control bytes
    )
    """,
    re.VERBOSE,
)

# What makes a terminal redraw the line from column 0: \r, or cursor-to-column-1 (`ESC[1G`).
RESTART_RE = re.compile(r"\r|(?:\x1b|\^\[)\[[01]?G")

# RESTART_RE's escape forms spelled out, for str.rfind.
_ESC_RESTARTS = tuple(f"{esc}[{n}G" for esc in ("\x1b", "^[") for n in ("1", "", "0"))

TAB_SIZE = 8


def strip_escapes(text: str) -> str:
    """The text a terminal would show for one line, without any escape or control byte.

    A redraw from column 0 (``\\r``, ``ESC[1G``) replaces what came before it once new text
    follows, so the last part that shows any text is the line (dokku starts its lines with
    ``ESC[1G ESC[K``; progress counters end with ``\\r``)."""
    if text.isprintable() and "^[" not in text:
        return text
    # The last redraw found with str.rfind: a regex search here tripled the cost per line.
    end = text.rfind("\r") + 1  # 0: none
    if "G" in text:
        for sequence in _ESC_RESTARTS:
            at = text.rfind(sequence)
            if at >= 0 and at + len(sequence) > end:
                end = at + len(sequence)
    if not end:
        return ESCAPE_RE.sub("", text).expandtabs(TAB_SIZE)
    tail = ESCAPE_RE.sub("", text[end:])
    if tail:
        return tail.expandtabs(TAB_SIZE)
    for part in reversed(RESTART_RE.split(text)):
        shown = ESCAPE_RE.sub("", part)
        if shown:
            return shown.expandtabs(TAB_SIZE)
    return ""
