"""Terminal escape handling for remote output (dokku, git, buildpacks).

Remote build output carries SGR colour codes, cursor moves (`ESC[1G`), carriage-return progress
updates and now and then other control bytes. This module turns one line of it into styled
spans (for rendering) or plain text (for filtering, copying and plain output). Nothing here
raises on odd input: unknown or truncated sequences are dropped, never shown.

Colour state starts fresh on each line: remote tools reset at line ends, and a fresh state is
what lets a pane parse only the lines it shows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style

# One alternative per kind of sequence; the order matters (CSI before the generic 2-byte form).
_ESCAPE_RE = re.compile(
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
_RESTART_RE = re.compile(r"\r|(?:\x1b|\^\[)\[[01]?G")

# Long runs of text are cut into chunks so a window into a huge line crops little.
CHUNK = 256
TAB_SIZE = 8

_STANDARD = range(30, 38)
_BRIGHT = range(90, 98)


class Span(NamedTuple):
    """A run of same-styled text that starts at cell `start` of its line."""

    start: int
    cells: int
    text: str
    style: Style | None


class ParsedLine(NamedTuple):
    spans: tuple[Span, ...]
    width: int
    """Cells parsed (the whole line's width when `complete`)."""
    complete: bool


def has_escapes(text: str) -> bool:
    return _ESCAPE_RE.search(text) is not None or "\t" in text


def strip_ansi(text: str) -> str:
    """The text a terminal would show for one line, without any escape sequence."""
    if text.isprintable() and "^[" not in text:
        return text
    restarts = list(_RESTART_RE.finditer(text))
    if not restarts:
        return _ESCAPE_RE.sub("", text).expandtabs(TAB_SIZE)
    # The usual dokku shape, ESC[1G ESC[K at the start: what follows the last restart is shown.
    tail = _ESCAPE_RE.sub("", text[restarts[-1].end() :])
    if tail:
        return tail.expandtabs(TAB_SIZE)
    return "".join(span.text for span in parse_line(text, styled=False).spans)


def visible_width(text: str) -> int:
    """Terminal cells the line occupies once escapes are removed."""
    return cell_len(strip_ansi(text))


def parse_line(text: str, *, styled: bool = True, limit: int | None = None) -> ParsedLine:
    """Split one line into styled spans, dropping every escape and control byte.

    With `limit`, parsing stops once that many cells are known (a window into a huge line
    needs only its prefix); `complete` then says whether the whole line was parsed.
    """
    spans: list[Span] = []
    state: _SgrKey = _PLAIN
    style: Style | None = None
    col = 0
    pos = 0
    restart = False
    # Stopping early is only right once no later \r or ESC[1G can redraw the line.
    stop_after = -1
    if limit is not None and len(text) > limit:  # shorter lines cannot reach the limit
        stop_after = max((m.end() for m in _RESTART_RE.finditer(text)), default=0)
    else:
        limit = None

    def add(run: str, at: int) -> bool:
        """Append a run of text found at `at`; True when the limit says to stop."""
        nonlocal col, restart
        if restart:
            # The line was redrawn from column 0; later text replaces the earlier.
            spans.clear()
            col = 0
            restart = False
        if "\t" in run:
            run = _expand_tabs(run, col)
        may_stop = limit is not None and at >= stop_after
        for i in range(0, len(run), CHUNK):
            chunk = run[i : i + CHUNK]
            cells = len(chunk) if chunk.isascii() else cell_len(chunk)
            spans.append(Span(col, cells, chunk, style))
            col += cells
            if may_stop and col >= limit:  # type: ignore[operator]
                return True
        return False

    for match in _ESCAPE_RE.finditer(text):
        if match.start() > pos and add(text[pos : match.start()], pos):
            return ParsedLine(tuple(spans), col, False)
        pos = match.end()
        final = match.group("final")
        if match.group("cr") is not None:
            restart = True
        elif final == "m":
            if styled:
                state, style = _apply_sgr(state, match.group("csi"))
        elif final == "G" and match.group("csi") in ("", "0", "1"):
            restart = True
    if pos < len(text) and add(text[pos:], pos):
        return ParsedLine(tuple(spans), col, False)
    return ParsedLine(tuple(spans), col, True)


def _expand_tabs(run: str, col: int) -> str:
    out: list[str] = []
    for i, part in enumerate(run.split("\t")):
        if i:
            pad = TAB_SIZE - col % TAB_SIZE
            out.append(" " * pad)
            col += pad
        out.append(part)
        col += cell_len(part)
    return "".join(out)


_SgrKey = tuple[tuple[int, ...] | None, tuple[int, ...] | None, frozenset[str]]
_PLAIN: _SgrKey = (None, None, frozenset())


@lru_cache(maxsize=4096)
def _apply_sgr(key: _SgrKey, params: str) -> tuple[_SgrKey, Style | None]:
    """The state and style after an SGR sequence; remote output repeats a handful of these."""
    state = _SgrState()
    state.fg, state.bg, state.attrs = key
    state.apply(params)
    return (state.fg, state.bg, state.attrs), state.style()


class _SgrState:
    """Select Graphic Rendition state: colours and attributes, as a terminal keeps them."""

    __slots__ = ("attrs", "bg", "fg")

    def __init__(self) -> None:
        self.fg: tuple[int, ...] | None = None
        self.bg: tuple[int, ...] | None = None
        self.attrs: frozenset[str] = frozenset()

    def style(self) -> Style | None:
        if self.fg is None and self.bg is None and not self.attrs:
            return None
        return _style_for(self.fg, self.bg, self.attrs)

    def apply(self, params: str) -> None:
        codes = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")]
        i = 0
        while i < len(codes):
            code = codes[i]
            i += 1
            if code == 0:
                self.fg, self.bg, self.attrs = None, None, frozenset()
            elif code in _ATTR_ON:
                self.attrs = self.attrs | {_ATTR_ON[code]}
            elif code in _ATTR_OFF:
                self.attrs = self.attrs - _ATTR_OFF[code]
            elif code in _STANDARD:
                self.fg = (code - 30,)
            elif code in _BRIGHT:
                self.fg = (code - 90 + 8,)
            elif 40 <= code <= 47:
                self.bg = (code - 40,)
            elif 100 <= code <= 107:
                self.bg = (code - 100 + 8,)
            elif code == 39:
                self.fg = None
            elif code == 49:
                self.bg = None
            elif code in (38, 48):
                colour, i = _extended_colour(codes, i)
                if code == 38:
                    self.fg = colour
                else:
                    self.bg = colour


def _extended_colour(codes: list[int], i: int) -> tuple[tuple[int, ...] | None, int]:
    """`38;5;N` (256 colours) or `38;2;R;G;B` (true colour); returns (colour, next index)."""
    if i < len(codes) and codes[i] == 5 and i + 1 < len(codes):
        return (min(codes[i + 1], 255),), i + 2
    if i < len(codes) and codes[i] == 2 and i + 3 < len(codes):
        r, g, b = (min(c, 255) for c in codes[i + 1 : i + 4])
        return (r, g, b), i + 4
    return None, len(codes)


_ATTR_ON = {
    1: "bold",
    2: "dim",
    3: "italic",
    4: "underline",
    5: "blink",
    6: "blink",
    7: "reverse",
    8: "conceal",
    9: "strike",
    53: "overline",
}
_ATTR_OFF = {
    22: frozenset({"bold", "dim"}),
    23: frozenset({"italic"}),
    24: frozenset({"underline"}),
    25: frozenset({"blink"}),
    27: frozenset({"reverse"}),
    28: frozenset({"conceal"}),
    29: frozenset({"strike"}),
    55: frozenset({"overline"}),
}


def _colour(value: tuple[int, ...] | None) -> Color | None:
    if value is None:
        return None
    if len(value) == 1:
        return Color.from_ansi(value[0])
    return Color.from_rgb(*value)


@lru_cache(maxsize=1024)
def _style_for(fg: tuple[int, ...] | None, bg: tuple[int, ...] | None, attrs: frozenset[str]) -> Style:
    return Style(color=_colour(fg), bgcolor=_colour(bg), **dict.fromkeys(attrs, True))
