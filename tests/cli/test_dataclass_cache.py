"""The dataclass methods' compiled code, kept across runs: a second run compiles none of the
methods the first one did, and the classes behave the same either way.

Each run is a fresh interpreter with its own bytecode folder (PYTHONPYCACHEPREFIX)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.fresh_python import run_probe

# A frozen and a plain dataclass, used as callers use them. With COMPILE_REFUSED set, any
# dataclass method compiled from text fails the run: the cache must have had it.
PROBE = """
import builtins, os, sys
from ownstack_tui import dataclass_cache

dataclass_cache.install()
if os.environ.get("COMPILE_REFUSED"):
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


def _run(prefix: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_probe(PROBE, prefix, **env)


def _cache_files(prefix: Path) -> list[Path]:
    return list(prefix.rglob("dataclass_methods.*.marshal"))


def test_a_second_run_compiles_no_method_the_first_compiled(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(_cache_files(tmp_path)) == 1
    second = _run(tmp_path, COMPILE_REFUSED="1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "ok"


def test_without_the_cache_methods_are_compiled(tmp_path: Path) -> None:
    # The probe's refusal works: with no cache, the first run must compile.
    run = _run(tmp_path, COMPILE_REFUSED="1")
    assert run.returncode != 0
    assert "compiled a dataclass method again" in run.stderr


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    assert _run(tmp_path).returncode == 0
    (cache,) = _cache_files(tmp_path)
    cache.write_bytes(b"\x00not marshal")
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert _run(tmp_path, COMPILE_REFUSED="1").returncode == 0


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    run = _run(tmp_path, PYTHONDONTWRITEBYTECODE="1")
    assert run.returncode == 0, run.stderr
    assert _cache_files(tmp_path) == []
