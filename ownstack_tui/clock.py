"""The wall clock, in one place, so snapshot tests can freeze every time shown on screen."""

from __future__ import annotations

import time


def now() -> float:
    return time.time()
