"""Plain text from terminal output: the one rule the CLI, the parsers and the panes share."""

from __future__ import annotations

import pytest

from ownstack_tui.backends.dokku.parsers import clean_push_line, parse_log_line
from ownstack_tui.errors import OwnstackError, StackError, is_transient
from ownstack_tui.text import strip_escapes


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("\x1b[1G\x1b[K-----> Building shop", "-----> Building shop"),
        ("\x1b[32mgreen\x1b[0m and plain", "green and plain"),
        ("^[[1;31mred^[[0m", "red"),  # git shows ESC as ^[ in some locales
        ("Counting 50%\rCounting 100%", "Counting 100%"),
        ("progress 42%\r", "progress 42%"),  # a redraw with nothing after keeps the text
        ("a\tb", "a       b"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("\x1b]0;title\x07shown", "shown"),
    ],
)
def test_strip_escapes_shows_what_a_terminal_shows(raw: str, shown: str) -> None:
    assert strip_escapes(raw) == shown


def test_dokku_parsers_strip_the_same_way_as_everyone() -> None:
    assert parse_log_line("\x1b[1Gboot\rready\x07").message == "ready"
    assert clean_push_line("remote: \x1b[1G\x1b[K-----> Releasing shop...\x1b[K").text == (
        "-----> Releasing shop..."
    )


def test_errors_declare_whether_a_retry_can_help() -> None:
    from ownstack_tui.backends.api.errors import ApiServerError, ApiUnauthorized
    from ownstack_tui.backends.dokku.errors import (
        AuthenticationFailed,
        ConnectionDropped,
        StackUnreachable,
    )

    assert is_transient(ConnectionDropped("s", "lost"))
    assert is_transient(StackUnreachable("s", "refused"))
    assert is_transient(ApiServerError("503"))
    assert is_transient(ConnectionResetError())
    assert not is_transient(AuthenticationFailed("s", "refused our keys"))
    assert not is_transient(ApiUnauthorized("401"))
    assert not is_transient(StackError("s", "no"))
    assert not is_transient(OwnstackError("bad"))
    assert not is_transient(ValueError("bug"))
