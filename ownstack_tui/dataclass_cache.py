"""The compiled code of the methods ``@dataclass`` writes, kept across runs as Python keeps
a module's bytecode.

Python 3.11 builds each dataclass's ``__init__``, ``__repr__``, ``__eq__`` (and, frozen,
``__hash__``, ``__setattr__``, ``__delattr__``) as source text and compiles each with
``exec``: ~0.5 M instructions a method, ~3.5 M a frozen class. The console creates ~100
dataclasses (ours and Textual's) before its first frame, ~1/4 of its start-up's instructions
beyond a bare Textual app's. The text of a method says everything about its code (names,
defaults and types are passed in separately), so the code compiled from the same text once
is the same code: :func:`install` has the ``dataclasses`` module compile each text once, and
later runs load it from a file beside our bytecode (``__pycache__``, or under
``sys.pycache_prefix``), written at exit when something new was compiled. A missing,
unreadable or stale file costs only the compiling it would have saved. Nothing is written
when bytecode is not (``PYTHONDONTWRITEBYTECODE``).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
from pathlib import Path
from types import CodeType
from typing import Any

from ownstack_tui import kept_file

CACHE_NAME = "dataclass_methods"
FORMAT = 1  # bump when what is stored changes
KEEP = 3000  # past this many texts (old versions' methods pile up), keep this run's only

_code: dict[str, CodeType] = {}
_used: set[str] = set()
_new = False
_path: Path | None = None


def cache_path() -> Path:
    """Where the cache lives: beside this package's bytecode."""
    from ownstack_tui.paths import beside_bytecode

    return beside_bytecode(CACHE_NAME, "marshal")


def _exec(source: object, globals: dict[str, Any] | None = None,
          locals: dict[str, Any] | None = None, /) -> None:
    """``exec`` for the ``dataclasses`` module: text compiled once, across runs."""
    global _new
    if type(source) is str:
        _used.add(source)
        code = _code.get(source)
        if code is None:
            code = _code[source] = compile(source, "<string>", "exec")
            _new = True
        source = code
    builtins.exec(source, globals, locals)  # type: ignore[arg-type]


def install() -> None:
    """Load the cache and route the ``dataclasses`` module's ``exec`` through it (once)."""
    global _path
    if _path is not None:
        return
    _path = cache_path()
    _code.update(kept_file.read(_path, FORMAT))
    # A module global named exec shadows the builtin for that module's code only.
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(save)


def save() -> None:
    """Write the cache when something new was compiled (atomically: readers never see half)."""
    global _new
    if not _new or _path is None:
        return
    _new = False
    kept_file.write(_path, FORMAT, _code if len(_code) <= KEEP else {text: _code[text] for text in _used})
