"""KEY='value' files for config:push: shell quoting, and messages that never show a value."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.heroku_env import parse_heroku_env


def test_quoted_multi_line_and_exported_values_are_read_as_the_shell_would() -> None:
    text = "# prod\nexport A='it'\"'\"'s'\nB='one\ntwo' C=3\nD=\"q\\\"r\"  # note\n"
    assert parse_heroku_env(text) == {"A": "it's", "B": "one\ntwo", "C": "3", "D": 'q"r'}


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_key() -> None:
    assert parse_heroku_env("\ufeffLOG_LEVEL=debug\nREGION=eu\n") == {"LOG_LEVEL": "debug", "REGION": "eu"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=1\nPASSWORD=hunter2 s3cr3tpart\n",
         "f.env, line 2: expected KEY='value' (a word without '='; quote values that hold spaces)"),
        ("A=1\n\nTOKEN='s3cr3tpart\nmore\n",
         "f.env, line 3: the value of TOKEN opens a quote that is never closed; close it"),
        ("A=1\nB=2\n1s3cr3tpart=x\n",
         "f.env, line 3: invalid config key '1s3cr3tpart': use letters, digits and underscores, "
         "not starting with a digit"),
        ("KEY=s3cr3tpart\\\\\n", "f.env, line 1: value of KEY ends with a backslash"),
    ],
)
def test_a_malformed_line_is_named_by_number_and_key_without_its_value(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_heroku_env(text, "f.env")
    assert str(caught.value).startswith(message)
    if "1s3cr3tpart" not in message:
        assert "s3cr3t" not in str(caught.value)


def test_words_are_split_exactly_as_shlex_splits_them() -> None:
    """split_words is shlex.split(comments=True, posix=True) in linear time: every string of
    up to 10 characters from the quoting alphabet splits (or fails) the same way."""
    import random
    import shlex

    from ownstack_tui.model.shell_words import split_words

    def outcome(split: Callable[[str], list[str]], text: str) -> object:
        try:
            return split(text)
        except ValueError as error:
            return ("ValueError", str(error))

    rng = random.Random(12)
    for _ in range(20_000):
        text = "".join(rng.choice("ab='\"\\ #\n\t=") for _ in range(rng.randint(0, 10)))
        expected = outcome(lambda t: shlex.split(t, comments=True, posix=True), text)
        assert outcome(split_words, text) == expected, repr(text)


def test_a_megabyte_value_is_read_whole() -> None:
    big = "x" * (1 << 20)
    assert parse_heroku_env(f"A=1\nBIG='{big}'\nC=\"q\\\"{big}\"\n") == {
        "A": "1", "BIG": big, "C": 'q"' + big,
    }
