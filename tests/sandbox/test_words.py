"""dokku's entry-script word handling (dokku.md §1), checked against the real xargs and echo."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownstack_tui.sandbox.words import entry_words, xargs_words


def real_dokku_words(original: str) -> tuple[list[str], str]:
    """What the entry script's non-git path gives: printf | xargs -n 1 | readarray -t."""
    # The text goes in on stdin: one argv word cannot exceed 128 KiB (MAX_ARG_STRLEN).
    done = subprocess.run(
        ["bash", "-c", 'readarray -t W < <(xargs -n 1); printf "%s\\0" "${W[@]}"'],
        input=original,
        capture_output=True,
        text=True,
        check=True,
    )
    words = done.stdout.split("\0")[:-1]
    if words == [""] and not original.strip():
        words = []
    return words, done.stderr


CASES = [
    "config:set shop 'A=hello world' B=2",
    "config:set shop X='it'\"'\"'s' Y=\"a b\"",
    "logs shop -n 50",
    "logs shop -e x -E y -ne z",
    "config:set shop A\\ B=c\\\\d",
    "apps:create ''",
    "config:set shop 'A=1\n2'",
    'config:set shop "A=unterminated',
    "apps:list\tx   y",
    "ps:scale shop web=1\nworker=2",
]


@pytest.mark.parametrize("original", CASES)
def test_non_git_commands_split_like_xargs_and_echo(original: str) -> None:
    expected_words, expected_stderr = real_dokku_words(original)
    got = entry_words(original)
    assert got.argv == expected_words
    assert got.stderr == expected_stderr


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab =-'\"\\\tn\n$", max_size=24))
def test_any_command_line_splits_like_real_xargs(original: str) -> None:
    command = "config:set " + original
    expected_words, expected_stderr = real_dokku_words(command)
    got = entry_words(command)
    assert got.argv == expected_words
    assert got.stderr == expected_stderr


def test_dash_n_is_eaten_so_logs_gets_no_count() -> None:
    assert entry_words("logs shop -n 50").argv == ["logs", "shop", "50"]
    assert entry_words("logs shop --num 50").argv == ["logs", "shop", "--num", "50"]


def test_git_commands_split_on_whitespace_and_keep_quotes() -> None:
    got = entry_words("git-receive-pack 'shop'")
    assert got.path == "git"
    assert got.argv == ["git-receive-pack", "'shop'"]
    # The regex is unanchored: any first word containing "git" takes the git path.
    assert entry_words("git:set 'shop' deploy-branch main").argv[1] == "'shop'"
    assert entry_words("--quiet git:report shop").path == "git"


def test_xargs_reports_unmatched_quotes_but_keeps_earlier_words() -> None:
    words, error = xargs_words("a b 'c")
    assert words == ["a", "b"]
    assert error.startswith("xargs: unmatched single quote;")


def test_version_word_is_swallowed_by_echo() -> None:
    got = entry_words("--version")
    assert got.argv[0].startswith("echo (GNU coreutils)")


@pytest.mark.parametrize("size", [131066, 131067])
def test_a_word_over_the_xargs_buffer_stops_the_command_line(size: int) -> None:
    original = f"config:set shop K={'x' * (size - 2)} B=1"
    expected_words, expected_stderr = real_dokku_words(original)
    got = entry_words(original)
    assert [len(word) for word in got.argv] == [len(word) for word in expected_words]
    assert got.stderr == expected_stderr
