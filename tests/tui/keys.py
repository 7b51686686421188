"""Keys as a terminal delivers them: all at once, before the console has handled the first."""

from __future__ import annotations

from textual import events
from textual.app import App

NAMED = {"\t": "tab", "\r": "enter", "\n": "enter", " ": "space", "\b": "backspace"}


def burst(app: App[object], text: str) -> None:
    """Post every key of ``text`` to the app in one go, the way the driver posts what one
    read from the terminal (a paste, or typing over SSH) gave it; Pilot.press waits between
    keys, so it never shows what a burst does."""
    for char in text:
        app.post_message(events.Key(NAMED.get(char, char), "\r" if char == "\n" else char))
