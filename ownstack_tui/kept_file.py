"""A file of compiled things kept beside our bytecode across runs (``dataclass_cache``,
``regex_cache``): marshalled with a stamp that says which format and interpreter wrote it.

Reading one that is missing, unreadable or stamped otherwise costs only the compiling it would
have saved; writing is atomic (a reader never sees half a file) and never happens when Python
writes no bytecode (``PYTHONDONTWRITEBYTECODE``), as Python's own caching does."""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any


def read(path: Path, stamp: object) -> dict[Any, Any]:
    """What ``path`` keeps, if it was written with ``stamp``; empty otherwise."""
    with contextlib.suppress(Exception):  # missing, or not ours to read: nothing kept
        stored = marshal.loads(path.read_bytes())
        if type(stored) is tuple and len(stored) == 2 and stored[0] == stamp and type(stored[1]) is dict:
            return stored[1]
    return {}


def write(path: Path, stamp: object, entries: dict[Any, Any]) -> None:
    """Keep ``entries`` in ``path`` under ``stamp``; a failure only loses the cache."""
    if sys.dont_write_bytecode:
        return
    with contextlib.suppress(OSError, ValueError):  # ValueError: not marshallable, not kept
        data = marshal.dumps((stamp, entries))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, path)
