"""Per-stack fault switches, kept in ``<state>/faults.json`` so every process sees them."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAULTS_FILE = "faults.json"


@dataclass(frozen=True)
class Faults:
    """What is wrong with a stack right now. All off by default."""

    rtt_ms: int = 0  # round-trip delay added to every packet exchange (both directions)
    build_line_delay_ms: int = 0  # pause before each build/deploy output line
    # After a deploy is recorded (the new release is live), the push waits this long before it
    # returns, like a slow post-deploy hook: a cancel then comes after the deploy went through.
    post_deploy_delay_ms: int = 0
    build_fail: bool = False  # the app build fails (push rejected)
    release_fail: bool = False  # the release task fails (push rejected)
    drop_after_lines: int = 0  # abort the connection after this many output lines (0 = off)
    auth_refused: bool = False  # public key authentication fails
    # Login succeeds, then the host reads nothing more: the connection stays open and silent
    # (a frozen host). The asyncssh form only.
    freeze_after_auth: bool = False
    host_key_changed: bool = False  # the server presents another host key
    port_closed: bool = False  # nothing listens on the stack's port
    deploy_locked: bool = False  # a stuck deploy holds every app's deploy lock
    formation_lock: bool = False  # every app has app.json formations (ps:scale refused)
    unhealthy: bool = False  # processes exit after deploy; the app's health path answers 503
    slow_health: int = 0  # seconds after a deploy before processes run and the app answers 200
    cert_expiring: bool = False  # every app's TLS certificate expires in 6 days
    cert_expired: bool = False  # every app's TLS certificate expired 2 days ago
    crashed: str = ""  # this process type's containers have exited ("" = off), e.g. "worker"

    def changed(self, **changes: Any) -> Faults:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def load_faults(state_dir: Path) -> Faults:
    try:
        data = json.loads((state_dir / FAULTS_FILE).read_text())
    except (OSError, ValueError):
        return Faults()
    return Faults.from_dict(data) if isinstance(data, dict) else Faults()


def save_faults(state_dir: Path, faults: Faults) -> None:
    path = state_dir / FAULTS_FILE
    tmp = path.with_name(f".{FAULTS_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(faults.to_dict(), indent=1, sort_keys=True))
    os.replace(tmp, path)
