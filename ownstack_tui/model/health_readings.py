"""What one stack says about one app's health: typed readings, as a backend returns them.

Pure data. The rules that judge them (severity, outliers) are in :mod:`.health`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CRASHED_STATES = frozenset({"exited", "dead"})  # docker State.Status of a container that stopped
RESTARTING_STATES = frozenset({"restarting"})
FINGERPRINT_LENGTH = 8


@dataclass(frozen=True)
class ProcessReading:
    """One process type: the count asked for (``ps:scale``) and its containers' states."""

    type: str
    asked: int
    states: Mapping[str, int] = field(default_factory=dict)  # docker state -> containers

    @property
    def running(self) -> int:
        return self.states.get("running", 0)

    @property
    def crashed(self) -> int:
        return sum(n for state, n in self.states.items() if state in CRASHED_STATES)

    @property
    def restarting(self) -> int:
        return sum(n for state, n in self.states.items() if state in RESTARTING_STATES)


@dataclass(frozen=True)
class CertificateReading:
    """The certificate serving one of the app's domains; ``expires_at`` None: none covers it."""

    domain: str
    expires_at: float | None
    source: str = "certs"  # "certs" (certs:report) or "letsencrypt" (letsencrypt:list)


@dataclass(frozen=True)
class StackHealthReading:
    """Everything one refresh read from one stack, and when (``read_at``, clock seconds)."""

    read_at: float
    dokku_version: str
    app_exists: bool = True
    deployed_sha: str | None = None
    locked: bool = False  # dokku's own apps:lock (it records no owner)
    lock_owner: str | None = None  # the rollout's deploy lock record: its owner (user@host)
    processes: tuple[ProcessReading, ...] = ()
    certificates: tuple[CertificateReading, ...] = ()
    tls_known: bool = True  # False: no certificate and no letsencrypt plugin ("no TLS info")
    config_fingerprint: str | None = None  # of the managed keys' values; values never kept
    last_deploy_at: float | None = None


def config_fingerprint(values: Mapping[str, str], managed_keys: Iterable[str]) -> str:
    """A short hash of the managed keys' values (a key missing counts as missing), so two
    stacks can be compared without a value leaving the function. Keys outside the managed
    set (DOKKU_*, service links, hand-set ones) do not count."""
    import hashlib  # here: its OpenSSL load (~2.5 ms) is not needed for the first frame

    digest = hashlib.sha256()
    for key in sorted(set(managed_keys)):
        value = values.get(key)
        digest.update(key.encode())
        digest.update(b"\x01" if value is None else b"\x00" + value.encode("utf-8", "surrogateescape"))
        digest.update(b"\x02")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def covered_by(domain: str, hostnames: Iterable[str]) -> bool:
    """Does a certificate for ``hostnames`` serve ``domain``? (``*.x`` covers one label)."""
    domain = domain.lower()
    for name in hostnames:
        name = name.lower()
        if name == domain:
            return True
        if name.startswith("*.") and "." in domain and domain.split(".", 1)[1] == name[2:]:
            return True
    return False


def reading_to_json(reading: StackHealthReading) -> dict[str, Any]:
    """The reading as the control plane sends it (``GET /api/apps/:id/health``)."""
    data = dataclasses.asdict(reading)
    data.pop("read_at")  # the receiver stamps its own clock: hosts' clocks may differ
    return data


def reading_from_json(data: Mapping[str, Any], read_at: float) -> StackHealthReading:
    """The inverse of :func:`reading_to_json`; raises ValueError on a malformed reading."""
    try:
        processes = tuple(
            ProcessReading(
                str(p["type"]), int(p["asked"]), {str(k): int(v) for k, v in p["states"].items()}
            )
            for p in data.get("processes") or ()
        )
        certificates = tuple(
            CertificateReading(
                str(c["domain"]),
                None if c.get("expires_at") is None else float(c["expires_at"]),
                str(c.get("source") or "certs"),
            )
            for c in data.get("certificates") or ()
        )
        last = data.get("last_deploy_at")
        return StackHealthReading(
            read_at=read_at,
            dokku_version=str(data["dokku_version"]),
            app_exists=bool(data.get("app_exists", True)),
            deployed_sha=_optional_text(data.get("deployed_sha")),
            locked=bool(data.get("locked", False)),
            lock_owner=_optional_text(data.get("lock_owner")),
            processes=processes,
            certificates=certificates,
            tls_known=bool(data.get("tls_known", True)),
            config_fingerprint=_optional_text(data.get("config_fingerprint")),
            last_deploy_at=None if last is None else float(last),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"malformed health reading: {error}") from None


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
