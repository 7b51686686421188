"""Fault switches of the control-plane stand-in, changed from any thread while it runs."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiFaults:
    """What is wrong with the control plane right now. All off by default."""

    slow_ms: int = 0  # pause before answering every request
    fail_requests: int = 0  # the next N requests answer 500 (counts down)
    always_fail: bool = False  # every request answers 500
    fail_method: str = ""  # limit the two above to this HTTP method ("POST"); "" = any
    drop_log_after_lines: int = 0  # cut every deployment-log response after N lines (+ half a line)
    stall_log_at_line: int = 0  # no deployment-log response gets past line N: each is cut there


class FaultSwitch:
    """Thread-safe holder: tests flip switches from their thread, the server reads in its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults = ApiFaults()

    @property
    def current(self) -> ApiFaults:
        with self._lock:
            return self._faults

    def set(self, **changes: Any) -> ApiFaults:
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **changes)
            return self._faults

    def clear(self) -> None:
        with self._lock:
            self._faults = ApiFaults()

    def take_failure(self, method: str) -> bool:
        """Whether this request must fail with a 500 (uses up one of ``fail_requests``)."""
        with self._lock:
            if self._faults.fail_method and self._faults.fail_method.upper() != method:
                return False
            if self._faults.always_fail:
                return True
            if self._faults.fail_requests > 0:
                self._faults = dataclasses.replace(
                    self._faults, fail_requests=self._faults.fail_requests - 1
                )
                return True
            return False
