"""How long a job usually takes: an ETA from earlier runs, and when a job counts as slow."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# A job running past this many times its usual duration is marked slow.
SLOW_FACTOR = 2.0


def usual_duration(durations: Iterable[float | None]) -> float | None:
    """The median of earlier runs' durations, or None without any."""
    import statistics  # here: not needed for the first frame

    known = [d for d in durations if d is not None and d >= 0]
    return statistics.median(known) if known else None


@dataclass(frozen=True)
class JobTiming:
    elapsed: float
    usual: float | None = None  # median of earlier successful runs on that stack

    @property
    def remaining(self) -> float | None:
        """Seconds until the usual duration is reached (0 once past it); None without history."""
        if self.usual is None:
            return None
        return max(0.0, self.usual - self.elapsed)

    @property
    def slow(self) -> bool:
        return self.usual is not None and self.usual > 0 and self.elapsed > SLOW_FACTOR * self.usual

    def label(self) -> str:
        """``12s``, ``12s · ETA 20s``, ``40s · slow (usually 15s)``."""
        text = _seconds(self.elapsed)
        if self.usual is None:
            return text
        if self.slow:
            return f"{text} · slow (usually {_seconds(self.usual)})"
        return f"{text} · ETA {_seconds(self.remaining or 0.0)}"


def _seconds(value: float) -> str:
    return f"{value:.1f}s" if value < 10 else f"{value:.0f}s"
