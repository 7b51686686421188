"""Drawing helpers for LogPane: one row from a parsed line, and cheap scrollbar updates."""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from ownstack_tui.ansi import ParsedLine


def window_strip(parsed: ParsedLine, x: int, width: int, base: Style) -> Strip:
    """Cells [x, x + width) of a parsed line as one Strip, padded with `base` to `width`.

    Only the spans overlapping the window are touched, so a 100,000-character line costs what
    the window shows. One Strip per row: Strips are heavy (seven caches each), and garbage
    means GC pauses while ten panes stream.
    """
    spans = parsed.spans
    end = x + width
    first = max(0, bisect_right(spans, x, key=lambda span: span.start) - 1)
    segments: list[Segment] = []
    cells = 0
    for index in range(first, len(spans)):
        span = spans[index]
        if span.start >= end:
            break
        left = max(x, span.start) - span.start
        right = min(end, span.start + span.cells) - span.start
        if right <= left:
            continue
        style = base + span.style if span.style else base
        if left == 0 and right == span.cells:
            segments.append(Segment(span.text, style))
        elif len(span.text) == span.cells:  # one cell per character: slice directly
            segments.append(Segment(span.text[left:right], style))
        else:  # wide characters: let Textual cut on cell boundaries
            segments.extend(Strip([Segment(span.text, style)], span.cells).crop(left, right))
        cells += right - left
    if cells < width:
        segments.append(Segment(" " * (width - cells), base))
    return Strip(segments, width)


def thumb(window: int, virtual: int, position: float) -> tuple[int, int]:
    """Where a scrollbar's thumb is drawn, to the nearest cell (Textual draws eighths; a thumb
    up to half a cell off is not worth a repaint on every flush)."""
    if window <= 0 or virtual <= window:
        return (0, 0)
    size = max(1.0, window * window / virtual)
    start = (window - size) * min(1.0, position / (virtual - window))
    return (round(start), round(size))


def set_scrollbar(bar: ScrollBar, window: int, virtual: int, position: float) -> None:
    """Give a scrollbar new sizes and position; repaint it only if its thumb moved."""
    before = thumb(bar.window_size, bar.window_virtual_size, bar.position)
    bar.set_reactive(ScrollBar.window_size, window)
    bar.set_reactive(ScrollBar.window_virtual_size, virtual)
    bar.set_reactive(ScrollBar.position, position)
    if thumb(window, virtual, position) != before:
        bar.refresh()
