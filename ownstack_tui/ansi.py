"""Terminal escape handling for remote output (dokku, git, buildpacks).

Remote build output carries SGR colour codes, cursor moves (`ESC[1G`), carriage-return progress
updates and now and then other control bytes. This module turns one line of it into styled
spans for rendering (plain text, for filtering, copying and plain output, is
:func:`ownstack_tui.text.strip_escapes`: the same rules, without rich). Nothing here raises on
odd input: unknown or truncated sequences are dropped, never shown.

Colour state starts fresh on each line: remote tools reset at line ends, and a fresh state is
what lets a pane parse only the lines it shows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style

from ownstack_tui.text import ESCAPE_RE as _ESCAPE_RE
from ownstack_tui.text import RESTART_RE as _RESTART_RE
from ownstack_tui.text import TAB_SIZE, strip_escapes

# Long runs of text are cut into chunks so a window into a huge line crops little.
CHUNK = 256

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


def visible_width(text: str) -> int:
    """Terminal cells the line occupies once escapes are removed."""
    return cell_len(strip_escapes(text))


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
