"""A tab pane whose content is imported, composed and mounted the first time it is shown.

The console's first frame then pays only for the tab on screen: the other tabs' modules,
widgets and styles cost nothing until an operator opens them.
"""

from __future__ import annotations

import asyncio
import importlib

from textual.widget import Widget
from textual.widgets import TabPane


class LazyTabPane(TabPane):
    def __init__(self, title: str, content: str, *, id: str) -> None:
        """``content`` names the widget class as ``"package.module:ClassName"``; it is
        built with no arguments."""
        super().__init__(title, id=id)
        self.content_path = content
        self.content: Widget | None = None
        self._building = asyncio.Lock()  # a key and the tab's activation may both ask

    def content_class(self) -> type[Widget]:
        module, _, name = self.content_path.partition(":")
        # Imported by dotted name on first show, so start-up does not pay for hidden tabs.
        cls: type[Widget] = getattr(importlib.import_module(module), name)
        return cls

    async def build(self) -> Widget:
        """The content widget, mounted (the first call imports and mounts it)."""
        async with self._building:
            if self.content is None:
                widget = self.content_class()()
                await self.mount(widget)
                self.content = widget
        return self.content
