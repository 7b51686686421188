"""What the kept caches keep across runs (dataclass_cache: the methods ``@dataclass`` compiles;
regex_cache: the patterns modules compile as they are imported): a second run compiles none of
what the first one did, what it makes behaves the same either way, a damaged file is ignored
and replaced, nothing is written when bytecode is not, and a pattern built at run time from
data is never stored.

Each run is a fresh interpreter with its own bytecode folder (PYTHONPYCACHEPREFIX); the regex
probe's patterns live in a module it writes (a script's own top level is not an import)."""

from __future__ import annotations

import marshal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.fresh_python import run_probe

# A frozen and a plain dataclass, used as callers use them. With REFUSED set, any dataclass
# method compiled from text fails the run: the cache must have had it.
DATACLASS_PROBE = """
import builtins, os, sys
from ownstack_tui import dataclass_cache

dataclass_cache.install()
if os.environ.get("REFUSED"):
    real = builtins.compile
    def compile(source, *args, **kwargs):
        if isinstance(source, str) and "__create_fn__" in source:
            raise AssertionError("compiled a dataclass method again: " + source.splitlines()[1])
        return real(source, *args, **kwargs)
    builtins.compile = compile

import dataclasses
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())

@dataclass
class Counter:
    name: str
    seen: list[int] = field(default_factory=list)

p = Point(1, tags=("a",))
assert p == Point(1, 0, ("a",)) and p != Point(2) and hash(p) == hash(Point(1, 0, ("a",)))
assert repr(p) == "Point(x=1, y=0, tags=('a',))", repr(p)
try:
    p.x = 3
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("a frozen dataclass took an assignment")
c = Counter("c")
c.seen.append(1)
assert c == Counter("c", [1]) and Counter("d").seen == []
assert dataclasses.replace(p, y=5) == Point(1, 5, ("a",))
print("ok")
"""

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

# With REFUSED set, parsing a pattern fails the run, but for one built at run time.
REGEX_PROBE = """
import os, re, sys
from ownstack_tui import regex_cache

regex_cache.install()
if os.environ.get("REFUSED"):
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


@dataclass(frozen=True)
class Cache:
    probe: str
    files: str  # the cache file's name, as a glob
    refusal: str  # what the probe says when REFUSED and it had to compile
    module: str | None = None  # a module the probe imports, written beside it

    def run(self, prefix: Path, **env: str) -> subprocess.CompletedProcess[str]:
        folder = None
        if self.module is not None:
            folder = prefix / "probe"
            folder.mkdir(exist_ok=True)
            (folder / "probe_patterns.py").write_text(self.module)
        return run_probe(self.probe, prefix / "pyc", path=folder, **env)

    def cache_files(self, prefix: Path) -> list[Path]:
        return list(prefix.rglob(self.files))


DATACLASSES = Cache(DATACLASS_PROBE, "dataclass_methods.*.marshal", "compiled a dataclass method again")
REGEXES = Cache(REGEX_PROBE, "regex_code.*.marshal", "parsed again", MODULE)
CACHES = pytest.mark.parametrize("cache", [DATACLASSES, REGEXES], ids=["dataclasses", "regexes"])


@CACHES
def test_a_second_run_compiles_nothing_the_first_compiled(tmp_path: Path, cache: Cache) -> None:
    first = cache.run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(cache.cache_files(tmp_path)) == 1
    second = cache.run(tmp_path, REFUSED="1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "ok"


@CACHES
def test_without_the_cache_everything_is_compiled(tmp_path: Path, cache: Cache) -> None:
    # The probe's refusal works: with no cache, the first run must compile.
    run = cache.run(tmp_path, REFUSED="1")
    assert run.returncode != 0
    assert cache.refusal in run.stderr


@CACHES
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path, cache: Cache) -> None:
    assert cache.run(tmp_path).returncode == 0
    (file,) = cache.cache_files(tmp_path)
    file.write_bytes(b"\x00not marshal")
    again = cache.run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert cache.run(tmp_path, REFUSED="1").returncode == 0


@CACHES
def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path, cache: Cache) -> None:
    run = cache.run(tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert run.returncode == 0, run.stderr
    assert cache.cache_files(tmp_path) == []


def test_a_pattern_built_at_run_time_is_not_stored(tmp_path: Path) -> None:
    assert REGEXES.run(tmp_path).returncode == 0
    (file,) = REGEXES.cache_files(tmp_path)
    _stamp, stored = marshal.loads(file.read_bytes())
    patterns = {str(pattern) for pattern, _flags in stored}
    assert r"(?P<word>[a-z]+)-(\d+)" in patterns and "built!" in patterns
    assert not [pattern for pattern in patterns if "secret" in pattern]
