"""The wave bar across the Deploy tab: each wave of a staged rollout and where it stands,
``wave 1 ✓ · wave 2 ⏸ waiting · wave 3 ·``, then one line on the rollout as a whole (and the
keys that answer a manual gate). Shown for rollouts of more than one wave only.

It renders the :class:`RolloutView` it is given; it steers nothing. Waves wrap between items,
never inside one, so 80 columns read as well as 160.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ownstack_tui.model.rollout import RolloutState
from ownstack_tui.tui.rollout_view import RolloutView, WaveMark, WaveView

SEPARATOR = " · "
# (glyph, words after it, style): the words say what the glyph means where it is not obvious.
WAVE_LOOKS: dict[WaveMark, tuple[str, str, str]] = {
    WaveMark.PENDING: ("·", "", "dim"),
    WaveMark.DEPLOYING: ("⚙", "deploying", "bold cyan"),
    WaveMark.CHECKING: ("⚙", "checking health", "cyan"),
    WaveMark.SOAKING: ("◷", "soaking", "cyan"),
    WaveMark.WAITING: ("⏸", "waiting", "bold yellow"),
    WaveMark.PASSED: ("✓", "", "green"),
    WaveMark.FAILED: ("✗", "failed", "bold red"),
    WaveMark.SKIPPED: ("↷", "skipped", "dim"),
    WaveMark.CANCELLED: ("⊘", "cancelled", "yellow"),
    WaveMark.ROLLING_BACK: ("↺", "rolling back", "bold magenta"),
    WaveMark.ROLLED_BACK: ("↺", "rolled back", "magenta"),
    WaveMark.ROLLBACK_FAILED: ("✗", "rollback failed", "bold red"),
}
STATE_LOOKS: dict[RolloutState, tuple[str, str]] = {
    RolloutState.RUNNING: ("⚙", "cyan"),
    RolloutState.AWAITING_PROMOTION: ("⏸", "bold yellow"),
    RolloutState.ROLLING_BACK: ("↺", "bold magenta"),
    RolloutState.SUCCEEDED: ("✓", "green"),
    RolloutState.FAILED: ("✗", "bold red"),
    RolloutState.ROLLED_BACK: ("↺", "magenta"),
    RolloutState.HALTED: ("■", "yellow"),
    RolloutState.CANCELLED: ("⊘", "yellow"),
}


def wave_item(wave: WaveView) -> Text:
    glyph, words, style = WAVE_LOOKS[wave.mark]
    text = Text(f"wave {wave.number} ", style="bold" if wave.mark is not WaveMark.PENDING else "")
    text.append(glyph, style=style)
    if words:
        text.append(f" {words}", style=style)
    return text


def state_line(view: RolloutView, keys: tuple[str, str] | None) -> Text:
    """``⏸ wave 1 passed; promote to wave 2? · P promote · H halt``, ``✗ rollout failed: …``."""
    glyph, style = STATE_LOOKS[view.state]
    text = Text(f"{glyph} ", style=style)
    if view.state is RolloutState.AWAITING_PROMOTION:
        text.append(view.reason or "promote to the next wave?", style=style)
        if keys is not None:
            text.append(f"{SEPARATOR}{keys[0]} promote{SEPARATOR}{keys[1]} halt", style="bold")
        return text
    if view.state is RolloutState.RUNNING:
        current = next((w for w in view.waves if w.mark not in (WaveMark.PASSED,)), view.waves[-1])
        text.append(f"rollout of {view.app}: wave {current.number} of {len(view.waves)}", style=style)
        text.append(f"{SEPARATOR}gate {view.gate.value}{SEPARATOR}on failure {view.on_failure.value}",
                    style="dim")
        return text
    text.append(f"rollout {view.state.value}", style=style)
    if view.reason:
        text.append(f": {view.reason}", style=style)
    return text


def wrap_items(items: list[Text], width: int) -> list[Text]:
    """Items joined by `` · ``, a new line where the next would not fit (never inside one)."""
    lines: list[Text] = []
    line = Text()
    for item in items:
        if line.cell_len and line.cell_len + len(SEPARATOR) + item.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(SEPARATOR, style="dim")
        line.append_text(item)
    if line.cell_len:
        lines.append(line)
    return lines


class WaveBar(Widget):
    DEFAULT_CSS = """
    WaveBar { height: auto; padding: 0 1; display: none; }
    WaveBar.-shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="wave-bar")
        self.view: RolloutView | None = None
        self.keys: tuple[str, str] | None = None
        self.compact = False  # short terminals: the waves only (the footer shows the keys)

    def show(self, view: RolloutView | None, keys: tuple[str, str] | None = None) -> None:
        """Show ``view`` (None, or a one-wave deploy: hide the bar)."""
        self.view = view
        self.keys = keys
        self.set_class(view is not None and view.staged, "-shown")
        self.refresh(layout=True)

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        view = self.view
        if view is None:
            return []
        lines = wrap_items([wave_item(wave) for wave in view.waves], max(10, width))
        if not self.compact:
            lines.append(state_line(view, self.keys))
        return lines

    def describe(self) -> str:
        """The bar as plain text, as wide as it is now (for tests)."""
        return "\n".join(line.plain for line in self.lines(self.content_size.width or 80))

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return max(1, len(self.lines(width)))

    def render(self) -> Text:
        lines = self.lines(self.content_size.width)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, line in enumerate(lines):
            if index:
                text.append("\n")
            text.append_text(line)
        return text
