"""Log lines shaped like dokku's: herokuish build steps (ESC[1G ESC[K prefix, coloured arrows)
and `dokku logs` lines (coloured docker timestamps), about 120 visible characters each."""

from __future__ import annotations

import random
from functools import cache

_COLOURS = (36, 33, 32, 35, 31)
_WORDS = (
    "installing",
    "building",
    "compiling",
    "downloading",
    "caching",
    "resolving",
    "linking",
    "bundling",
    "npm",
    "pip",
    "webpack",
    "assets",
    "dependencies",
    "release",
    "container",
    "layer",
    "digest",
    "sha256",
    "done",
    "ok",
    "cached",
    "warn",
)


def dokku_line(rng: random.Random, index: int, width: int = 120) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < width:
        words.append(rng.choice(_WORDS))
    if index % 2:
        colour = _COLOURS[index % len(_COLOURS)]
        prefix = f"2024-01-01T00:00:{index % 60:02d}.123456789Z app[web.{index % 5 + 1}]:"
        text = " ".join(words)[: width - len(prefix) - 1]
        return f"\x1b[{colour}m{prefix}\x1b[0m {text}"
    prefix = "-----> " if index % 4 == 0 else "       "
    text = " ".join(words)[: width - len(prefix)]
    return f"\x1b[1G\x1b[K\x1b[1;32m{prefix}\x1b[0m{text}"


def line_pool(count: int = 2000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [dokku_line(rng, i) for i in range(count)]


@cache
def long_line(cells: int = 100_000, seed: int = 11) -> str:
    """A minified-bundle-like line with a colour change every ~500 characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < cells:
        chunk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789{}();=,.") for _ in range(500))
        chunk = chunk[: cells - size]
        parts.append(f"\x1b[{rng.choice(_COLOURS)}m{chunk}")
        size += len(chunk)
    return "".join(parts) + "\x1b[0m"
