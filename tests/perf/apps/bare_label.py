"""The startup baseline: a bare Textual app with one Label."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("ownstack-tui startup probe")


if __name__ == "__main__":
    BareApp().run()
