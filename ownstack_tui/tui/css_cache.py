"""Textual's parse of each CSS source, kept across runs beside our bytecode.

Textual parses every CSS source the first screen uses (the app's stylesheet and the
``DEFAULT_CSS`` of each widget class mounted) at each start: ~15,000 characters before the
console's first frame, ~1/5 of the CPU from ``App.run`` to it. Textual already keeps each
parse in memory, keyed by the source's text, location, scope and precedence, and valid
for one set of CSS variables (the theme). :func:`install` keeps those parses in a file
(pickled, as trusted as the bytecode beside it) and hands them back to the stylesheet on
the next start when the variables and the Textual installation are the same. A source whose
text changed has another key and is parsed; a missing or unreadable file costs only the
parsing it would have saved. Written at exit when something new was parsed, never when
bytecode is not (``PYTHONDONTWRITEBYTECODE``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.css.stylesheet import Stylesheet

FORMAT = 1
KEEP = 400  # sources kept at most (old versions' texts pile up): past that, this run's only

Key = tuple[Any, ...]


def cache_path() -> Path:
    from ownstack_tui.paths import beside_bytecode

    return beside_bytecode("textual_css", "pickle")


def _textual_stamp() -> tuple[str, int]:
    """Which Textual parsed: its parser's file and when it was installed."""
    import textual.css.parse as parser

    return parser.__file__ or "", os.stat(parser.__file__ or "").st_mtime_ns


class _Kept:
    """The parses kept for one stylesheet: read from the file on its first parse, for the
    CSS variables it has then; added to as it parses more."""

    def __init__(self, stylesheet: Stylesheet, path: Path) -> None:
        self.stylesheet = stylesheet
        self.path = path
        self.variables: dict[str, str] | None = None  # a copy: what the parses were made with
        self.seen: object = None  # the stylesheet's variables at the last call
        self.rules: dict[Key, Any] = {}
        self.used: set[Key] = set()
        self.new = False

    def _load(self, variables: dict[str, str]) -> None:
        self.variables, self.rules, self.used, self.new = dict(variables), {}, set(), False
        # None kept, or not readable: parse as usual.
        with contextlib.suppress(Exception), self.path.open("rb") as handle:
            # What they were made with first: the parses are read only if that matches.
            if pickle.load(handle) == (FORMAT, _textual_stamp(), self.variables):
                rules = pickle.load(handle)
                if type(rules) is dict:
                    self.rules = rules

    def parse_rules(self, parse: Callable[..., Any]) -> Callable[..., Any]:
        def parse_rules(css: str, read_from: Any, is_default_rules: bool = False,
                        tie_breaker: int = 0, scope: str = "") -> Any:
            variables = self.stylesheet._variables
            # Textual asks for every source at each parse (~200 calls to the first frame):
            # the same dict as last time needs no comparing.
            if variables is not self.seen and variables != self.variables:
                self._load(variables)  # parses are only good for the variables they had
            self.seen = variables
            key = (css, read_from, is_default_rules, tie_breaker, scope)
            self.used.add(key)
            rules = self.rules.get(key)
            if rules is None:
                rules = parse(css, read_from, is_default_rules, tie_breaker, scope)
                if not any(rule.errors for rule in rules):
                    self.rules[key] = rules
                    self.new = True
            return rules

        return parse_rules

    def save(self) -> None:
        if not self.new or sys.dont_write_bytecode:
            return
        self.new = False
        rules = self.rules if len(self.rules) <= KEEP else {key: self.rules[key] for key in self.used}
        with contextlib.suppress(Exception):  # not writable, or a rule that cannot be pickled
            header = (FORMAT, _textual_stamp(), self.variables)
            blob = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(
                rules, protocol=pickle.HIGHEST_PROTOCOL)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
            partial.write_bytes(blob)
            os.replace(partial, self.path)


def install(stylesheet: Stylesheet) -> Callable[[], None]:
    """Serve ``stylesheet``'s parses from the kept ones (call before the app runs); what it
    parses is written at exit, or by the function returned."""
    kept = _Kept(stylesheet, cache_path())
    # An instance attribute over Textual's method: this stylesheet only (a theme change
    # builds a new one, which parses as usual).
    stylesheet._parse_rules = kept.parse_rules(stylesheet._parse_rules)  # type: ignore[method-assign]
    atexit.register(kept.save)
    return kept.save
