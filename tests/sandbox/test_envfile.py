"""dokku's ENV file format (godotenv v1.5.1, dokku.md §10/§11) and Go's base64 errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ownstack_tui.sandbox import envfile, gobase64


def test_marshal_sorts_escapes_and_writes_integers_bare() -> None:
    text = envfile.marshal({"b": 'say "hi" $HOME `x` !', "A": "007", "C": "+5", "D": "line1\nline2"})
    assert text.splitlines() == [
        "A=7",
        "C=5",
        'D="line1\\nline2"',
        'b="say \\"hi\\" \\$HOME \\`x\\` \\!"',
    ]


@given(st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True), st.text(max_size=20)))
def test_values_round_trip_except_godotenv_quirks(env: dict[str, str]) -> None:
    env = {
        k: v
        for k, v in env.items()
        if not v.endswith(("\\", '"')) and envfile.go_atoi(v) is None and "\x00" not in v
    }
    # godotenv trims quote characters at both ends of a quoted value.
    env = {k: v for k, v in env.items() if not v.startswith('"')}
    assert envfile.parse(envfile.write_text(env)) == env


def test_value_ending_in_quote_comes_back_ending_in_backslash() -> None:
    assert envfile.parse(envfile.write_text({"K": 'say "x"'}))["K"] == 'say "x\\'


def test_value_ending_in_backslash_breaks_the_rest_of_the_file() -> None:
    env = envfile.parse(envfile.write_text({"A": "ok", "B": "bad\\", "C": "lost"}))
    assert env["A"] == "ok"
    assert env.get("B") != "bad\\"
    assert "C" not in env


def test_go_base64_decodes_with_newlines_and_padding() -> None:
    assert gobase64.decode("aGVs\nbG8=") == b"hello"
    assert gobase64.decode("") == b""


@pytest.mark.parametrize(
    ("text", "offset"), [("abc", 0), ("abcd=", 4), ("ab!d", 2), ("YQ==YQ==", 4), ("YQ=", 3)]
)
def test_go_base64_error_offsets(text: str, offset: int) -> None:
    with pytest.raises(gobase64.CorruptInput) as caught:
        gobase64.decode(text)
    assert str(caught.value) == f"illegal base64 data at input byte {offset}"
