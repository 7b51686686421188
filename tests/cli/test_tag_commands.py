"""Tags as a user manages them: stack:add --tag, stack:tag, stack:untag, and `stacks` listing
them; the fleet file keeps the user's comments and order through every edit."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.cli.helpers import Cli, make_git_repo

HAND_WRITTEN = """\
# our fleet, kept by hand
via = "ssh"

[stacks.staging]  # the shared one
host = "198.51.100.7"
tags = ["eu"]  # region first

# production, east coast
[stacks.prod-east]
host = "203.0.113.10"
port = 2222

[stacks.prod-west]
host = "203.0.113.11"
"""


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    path = tmp_path / "fleet.toml"
    path.write_text(HAND_WRITTEN)
    path.chmod(0o600)
    return Cli(path, capsys)


def tags_on_disk(cli: Cli) -> dict[str, list[str]]:
    stacks = tomllib.loads(cli.fleet.read_text())["stacks"]
    return {name: entry.get("tags", []) for name, entry in stacks.items()}


def test_stack_add_with_tags_writes_them_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "new.toml", capsys)
    added = cli("stack:add", "prod-eu", "--host", "192.0.2.5", "--tag", "prod", "--tag", "eu",
                "--tag", "prod")
    assert added.status == 0, added.err
    assert "Added stack prod-eu (dokku@192.0.2.5, port 22, tags prod, eu)" in added.out
    assert tags_on_disk(cli) == {"prod-eu": ["prod", "eu"]}


def test_stack_tag_adds_only_new_tags_and_keeps_comments_and_order(cli: Cli) -> None:
    tagged = cli("stack:tag", "staging", "canary", "eu")
    assert tagged.status == 0, tagged.err
    assert tagged.out.splitlines() == [
        "Tagged staging: canary",
        "Already tagged on staging: eu",
        "Tags of staging: eu, canary",
    ]
    assert cli("stack:tag", "prod-east", "prod", "us").status == 0
    text = cli.fleet.read_text()
    for comment in ("# our fleet, kept by hand", "# the shared one", "# region first",
                    "# production, east coast"):
        assert comment in text
    order = [text.index(f"[stacks.{name}]") for name in ("staging", "prod-east", "prod-west")]
    assert order == sorted(order)
    assert tags_on_disk(cli) == {"staging": ["eu", "canary"], "prod-east": ["prod", "us"], "prod-west": []}


def test_stack_untag_removes_tags_and_drops_an_empty_list(cli: Cli) -> None:
    assert cli("stack:tag", "prod-east", "prod", "us").status == 0
    untagged = cli("stack:untag", "prod-east", "us", "nope")
    assert untagged.status == 0, untagged.err
    assert "Untagged prod-east: us" in untagged.out and "Not tagged on prod-east: nope" in untagged.out
    assert cli("stack:untag", "staging", "eu").status == 0
    assert tags_on_disk(cli) == {"staging": [], "prod-east": ["prod"], "prod-west": []}
    assert "tags" not in cli.fleet.read_text().split("[stacks.prod-east]")[0].split("[stacks.staging]")[1]
    assert "# the shared one" in cli.fleet.read_text()


def test_a_tag_edit_that_changes_nothing_leaves_the_file_byte_identical(cli: Cli) -> None:
    before = cli.fleet.read_bytes()
    assert cli("stack:tag", "staging", "eu").status == 0
    assert cli("stack:untag", "prod-west", "prod").status == 0
    assert cli.fleet.read_bytes() == before


def test_stacks_lists_tags_in_text_and_json(cli: Cli) -> None:
    assert cli("stack:tag", "prod-east", "prod", "us").status == 0
    rows = cli("stacks", "--offline", "--json").json()
    assert [(row["name"], row["tags"]) for row in rows] == [
        ("staging", ["eu"]), ("prod-east", ["prod", "us"]), ("prod-west", []),
    ]
    lines = cli("stacks", "--offline").out.splitlines()
    assert lines[0].split() == ["STACK", "HOST", "PORT", "USER", "TAGS"]
    assert lines[2].split(None, 4)[4] == "prod, us"
    assert lines[3].split()[4] == "-"


def test_tag_commands_answer_in_json(cli: Cli) -> None:
    tagged = cli("stack:tag", "prod-west", "prod", "--json").json()
    assert (tagged["name"], tagged["tags"], tagged["added"]) == ("prod-west", ["prod"], ["prod"])
    untagged = cli("stack:untag", "prod-west", "prod", "--json").json()
    assert (untagged["tags"], untagged["removed"]) == ([], ["prod"])


def test_app_create_takes_a_selector_for_its_targets(cli: Cli, tmp_path: Path) -> None:
    assert cli("stack:tag", "prod-east", "prod").status == 0
    assert cli("stack:tag", "prod-west", "prod").status == 0
    repo = make_git_repo(tmp_path / "shop")
    created = cli("app", "create", "shop", "--repo", str(repo), "--stack", "tag:prod", "--stack", "staging")
    assert created.status == 0, created.err
    assert cli("app", "stacks", "shop", "--json").json()[0]["name"] == "staging"
    assert [row["name"] for row in cli("app", "stacks", "shop", "--json").json()] == [
        "staging", "prod-east", "prod-west",
    ]
