"""Garbage collection around the console's start-up.

Full collections over the tens of thousands of objects Textual builds while importing and
composing cost tens of ms each, several times before the first frame. The launcher pauses
collection before its imports; the main screen resumes it a moment after its first frame
(``RESUME_AFTER`` seconds after it is mounted): one full collection then frees start-up's
garbage, and what is left is frozen. It lives as long as the console, so no later
collection walks it again: fewer and shorter pauses while logs stream.
"""

from __future__ import annotations

import gc

RESUME_AFTER = 1.0

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
        gc.enable()
