"""Regular expressions compiled at import, kept across runs: a second run parses none of the
patterns the first one compiled as it imported, the patterns match the same, and a pattern
built at run time from data (a filter, a glob) is never stored.

Each run is a fresh interpreter with its own bytecode folder (PYTHONPYCACHEPREFIX); the
probe's patterns live in a module it writes (a script's own top level is not an import)."""

from __future__ import annotations

import marshal
import subprocess
from pathlib import Path

from tests.cli.fresh_python import run_probe

MODULE = '''
import re

WORD = re.compile(r"(?P<word>[a-z]+)-(\\d+)", re.IGNORECASE)
BYTES = re.compile(rb"ab+c")


class Holder:
    SPACE = re.compile(r"\\s+")


def helper(text):
    return re.compile(text + "!")


BUILT = helper("built")
'''

# With PARSE_REFUSED set, parsing a pattern fails the run, but for one built at run time.
PROBE = """
import os, re, sys
from ownstack_tui import regex_cache

regex_cache.install()
if os.environ.get("PARSE_REFUSED"):
    import re._parser
    real = re._parser.parse
    def parse(pattern, *args, **kwargs):
        if "secret" not in str(pattern):
            raise AssertionError("parsed again: " + str(pattern))
        return real(pattern, *args, **kwargs)
    re._parser.parse = parse

import probe_patterns as p

m = p.WORD.match("Prod-42")
assert m is not None and m.group("word") == "Prod" and m.group(2) == "42", m
assert p.WORD.groupindex == {"word": 1} and p.WORD.groups == 2
assert p.BYTES.fullmatch(b"abbbc") and not p.BYTES.fullmatch(b"ac")
assert p.Holder.SPACE.split("a  b") == ["a", "b"]
assert p.BUILT.fullmatch("built!")


def at_run_time(data):
    return re.compile(re.escape(data) + "[0-9]*")


assert at_run_time("secret-name").fullmatch("secret-name12")
print("ok")
"""


def _run(prefix: Path, **env: str) -> subprocess.CompletedProcess[str]:
    folder = prefix / "probe"
    folder.mkdir(exist_ok=True)
    (folder / "probe_patterns.py").write_text(MODULE)
    return run_probe(PROBE, prefix / "pyc", path=folder, **env)


def _cache_files(prefix: Path) -> list[Path]:
    return list(prefix.rglob("regex_code.*.marshal"))


def test_a_second_run_parses_no_pattern_the_first_compiled_at_import(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(_cache_files(tmp_path)) == 1
    second = _run(tmp_path, PARSE_REFUSED="1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "ok"


def test_without_the_cache_patterns_are_parsed(tmp_path: Path) -> None:
    # The probe's refusal works: with no cache, the first run must parse.
    run = _run(tmp_path, PARSE_REFUSED="1")
    assert run.returncode != 0
    assert "parsed again" in run.stderr


def test_a_pattern_built_at_run_time_is_not_stored(tmp_path: Path) -> None:
    assert _run(tmp_path).returncode == 0
    (cache,) = _cache_files(tmp_path)
    _stamp, stored = marshal.loads(cache.read_bytes())
    patterns = {str(pattern) for pattern, _flags in stored}
    assert r"(?P<word>[a-z]+)-(\d+)" in patterns and "built!" in patterns
    assert not [pattern for pattern in patterns if "secret" in pattern]


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    assert _run(tmp_path).returncode == 0
    (cache,) = _cache_files(tmp_path)
    cache.write_bytes(b"\x00not marshal")
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert _run(tmp_path, PARSE_REFUSED="1").returncode == 0


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    run = _run(tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert run.returncode == 0, run.stderr
    assert _cache_files(tmp_path) == []
