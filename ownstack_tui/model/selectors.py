"""Selectors: how a command (or the console's filter) names stacks.

A selector is a comma-separated list of terms:

- ``prod-east``: the stack of that name;
- ``tag:prod``: every stack tagged ``prod`` (the tag is exact, never a pattern);
- ``prod-*``: every stack whose *name* matches the glob (``*`` any run of characters, ``?``
  one character). Globs look at names only, never at tags: ``tag:`` says when a tag is meant,
  so ``prod-*`` cannot pick a stack up through a tag that happens to match;
- ``!TERM``: takes out what TERM matches.

It selects the union of its positive terms minus every exclusion; a selector of exclusions
only starts from every stack in scope ("all but"). Several values of one option
(``--stack a --stack '!b'``) are one selector. The scope is the app's target stacks for an
app's command, else the fleet's stacks; the result keeps the scope's order (the order the
fleet file lists them in), whatever order the terms came in.

:func:`parse_selector` checks the syntax alone (the fleet file's waves are checked when it is
read, before the stacks they name may exist). :meth:`Selector.resolve` checks each term against
the fleet and raises :class:`SelectorError` (bad input, exit 2) naming what was wrong: a term
that refers to nothing in the fleet (unknown name, unused tag, a glob matching no stack), a
positive term matching none of the scope's stacks, or exclusions that leave nothing. Every term
must match: a typo in one part of a union is an error, never silently dropped.
:meth:`Selector.matches` answers for one stack and never raises (the console's live filter).
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation

TAG_PREFIX = "tag:"
EXCLUDE = "!"
GLOB_CHARACTERS = ("*", "?")
LISTED_AT_MOST = 12  # names in an error message; a 200-stack fleet is not printed whole


class SelectorError(InvalidInput):
    """A selector that cannot be read, or that selects nothing."""


class Tagged(Protocol):
    """What a selector looks at: a stack's name and tags (model.fleet.Stack has both)."""

    @property
    def name(self) -> str: ...

    @property
    def tags(self) -> tuple[str, ...]: ...


T = TypeVar("T", bound=Tagged)


class TermKind(Enum):
    NAME = "name"
    TAG = "tag"
    GLOB = "glob"


@dataclass(frozen=True)
class Term:
    kind: TermKind
    value: str  # the name, the tag (without "tag:"), or the glob
    exclude: bool = False

    @property
    def text(self) -> str:
        """The term as written."""
        prefix = TAG_PREFIX if self.kind is TermKind.TAG else ""
        return (EXCLUDE if self.exclude else "") + prefix + self.value

    def matches(self, stack: Tagged) -> bool:
        """Whether the term (ignoring its ``!``) picks this stack."""
        if self.kind is TermKind.NAME:
            return stack.name == self.value
        if self.kind is TermKind.TAG:
            return self.value in stack.tags
        return fnmatchcase(stack.name, self.value)


@dataclass(frozen=True)
class Selector:
    terms: tuple[Term, ...]
    label: str  # as the user gave it, for errors: "--stack 'prod-*'"

    @property
    def text(self) -> str:
        return ",".join(term.text for term in self.terms)

    @property
    def includes(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.exclude)

    @property
    def excludes(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.exclude)

    def matches(self, stack: Tagged) -> bool:
        """Whether this stack is selected: some positive term (or none given) picks it, and no
        exclusion does."""
        includes = self.includes
        if includes and not any(term.matches(stack) for term in includes):
            return False
        return not any(term.matches(stack) for term in self.excludes)

    def resolve(self, scope: Sequence[T], fleet: Sequence[Tagged], app: str | None = None) -> list[T]:
        """The selected stacks of ``scope`` (the app's targets, or the fleet itself when
        ``app`` is None), in the scope's order. ``fleet`` is every stack, for unknown names and
        tags. Raises SelectorError naming the term at fault."""
        where = f"app {app}" if app else "the fleet"
        for term in self.terms:
            if not any(term.matches(stack) for stack in fleet):
                raise self._error(term, _refers_to_nothing(term, fleet))
            if term.exclude or any(term.matches(stack) for stack in scope):
                continue
            if term.kind is TermKind.NAME:
                problem = (
                    f"stack {term.value!r} is not a target of {where}; "
                    f"its stacks: {_listing(stack.name for stack in scope)}"
                )
            else:
                problem = f"matches no stack of {where}; tags in use there: {_tags_of(scope)}"
            raise self._error(term, problem)
        chosen = [stack for stack in scope if self.matches(stack)]
        if not chosen:
            excluded = ",".join(term.text for term in self.excludes)
            raise SelectorError(f"{self.label}: leaves no stack of {where} once {excluded} is taken out")
        return chosen

    def _error(self, term: Term, problem: str) -> SelectorError:
        # One term: the label says it already. Several: say which one is at fault.
        at = f"{term.text}: " if len(self.terms) > 1 else ""
        return SelectorError(f"{self.label}: {at}{problem}")


