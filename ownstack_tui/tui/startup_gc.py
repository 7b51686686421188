"""Garbage collection around the console's start-up.

Full collections over the tens of thousands of objects Textual builds while importing and
composing cost tens of ms each, several times before the first frame. The launcher pauses
collection before its imports; the main screen resumes it a moment after its first frame
(``RESUME_AFTER`` seconds after it is mounted): one full collection then frees start-up's
garbage, and what is left is frozen. It lives as long as the console, so no later
collection walks it again: fewer and shorter pauses while logs stream.

From then on the youngest generation is collected every ``YOUNG_THRESHOLD`` allocations, not
Python's 700. A frame allocates thousands of objects (Strips, segments) that die within it;
collected every 700 they survived into the oldest generation, which then grew by ~2,500
objects a second with 200 stacks streaming, and a full collection (40-110 ms, the main
thread stopped) came every ~3 s: one key in ~25 waited for one (issue 14). Collected every
10,000 they die young: no full collection in 20 s, the young collections ~1 ms each.
"""

from __future__ import annotations

import gc

RESUME_AFTER = 1.0
YOUNG_THRESHOLD = 10_000

_paused = False


def pause_gc_for_startup() -> None:
    """No cyclic collection until :func:`resume_gc` (reference counting still frees most)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Collect once (~35 ms), freeze the survivors, collect as usual from then on; a no-op
    unless collection was paused by this module."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()
