"""Collection is paused for the console's start-up and comes back frozen, only if we paused it."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ownstack_tui.cli import main
from ownstack_tui.tui import startup_gc


@pytest.fixture
def gc_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
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


def test_resuming_leaves_collection_alone_when_start_up_did_not_pause_it(gc_restored: None) -> None:
    gc.disable()  # someone else's choice (say, a test harness)
    startup_gc.pause_gc_for_startup()
    startup_gc.resume_gc()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_start_that_is_not_the_consoles_collects_again_without_freezing(gc_restored: None) -> None:
    gc.enable()
    startup_gc.pause_gc_for_startup()
    startup_gc.unpause()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("argv", [["stacks"], ["--no-such-option"]])
def test_the_command_line_leaves_collection_on_after_a_command_or_an_error(
    gc_restored: None, tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """cli.main pauses collection before its first import (for the console's start-up): a
    plain command, or a command line it refuses, must not run on without it."""
    gc.enable()
    with contextlib.suppress(SystemExit):
        main([*argv, "--fleet", str(tmp_path / "fleet.toml")])
    assert gc.isenabled()
