"""Fixtures for the sandbox's own tests (their helpers are in helpers.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def remote_lines() -> Callable[[str], list[str]]:
    """git's ``remote:`` lines with the prefix and git's padding removed."""

    def strip(stderr: str) -> list[str]:
        lines = []
        for line in stderr.replace("\r", "\n").splitlines():
            if line.startswith("remote:"):
                text = line[len("remote:") :]
                lines.append((text[1:] if text.startswith(" ") else text).rstrip())
        return lines

    return strip
