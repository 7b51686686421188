"""Command palette entries built from the current screen's bindings, so every action that has
a key is also one search away (and stays in sync when keys are remapped)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    def _actions(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        entries = []
        seen = set()
        for _key, binding in screen._bindings:
            if binding.action in seen or not binding.description:
                continue
            seen.add(binding.action)
            keys = self.app.get_key_display(binding)
            entries.append((binding.description, binding.action, keys))
        return entries

    async def discover(self) -> Hits:
        for description, action, keys in self._actions():
            yield DiscoveryHit(description, partial(self._run, action), help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, keys in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(self._run, action),
                          help=f"key: {keys}")

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)
