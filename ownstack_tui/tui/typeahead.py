"""Keys typed while a dialog comes up reach it in the order they were typed.

A terminal delivers a burst (a paste, typing over SSH, `aKEY<Tab>value`) faster than a dialog
opens. Textual routes each key when it arrives, so such a burst splits three ways:
- keys that arrived before the dialog was pushed were queued for the widget behind it; they
  come back to the app unhandled, after a trip up through that widget's parents;
- keys that arrive after the push but before the dialog has focus find nothing to type into;
- keys that arrive once it has focus go straight to the focused field.
Replaying the first two kinds whenever they happen to come back put them after the third:
`GREETING<Tab>hello` became the key `TING` with the value `helloGREE`. So the dialog holds
every key until the keys behind it have all come back and it has focus, then replays them,
oldest first, through the app as if just typed. Keys arriving meanwhile wait their turn.
The keys typed for the screen behind are taken before Textual's binding check sees them: it
checks the current screen's bindings, so they ran the dialog's before it could be read.
A question whose answer must be typed once it can be read (a host key, a confirmation) drops
those keys instead: `a` meant for the Config tab had accepted and remembered a host key.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from enum import Enum

from textual import events

Key = tuple[str, str | None]  # the key's name and the character it types


class Awaited(Enum):
    """What a dialog waits for before the held keys are replayed."""

    BEHIND = "the keys queued for the screen behind have come back"
    FOCUS = "the dialog has focus"


class Typeahead:
    """The keys one dialog holds while it comes up. ``post`` sends a key through the app as
    the terminal would (priority bindings first, then the focused widget)."""

    def __init__(self, post: Callable[[events.Key], object], *, keep: bool = True) -> None:
        """``keep`` False: the keys typed before the dialog was up are dropped, not replayed
        (a security question must be answered by a key typed once it can be read)."""
        self._post = post
        self._keep = keep
        self._awaited = set(Awaited)
        self._behind: list[Key] = []  # typed before the push, come back unhandled
        self._held: list[Key] = []  # arrived at the app after the push
        self._replaying: deque[events.Key] = deque()  # posted, not yet back at the app

    @property
    def holding(self) -> bool:
        return bool(self._awaited or self._replaying)

    @property
    def awaiting_behind(self) -> bool:
        """Whether a key coming back to the app unhandled was typed for the screen behind.
        Once the marker is back, every such key was the dialog's own (a replayed one that
        its focused widget did not take): it is dropped, as it would have been when typed."""
        return Awaited.BEHIND in self._awaited

    def typed_behind(self, key: str, character: str | None) -> None:
        """A key typed for the screen behind came back unhandled."""
        self._behind.append((key, character))

    def ready(self, awaited: Awaited) -> None:
        if awaited not in self._awaited:
            return
        self._awaited.discard(awaited)
        if not self._awaited:
            keys = [*self._behind, *self._held] if self._keep else []
            self._behind.clear()
            self._held.clear()
            self._replay(keys)

    def admit(self, event: events.Key) -> bool:
        """Whether a key arriving at the app goes on now; False: it is held, for later."""
        if self._replaying and event is self._replaying[0]:
            self._replaying.popleft()
            if not self._replaying and not self._awaited:
                keys = list(self._held)  # arrived while the replay was under way
                self._held.clear()
                self._replay(keys)
            return True
        if self.holding:
            self._held.append((event.key, event.character))
            return False
        return True

    def _replay(self, keys: Iterable[Key]) -> None:
        for key, character in keys:
            event = events.Key(key, character)
            self._replaying.append(event)
            self._post(event)
