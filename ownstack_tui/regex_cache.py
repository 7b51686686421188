"""The compiled form of the regular expressions modules compile as they are imported, kept
across runs as Python keeps a module's bytecode.

``re`` compiles a pattern in pure Python (parse, then the matcher's code): ~1 M instructions a
pattern. Before the console's first frame ~110 patterns are compiled (Textual's, the standard
library's, ours), ~110 M instructions, a tenth of the start-up (issue 14, #1). What ``re``
hands ``_sre.compile`` is fixed by the pattern's text and flags, so :func:`install` keeps it
for the patterns compiled as a module is imported (at its top level, or by a helper it calls
there), whose text is the source's: a pattern built from data at run time (a stack filter, a
fleet file's glob) is compiled as always and never stored. The file lives beside our bytecode
(``paths.beside_bytecode``), written at exit when something new was compiled; a missing,
unreadable or other-interpreter file costs only the compiling it would have saved. Nothing is
written when bytecode is not (``PYTHONDONTWRITEBYTECODE``).
"""

from __future__ import annotations

import _sre
import re._compiler as _compiler
import sys
from types import FrameType
from typing import Any

from ownstack_tui.kept_file import Kept

FORMAT = 1  # bump when what is stored changes
# The interpreters whose ``re._compiler.compile`` _cached_compile reproduces step by step (the
# one tested here): on another one ``re`` compiles as it always does, never through a copy of
# internals that may have changed.
REPRODUCED = frozenset({(3, 11)})
_CO_OPTIMIZED = 0x1  # a function's code; a module's or class body's has not this flag

Key = tuple[str | bytes, int]
Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]

# Stamped with the matcher code's format; past 2,000 patterns (old versions' pile up), this
# run's only are kept.
_kept: Kept[Key, Compiled] = Kept("regex_code", (FORMAT, sys.version, _sre.MAGIC, _sre.CODESIZE),
                                  keep=2000)
_compile = _compiler.compile


def _at_import(depth: int) -> bool:
    """The code ``depth`` frames up from here, or one of the two functions under it, is an
    imported module's top level (or a class body in one): the pattern is the source's text,
    or built from it by a helper (Textual's CSS tokenizer compiles its token patterns so)."""
    try:
        frame: FrameType | None = sys._getframe(depth)
    except ValueError:
        return False
    for _ in range(3):
        if frame is None:
            return False
        if not frame.f_code.co_flags & _CO_OPTIMIZED:
            # A script's top level runs everything after it: not an import.
            return frame.f_globals.get("__name__") != "__main__"
        frame = frame.f_back
    return False


def _cached_compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile`` (called by ``re`` on a miss of its own in-process cache)."""
    # Frames up from _top_level: this, re._compile, re.compile (or re.match, ...), the caller.
    if type(p) not in (str, bytes) or flags & _compiler.SRE_FLAG_DEBUG or not _at_import(4):
        return _compile(p, flags)
    stored = _kept.get((p, flags), lambda: _compiled(p, flags))
    final_flags, code, groups, groupindex, indexgroup = stored
    return _sre.compile(p, final_flags, code, groups, groupindex, indexgroup)


def _compiled(p: str | bytes, flags: int) -> Compiled:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for the pattern ``p``."""
    parsed = _compiler._parser.parse(p, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def install() -> None:
    """Load the cache and route ``re``'s compiling through it (once)."""
    if _kept.loaded or sys.version_info[:2] not in REPRODUCED:
        return
    _kept.load()
    _compiler.compile = _cached_compile
