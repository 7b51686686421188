"""A ScrollView that repaints its scrollbars only when something they show changed.

The compositor hands a Line API widget its content region as its "virtual size", never the one
the widget set; ScrollView takes the difference for a change on every layout of the screen and
repaints its scrollbars (issue 14: the sidebar's and the tables' full-height scrollbars were
drawn again on every tab key, ~4 ms each). The widgets here set their own virtual size and call
``_scroll_update`` when it changes."""

from __future__ import annotations

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


LooksT = TypeVar("LooksT")


class CachedLineView(LineScrollView, Generic[LooksT]):
    """A LineScrollView whose drawn lines are cached against the styles they were drawn with.
    ``current_looks`` reads those styles (CSS, focus, theme) once per paint; ``looks_version``
    moves on whenever they change, so a cache keyed on it draws every line again then."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._looks: LooksT | None = None
        self.looks_version = 0

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
            self.looks_version += 1
        return super().render_lines(crop)
