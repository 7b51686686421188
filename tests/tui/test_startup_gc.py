"""Collection is paused for the console's start-up and comes back frozen, only if we paused it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ownstack_tui.tui import startup_gc


@pytest.fixture
def gc_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_collection_resumes_with_start_up_objects_frozen(gc_restored: None) -> None:
    gc.enable()
    startup_gc.pause_gc_for_startup()
    assert not gc.isenabled()
    startup_gc.resume_gc()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    startup_gc.resume_gc()  # a second call changes nothing
    assert gc.isenabled()


def test_after_start_up_the_young_are_collected_less_often(gc_restored: None) -> None:
    """A frame's short-lived objects die young instead of filling the oldest generation, whose
    full collections stopped the console for 40-110 ms every few seconds while logs streamed."""
    gc.set_threshold(700, 10, 10)
    gc.enable()
    startup_gc.pause_gc_for_startup()
    startup_gc.resume_gc()
    assert gc.get_threshold() == (startup_gc.YOUNG_THRESHOLD, 10, 10)


def test_resuming_leaves_collection_alone_when_start_up_did_not_pause_it(gc_restored: None) -> None:
    gc.disable()  # someone else's choice (say, a test harness)
    startup_gc.pause_gc_for_startup()
    startup_gc.resume_gc()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] != startup_gc.YOUNG_THRESHOLD
