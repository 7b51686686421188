"""A ScrollView that repaints its scrollbars only when something they show changed.

The compositor hands a Line API widget its content region as its "virtual size", never the one
the widget set; ScrollView takes the difference for a change on every layout of the screen and
repaints its scrollbars (issue 14: the sidebar's and the tables' full-height scrollbars were
drawn again on every tab key, ~4 ms each). The widgets here set their own virtual size and call
``_scroll_update`` when it changes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineScrollView(ScrollView):
    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if size == self._size and container_size == self.container_size:
            return False  # the same region and room: the scrollbars show what they showed
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _set_virtual_size(self, size: Size) -> None:
        """Our own virtual size (a layout of the screen no longer refreshes the scrollbars)."""
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)


LooksT = TypeVar("LooksT", bound=Hashable)

# Drawings kept per line: the focused and the blurred looks (a focus move in and out again, as
# the `1` and tab keys do, finds both drawn: at 200 stacks the sidebar's 46 lines were ~17 ms).
DRAWINGS_KEPT = 2
LOOKS_KEPT = 8  # distinct looks remembered (focus, hover, themes); more start afresh


def drawn_line(drawings: dict[tuple[object, ...], Strip], drawn_for: tuple[object, ...],
               draw: Callable[[], Strip]) -> Strip:
    """The line drawn for ``drawn_for``, from ``drawings`` or drawn now (the oldest dropped)."""
    strip = drawings.get(drawn_for)
    if strip is None:
        if len(drawings) >= DRAWINGS_KEPT:
            del drawings[next(iter(drawings))]
        strip = drawings[drawn_for] = draw()
    return strip


class CachedLineView(LineScrollView, Generic[LooksT]):
    """A LineScrollView whose drawn lines are cached against the styles they were drawn with.
    ``current_looks`` reads those styles (CSS, focus, theme) once per paint; ``looks_version``
    names them: the same looks again (focus back) have the same version, other looks a new one,
    so a cache keyed on it draws a line again only for looks it was not drawn in."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._looks: LooksT | None = None
        self.looks_version = 0
        self._looks_versions: dict[LooksT, int] = {}
        self._last_version = 0

    def current_looks(self) -> LooksT:
        raise NotImplementedError

    @property
    def looks(self) -> LooksT:
        return self._looks if self._looks is not None else self.current_looks()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once per paint, not per line.
        looks = self.current_looks()
        if looks != self._looks:
            self._looks = looks
            version = self._looks_versions.get(looks)
            if version is None:
                if len(self._looks_versions) >= LOOKS_KEPT:
                    self._looks_versions.clear()
                self._last_version += 1  # never reused: a forgotten look gets a new one
                version = self._looks_versions[looks] = self._last_version
            self.looks_version = version
        return super().render_lines(crop)
