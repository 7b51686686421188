"""How often the engine re-reads while it waits: the one place for the production intervals.

Front ends take the defaults; tests pass short ones so a wait costs a fraction of a second."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PollIntervals:
    health: float = 1.0  # between health-gate checks of a freshly deployed stack
    lock: float = 2.0  # between reads of a deploy lock someone else holds (--lock-wait)
    slow: float = 1.0  # between checks of whether a running job is past its usual time

    def __post_init__(self) -> None:
        if min(self.health, self.lock, self.slow) <= 0:
            raise ValueError(f"poll intervals must be positive: {self}")


PRODUCTION_POLLS = PollIntervals()
