"""Compiled things kept beside our bytecode across runs (``dataclass_cache``, ``regex_cache``),
in a marshalled file stamped with the format and interpreter that wrote it.

Reading one that is missing, unreadable or stamped otherwise costs only the compiling it would
have saved; writing is atomic (a reader never sees half a file), happens at exit only when
something new was compiled, and never when Python writes no bytecode
(``PYTHONDONTWRITEBYTECODE``), as Python's own caching does."""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import sys
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """What was compiled from each key, this run's and earlier runs'."""

    def __init__(self, name: str, stamp: object, keep: int) -> None:
        self.name = name
        self.stamp = stamp
        self.keep = keep  # past this many (old versions' pile up), keep this run's only
        self._entries: dict[K, V] = {}
        self._used: set[K] = set()
        self._new = False
        self._path: Path | None = None

    @property
    def loaded(self) -> bool:
        return self._path is not None

    def load(self) -> None:
        """Read what earlier runs kept, and write what this one adds at exit."""
        from ownstack_tui.paths import beside_bytecode

        self._path = beside_bytecode(self.name, "marshal")
        with contextlib.suppress(Exception):  # missing, or not ours to read: nothing kept
            stored = marshal.loads(self._path.read_bytes())
            if type(stored) is tuple and len(stored) == 2 and stored[0] == self.stamp:
                self._entries.update(stored[1])  # a dict, as save wrote it (else: nothing kept)
        atexit.register(self.save)

    def get(self, key: K, make: Callable[[], V]) -> V:
        """What ``key`` compiles to: kept, or compiled now and kept."""
        self._used.add(key)
        value = self._entries.get(key)
        if value is None:
            value = self._entries[key] = make()
            self._new = True
        return value

    def save(self) -> None:
        if not self._new or self._path is None or sys.dont_write_bytecode:
            return
        self._new = False
        entries = self._entries if len(self._entries) <= self.keep else {
            key: self._entries[key] for key in self._used}
        with contextlib.suppress(OSError, ValueError):  # ValueError: not marshallable, not kept
            data = marshal.dumps((self.stamp, entries))
            self._path.parent.mkdir(parents=True, exist_ok=True)
            partial = self._path.with_name(f"{self._path.name}.{os.getpid()}")
            partial.write_bytes(data)
            os.replace(partial, self._path)
