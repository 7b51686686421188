"""Every test runs with its own home: no developer's fleet, known_hosts, history or ~/.ssh leaks in."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.fixtures.home import isolate
from tests.fixtures.sandbox import (  # noqa: F401  (fixtures shared by every suite)
    clean_faults,
    demo_repo,
    sandbox_fleet,
    sandbox_known_hosts,
    sandbox_stack,
    sshd_sandbox,
    sshd_stack,
    trusted_sandbox,
    unique_app,
)

# The test process's own collector (the commands and apps the tests start as processes keep
# CPython's defaults). A worker builds hundreds of consoles, and Textual's class-level caches
# keep dead widgets' render caches (StylesCache.get_inner_outer holds up to 1,024 of them): ~1M
# live objects, which the default thresholds (700, 10, 10) walked in ~25 full collections per
# worker, a fifth of the TUI tests' CPU. Young collections 14 times rarer: 3 full ones instead
# of 20 in three TUI modules, their CPU 24.0 -> 19.8 s (collection's share 5.6 -> 2.1 s).
gc.set_threshold(10_000, 10, 10)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate(tmp_path_factory.mktemp("home"), monkeypatch)


# Test tiers (README, "Development"): `./dev test --fast` runs what needs none of these.
TIER_FOLDERS = {"e2e": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it talks to: sandbox stacks or a real sshd (asked for directly or
    through another fixture) make it ``integration`` / ``sshd``; tests/e2e is ``e2e``."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "sandbox_fleet" in used:
            item.add_marker(pytest.mark.integration)
        if "sshd_sandbox" in used:
            item.add_marker(pytest.mark.sshd)
        folder = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if folder in TIER_FOLDERS:
            item.add_marker(TIER_FOLDERS[folder])
