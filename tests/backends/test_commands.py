"""The command builder: what dokku's SSH entry receives is exactly the words we meant."""

from __future__ import annotations

import base64
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownstack_tui.backends.dokku import commands
from ownstack_tui.backends.dokku.errors import CommandTooLong
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation

# dokku's own non-git path (dokku.md §1): GNU xargs -n 1 re-reads the line, readarray collects.
DOKKU_XARGS_PATH = r"""
readarray -t words < <(printf '%s' "$SSH_ORIGINAL_COMMAND" | xargs -n 1)
printf '%s\0' "${words[@]}"
"""


def words_dokku_receives(line: str) -> list[str]:
    result = subprocess.run(
        ["bash", "-c", DOKKU_XARGS_PATH],
        env={"SSH_ORIGINAL_COMMAND": line, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8").split("\0")[:-1]


AWKWARD_VALUES = [
    "two words",
    "it's \"quoted\"",
    "$HOME and `date` and $(id)",
    "a=b=c",
    "naïve ☃ 日本",
    "back\\slash in the middle",
    "  leading and trailing  ",
    "*; rm -rf / #",
]


@pytest.mark.parametrize("value", AWKWARD_VALUES)
def test_quoted_words_reach_dokku_unchanged_through_xargs(value: str) -> None:
    command = commands.build(["config:get", "shop", value])
    assert words_dokku_receives(command.line) == ["config:get", "shop", value]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=40))
def test_any_printable_word_survives_the_xargs_path(value: str) -> None:
    if not value or commands._ECHO_OPTION_RE.match(value):
        return
    command = commands.build(["config:get", "shop", value])
    assert words_dokku_receives(command.line)[2] == value


@pytest.mark.parametrize("value", [*AWKWARD_VALUES, "", "line one\nline two", "ends\r\n"])
def test_config_values_travel_base64_encoded(value: str) -> None:
    if value.endswith(("\\", '"')):
        return
    command = commands.config_set("shop", {"GREETING": value}, restart=False)
    assert command.words[:4] == ("config:set", "--encoded", "--no-restart", "shop")
    key, _, encoded = words_dokku_receives(command.line)[4].partition("=")
    assert key == "GREETING"
    assert base64.b64decode(encoded).decode("utf-8") == value


def test_config_set_display_hides_the_values() -> None:
    command = commands.config_set("shop", {"SECRET": "hunter2", "OTHER": "x"})
    assert "hunter2" not in command.display
    assert encode("hunter2") not in command.display
    assert command.display == "config:set --encoded shop SECRET=… OTHER=…"


def encode(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_git_commands_get_bare_words() -> None:
    assert commands.git_set("shop", "deploy-branch", "main").line == "git:set shop deploy-branch main"
    assert commands.git_from_image("shop", "registry.example/shop:1.2").line == (
        "git:from-image shop registry.example/shop:1.2"
    )
    assert commands.git_report("shop").line == "git:report shop --format json"


def test_any_command_containing_git_takes_the_bare_path() -> None:
    # dokku's regex is unanchored: "digitalocean:foo" would also be a git command.
    assert commands.is_git_path("git-receive-pack")
    assert commands.is_git_path("git:sync")
    assert commands.is_git_path("digit:thing")
    assert not commands.is_git_path("config:set")
    with pytest.raises(InvalidInput, match="git commands"):
        commands.build(["git:set", "shop", "rev-env-var", "has space"])
    with pytest.raises(InvalidInput, match="git commands"):
        commands.build(["git:set", "shop", "rev-env-var", "'quoted'"])


@pytest.mark.parametrize("word", ["-n", "-e", "-E", "-ne", "--version", "--help"])
def test_words_that_xargs_echo_would_swallow_are_refused(word: str) -> None:
    with pytest.raises(InvalidInput, match="swallowed"):
        commands.build(["config:get", "shop", word])


def test_newlines_are_refused_outside_encoded_values() -> None:
    with pytest.raises(InvalidInput, match="newline"):
        commands.build(["config:get", "shop", "a\nb"])


def test_empty_words_are_refused_because_xargs_drops_a_trailing_one() -> None:
    assert words_dokku_receives("config:get shop ''") == ["config:get", "shop"]
    with pytest.raises(InvalidInput, match="empty argument"):
        commands.build(["config:get", "shop", ""])
    # An empty config value is fine: it travels as "KEY=" (base64 of nothing).
    assert commands.config_set("shop", {"EMPTY": ""}).words[-1] == "EMPTY="


def test_dokku_quirks_are_respected() -> None:
    assert commands.version().line == "version"
    assert commands.logs("shop", num=50).line == "logs shop --num 50"
    assert commands.logs("shop", num=5, ps="web", follow=True).line == (
        "logs shop --num 5 --ps web --tail"
    )
    assert commands.apps_report("shop").line == "apps:report shop --format json"
    assert commands.apps_destroy("shop").line == "apps:destroy shop --force"
    assert commands.config_export("shop").line == "config:export --format json shop"
    assert commands.ps_scale_show("shop").line == "ps:scale --format json shop"
    assert commands.ps_scale_set("shop", {"web": 2, "worker": 0}).line == (
        "ps:scale shop web=2 worker=0"
    )
    assert commands.service("postgres", "link", "postgres-shop", "shop").line == (
        "postgres:link postgres-shop shop"
    )
    assert commands.receive_pack("shop").line == "git-receive-pack 'shop'"


def test_names_are_validated_before_anything_is_sent() -> None:
    with pytest.raises(InvalidInput, match="app name"):
        commands.apps_create("Shop")
    with pytest.raises(InvalidInput, match="config key"):
        commands.config_set("shop", {"BAD-KEY": "x"})
    with pytest.raises(InvalidInput, match="reserved"):
        commands.config_set("shop", {"PORT": "80"})
    with pytest.raises(InvalidInput, match="count"):
        commands.ps_scale_set("shop", {"web": -1})
    with pytest.raises(InvalidInput, match="image"):
        commands.git_from_image("shop", "--force")


def test_a_command_longer_than_dokku_accepts_fails_clearly() -> None:
    big = "x" * (validation.MAX_REMOTE_COMMAND_BYTES // 2)
    with pytest.raises(CommandTooLong, match=r"config:set would send \d+ bytes over SSH"):
        commands.config_set("shop", {"A": big, "B": big})
    assert CommandTooLong.exit_status == 2
