"""Remote output's escape sequences become styled spans or plain text, never stray characters."""

from __future__ import annotations

import pytest
from rich.color import Color

from ownstack_tui.ansi import parse_line
from ownstack_tui.text import strip_escapes


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[1;32m-----> Building\x1b[0m done", "-----> Building done"),
        ("\x1b[1G\x1b[K-----> Set main as deploy-branch", "-----> Set main as deploy-branch"),
        ("^[[1G^[[K-----> git printed ESC as ^[", "-----> git printed ESC as ^["),
        ("Compressing  50%\rCompressing 100%", "Compressing 100%"),
        ("done\r", "done"),
        ("title\x1b]0;window title\x07 after", "title after"),
        ("cut short \x1b[3", "cut short "),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("a\tb", "a       b"),
        ("plain text", "plain text"),
    ],
)
def test_escapes_and_control_bytes_never_show(raw: str, shown: str) -> None:
    assert strip_escapes(raw) == shown
    assert "".join(span.text for span in parse_line(raw).spans) == shown


def test_sgr_codes_become_styles() -> None:
    spans = parse_line("\x1b[1;31mred\x1b[0m plain \x1b[38;5;208mamber\x1b[38;2;1;2;3m rgb").spans

    assert [span.text for span in spans] == ["red", " plain ", "amber", " rgb"]
    assert spans[0].style is not None
    assert spans[0].style.color == Color.from_ansi(1)
    assert spans[0].style.bold
    assert spans[1].style is None
    assert spans[2].style is not None
    assert spans[2].style.color == Color.from_ansi(208)
    assert spans[3].style is not None
    assert spans[3].style.color == Color.from_rgb(1, 2, 3)


def test_span_positions_count_terminal_cells() -> None:
    spans = parse_line("日本\x1b[31mx").spans
    assert [(span.start, span.cells) for span in spans] == [(0, 4), (4, 1)]


def test_a_limit_stops_parsing_a_huge_line_early() -> None:
    parsed = parse_line("\x1b[31m" + "x" * 100_000, limit=1000)
    assert not parsed.complete
    assert 1000 <= parsed.width < 100_000
