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

import builtins
import dataclasses
from types import CodeType
from typing import Any

from ownstack_tui.kept_file import Kept

FORMAT = 1  # bump when what is stored changes
# Past this many texts (old versions' methods pile up), keep this run's only.
_kept: Kept[str, CodeType] = Kept("dataclass_methods", FORMAT, keep=3000)


def _exec(source: object, globals: dict[str, Any] | None = None,
          locals: dict[str, Any] | None = None, /) -> None:
    """``exec`` for the ``dataclasses`` module: text compiled once, across runs."""
    if type(source) is str:
        text = source
        source = _kept.get(text, lambda: compile(text, "<string>", "exec"))
    builtins.exec(source, globals, locals)  # type: ignore[arg-type]


def install() -> None:
    """Load the cache and route the ``dataclasses`` module's ``exec`` through it (once)."""
    if _kept.loaded:
        return
    _kept.load()
    # A module global named exec shadows the builtin for that module's code only.
    dataclasses.exec = _exec  # type: ignore[attr-defined]