def parse_selector(values: str | Sequence[str], label: str | None = None) -> Selector:
    """One selector from one text or several option values (their union). ``label`` names it
    in errors (default: the text, shell-quoted). Checks the syntax only."""
    texts = [values] if isinstance(values, str) else list(values)
    label = label or shlex.quote(",".join(texts))
    terms: list[Term] = []
    for text in texts:
        parts = [part.strip() for part in text.split(",")]
        if parts == [""]:
            raise SelectorError(f"{label}: is empty; give a stack name, tag:TAG or a pattern such as prod-*")
        for number, part in enumerate(parts, start=1):
            if not part:
                raise SelectorError(
                    f"{label}: part {number} of {shlex.quote(text)} is empty; "
                    "separate the terms with single commas"
                )
            try:
                terms.append(_term(part))
            except InvalidInput as error:
                at = f"{part}: " if len(parts) > 1 or len(texts) > 1 else ""  # which one, of several
                raise SelectorError(f"{label}: {at}{error}") from None
    return Selector(tuple(terms), label)


def option_label(option: str, values: Iterable[str]) -> str:
    """How the user gave an option's values, for an error: ``--stack 'prod-*' --stack a``."""
    return " ".join(f"{option} {shlex.quote(value)}" for value in values)


def select(
    values: str | Sequence[str],
    scope: Sequence[T],
    fleet: Sequence[Tagged],
    app: str | None = None,
    label: str | None = None,
) -> list[T]:
    """Parse and resolve in one call."""
    return parse_selector(values, label).resolve(scope, fleet, app)


def _term(part: str) -> Term:
    exclude = part.startswith(EXCLUDE)
    body = part[len(EXCLUDE):] if exclude else part
    if not body:
        raise InvalidInput("'!' must be followed by a stack name, tag:TAG or a pattern")
    if body.startswith(EXCLUDE):
        raise InvalidInput("write a single '!' before the term it takes out")
    if ":" in body:
        kind, _, value = body.partition(":")
        if kind + ":" != TAG_PREFIX:
            raise InvalidInput(f"unknown kind {kind + ':'!r}; use tag:TAG, a stack name or a pattern")
        if not value:
            raise InvalidInput("give the tag after tag:, e.g. tag:prod")
        if any(char in value for char in GLOB_CHARACTERS):
            raise InvalidInput("patterns match stack names only; name the tag exactly, e.g. tag:prod")
        return Term(TermKind.TAG, validation.tag(value), exclude)
    if any(char in body for char in GLOB_CHARACTERS):
        return Term(TermKind.GLOB, validation.stack_glob(body), exclude)
    return Term(TermKind.NAME, validation.stack_name(body), exclude)


def _refers_to_nothing(term: Term, fleet: Sequence[Tagged]) -> str:
    names = [stack.name for stack in fleet]
    if term.kind is TermKind.TAG:
        return f"no stack has tag {term.value!r}; tags in use: {_tags_of(fleet)}"
    if term.kind is TermKind.GLOB:
        return f"matches no stack of the fleet; its stacks: {_listing(names)}"
    close = difflib.get_close_matches(term.value, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown stack {term.value!r}; {hint}known stacks: {_listing(names)}"


def _tags_of(stacks: Iterable[Tagged]) -> str:
    tags = {tag for stack in stacks for tag in stack.tags}
    return _listing(tags) if tags else "none (add one with: ownstack-tui stack:tag NAME TAG)"


def _listing(names: Iterable[str]) -> str:
    ordered = sorted(set(names))
    if not ordered:
        return "(none)"
    shown = ", ".join(ordered[:LISTED_AT_MOST])
    more = len(ordered) - LISTED_AT_MOST
    return f"{shown} and {more} more" if more > 0 else shown
