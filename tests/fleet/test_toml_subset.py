"""The plain-TOML reader means what tomllib means: the same dict for a file in its subset,
None (tomllib decides) for anything else, valid or not."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.toml_subset import loads_plain

PLAIN = """\
# a comment
via = "ssh"   # after a value
group_by = ["region", "tier"]

[control_plane]
url = "https://api.example.org/#not-a-comment"

[ stacks . prod-east ]
host = "203.0.113.10"
port = 22
user = "dokku"
tags = [ "prod" , "us", ]
verify = true
empty = []
blank = ""
unicode = "héllo ✓"
tab = "a\tb"

[stacks.staging]
port = -0
other = +7

[apps.shop]
stacks = ["prod-east","staging"]

[apps.shop.config]
KEY = "value with 'quotes' and # and ="

[apps]
x = false
"""

OUTSIDE = [  # valid TOML, outside the subset: tomllib reads it
    'a = "esc\\"aped"',
    "a = 'literal'",
    'a = """multi"""',
    "a = 1.5",
    "a = 1_000",
    "a = 0x1f",
    "a = 1979-05-27",
    "a = inf",
    "a.b = 1",
    '"quoted" = 1',
    "a = {b = 1}",
    "a = [1, 2]",
    'a = [["x"], ["y"]]',
    'a = [\n "x",\n]',
    "[[t]]\nb = 1",
    '["q"]\nb = 1',
    "[a.b]\nc = 1\n[a]\nd = 2",  # a super-table defined after its sub-table: read here too
    'a = "x"\r\nb = 1\r\n',
]

INVALID = [  # not TOML at all: never read as something
    "a = 1\na = 2",
    "[a]\n[a]",
    "a = 1\n[a]",
    "[a]\nb = 1\n[a.b]",
    "a = ",
    "= 1",
    "a = 01",
    "a = tru",
    'a = "x" "y"',
    'a = "x',
    "[a",
    "[]",
    "[a.]",
    "a = [,]",
    'a = ["x" "y"]',
    "a = \"ctrl\x01\"",
    "# comment \x7f",
    "a = 1 b = 2",
    "a = \"x\"\rb = 1",
]


def test_a_plain_file_reads_as_tomllib_reads_it() -> None:
    assert loads_plain(PLAIN) == tomllib.loads(PLAIN)
    assert list(loads_plain(PLAIN)["stacks"]) == ["prod-east", "staging"]  # the file's order


@pytest.mark.parametrize("text", OUTSIDE)
def test_valid_toml_outside_the_subset_is_left_to_tomllib(text: str) -> None:
    expected = tomllib.loads(text)
    assert loads_plain(text) in (None, expected)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_toml_is_never_read(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    assert loads_plain(text) is None


PIECES = [
    "[a]", "[a.b]", "[b]", "[ a . c ]", "[[a]]", "[a", "[\"a\"]",
    'x = "v"', 'y = "w # z"', "x = 1", "y = -3", "z = 007", "x = true", "y = false",
    'x = ["p", "q"]', "y = []", 'z = ["p",]', 'x = ["p" "q"]', "y = [1]", "z = 1.0",
    "x = 'lit'", 'y = "a\\tb"', "# c", "", "   ", "x = ", "x.y = 1", '"k" = 2',
    "x = 1 # c", 'x = "é"', "z = {a = 1}", 'y = """', "a = 1", "b = \"\"",
]


def test_random_documents_agree_with_tomllib() -> None:
    rng = random.Random(14)
    read = 0
    for _ in range(3000):
        text = "\n".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        try:
            expected = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            assert loads_plain(text) is None, text
            continue
        got = loads_plain(text)
        assert got in (None, expected), text
        read += got is not None
    assert read > 300  # the subset is really exercised, not all left to tomllib


def test_the_console_reads_a_written_fleet_file_without_tomllib(tmp_path: Path) -> None:
    """What ownstack-tui writes is in the subset: reading it never imports tomllib (~9 M
    instructions before the console's first frame, and its parse ~4x this reader's)."""
    fleet_file = FleetFile.load_or_new(tmp_path / "fleet.toml")
    fleet_file.add_stacks([{"name": f"s{n}", "host": "127.0.0.1", "port": 22 + n,
                            "tags": ["prod", f"t{n}"]} for n in range(5)])
    fleet_file.add_app("shop", str(tmp_path), stacks=["s0", "s3"])
    fleet_file.save()
    probe = (
        "import sys; from pathlib import Path; from ownstack_tui.fleet_file import FleetFile\n"
        "fleet = FleetFile.load(Path(sys.argv[1])).fleet\n"
        "assert 'tomllib' not in sys.modules, 'tomllib imported'\n"
        "print(sorted(fleet.stacks), fleet.app('shop').stacks)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "fleet.toml")],
                            capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("]", 1)[0] == "['s0', 's1', 's2', 's3', 's4'"
