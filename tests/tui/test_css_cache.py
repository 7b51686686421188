"""Textual's CSS parses kept across starts: a second start with the same theme parses no
source the first one did and styles every widget the same; another theme parses again."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Label, Static

from ownstack_tui.tui import css_cache


class Box(Static):
    DEFAULT_CSS = """
    Box { background: $error; color: $text; border: heavy $accent; height: 3; }
    Box.-quiet { background: $surface; }
    """


class Probe(App[None]):
    CSS = "Label { color: $success; padding: 0 2; }"

    def __init__(self, theme: str = "textual-dark") -> None:
        super().__init__()
        self.theme = theme
        self.save = css_cache.install(self.stylesheet)

    def compose(self) -> ComposeResult:
        yield Box("box")
        yield Box("quiet", classes="-quiet")
        yield Label("label")


async def _looks(app: Probe) -> list[tuple[object, ...]]:
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        looks = [(type(widget).__name__, widget.styles.background, widget.styles.color,
                  widget.styles.border, widget.styles.padding, widget.styles.height)
                 for widget in app.screen.query("Box, Label")]
    app.save()
    return looks


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "textual_css.pickle"
    monkeypatch.setattr(css_cache, "cache_path", lambda: path)
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    return path


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import textual.css.stylesheet as stylesheet

    seen: list[str] = []
    real = stylesheet.parse

    def counting(scope: str, css: str, *args: object, **kwargs: object) -> object:
        seen.append(css)
        return real(scope, css, *args, **kwargs)

    monkeypatch.setattr(stylesheet, "parse", counting)
    return seen


async def test_a_second_start_parses_nothing_and_looks_the_same(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _looks(Probe())
    assert kept.exists()
    parsed = _parses(monkeypatch)
    second = await _looks(Probe())
    assert parsed == []
    assert second == first


async def test_another_theme_is_parsed_anew(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dark = await _looks(Probe())
    parsed = _parses(monkeypatch)
    light = await _looks(Probe("textual-light"))
    assert any("Box {" in css for css in parsed)
    assert light != dark


async def test_a_damaged_file_is_parsed_past(kept: Path) -> None:
    first = await _looks(Probe())
    kept.write_bytes(b"not a pickle")
    assert await _looks(Probe()) == first
