"""One in-memory stand-in dokku host for :class:`~tests.fakes.fake_backend.FakeBackend`.

A :class:`FakeStack` holds what a dokku host holds for each app (config, scale, the deployed
SHA, running containers) and the failures it should show on demand. Tests read its state
(``stack.deployed_sha("shop")``, ``stack.config("shop")``) the way they read a sandbox
stack's, and switch failures on and off (``stack.fail_builds()``, ``stack.hold_builds()``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass, field

from ownstack_tui.model.validation import DEPLOY_LOCK_KEY

DOKKU_VERSION = "0.38.27"
# dokku's own words for a failed herokuish build of a Python app (sandbox and real dokku).
DEFAULT_BUILD_FAILURE = "Push rejected, failed to compile Python app."


@dataclass
class FakeApp:
    """One app on one stack, as dokku records it."""

    name: str
    config: dict[str, str] = field(default_factory=dict)
    scale: dict[str, int] = field(default_factory=dict)
    deployed_sha: str | None = None
    deploy_source: str | None = None  # git-push, docker-image
    deploys: int = 0  # successful builds, to name containers
    services: set[str] = field(default_factory=set)

    @property
    def deployed(self) -> bool:
        return self.deploy_source is not None

    def containers(self) -> list[tuple[str, str]]:
        """(``web.1``, container id) for every running process, ids fixed per deploy."""
        names = [f"{ptype}.{index}" for ptype, count in sorted(self.scale.items())
                 for index in range(1, count + 1)]
        return [(name, hashlib.sha256(f"{self.name}:{self.deploys}:{name}".encode()).hexdigest())
                for name in names]


class BuildGate:
    """Holds builds (or log streams) at their start until released, or cancelled."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self.waiting = 0  # builds held right now

    async def wait(self) -> None:
        self.waiting += 1
        try:
            await self._open.wait()
        finally:
            self.waiting -= 1

    def release(self) -> None:
        self._open.set()


class FakeStack:
    """A dokku host in memory: its apps, and the failures switched on for it."""

    def __init__(self, name: str, host: str = "127.0.0.1", port: int = 22) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.dokku_version = DOKKU_VERSION
        self.apps: dict[str, FakeApp] = {}
        self.unreachable = False
        self.build_failure: str | None = None
        self.formation_lock = False
        self.dokku_locked = False  # `dokku apps:lock` set by hand: every push is refused
        self.unhealthy = False  # processes exit right after a deploy (the sandbox's fault)
        self.drop_logs_after: int = 0  # the next log stream is cut after this many lines (0: no)
        self.host_key_state: str | None = None  # None (trusted), "unknown" or "changed"
        self.key_trusted_for_session = False
        self._gate: BuildGate | None = None
        self.logs_gate: BuildGate | None = None  # log streams wait here once one was cut
        # Health as the stack reports it: its certificate's expiry (epoch seconds; None: no
        # certificate, no letsencrypt plugin), process types that exited, dokku's apps:lock.
        self.cert_expires_at: float | None = None
        self.crashed: set[str] = set()
        self.apps_locked = False
        self.actions: list[str] = []  # "ps:restart shop", "ps:rebuild shop" as they arrived

    # -- what the stack holds (for assertions) ---------------------------------------------

    def app(self, name: str) -> FakeApp | None:
        return self.apps.get(name)

    def deployed_sha(self, app: str) -> str | None:
        found = self.apps.get(app)
        return found.deployed_sha if found else None

    def config(self, app: str) -> dict[str, str]:
        found = self.apps.get(app)
        return dict(found.config) if found else {}

    def scale(self, app: str) -> dict[str, int]:
        found = self.apps.get(app)
        return dict(found.scale) if found else {}

    def deploy_lock(self, app: str) -> str | None:
        """The rollout lock record the app's config holds here (OWNSTACK_DEPLOY_LOCK)."""
        return self.config(app).get(DEPLOY_LOCK_KEY)

    @property
    def held_builds(self) -> int:
        """Builds waiting at the gate right now."""
        return self._gate.waiting if self._gate else 0

    # -- state set straight on the stack (like `dokku apps:create` by hand) ------------------

    def create_app(
        self,
        name: str,
        config: dict[str, str] | None = None,
        scale: dict[str, int] | None = None,
    ) -> FakeApp:
        app = self.apps.setdefault(name, FakeApp(name))
        app.config.update(config or {})
        app.scale.update(scale or {})
        return app

    # -- failures on demand -------------------------------------------------------------------

    def fail_builds(self, reason: str = DEFAULT_BUILD_FAILURE) -> None:
        """Every build fails with ``reason`` as its last ` !     ` line, like a rejected push."""
        self.build_failure = reason

    def lock_by_hand(self) -> None:
        """``dokku apps:lock``: no owner recorded, and every push refused until unlocked."""
        self.dokku_locked = True

    def make_unhealthy(self) -> None:
        """Deploys succeed, then the app's processes exit (a health gate fails the wave)."""
        self.unhealthy = True

    def hold_builds(self) -> None:
        """Builds stop at their first build line until :meth:`release_builds`."""
        self._gate = BuildGate()

    def release_builds(self) -> None:
        if self._gate is not None:
            self._gate.release()
            self._gate = None

    def cut_next_log_stream(self, after_lines: int) -> None:
        """The next runtime log stream loses its connection after ``after_lines`` lines, once;
        the streams opened after it wait until :meth:`release_logs` (so a test sees the tail
        reconnecting for as long as it looks, and exactly one gap)."""
        self.drop_logs_after = after_lines
        self.logs_gate = BuildGate()

    def release_logs(self) -> None:
        if self.logs_gate is not None:
            self.logs_gate.release()
            self.logs_gate = None

    def expire_certificate_at(self, when: float | None) -> None:
        """The app's domain is served by a certificate expiring at ``when`` (None: none)."""
        self.cert_expires_at = when

    def crash(self, process: str) -> None:
        """Every container of ``process`` exits (until the next restart or rebuild)."""
        self.crashed.add(process)

    def unknown_host_key(self) -> None:
        """The stack presents a key nobody trusted yet (until the user accepts it)."""
        self.host_key_state = "unknown"
        self.key_trusted_for_session = False

    def changed_host_key(self) -> None:
        """The stack presents a different key than the one recorded: always refused."""
        self.host_key_state = "changed"

    def clear_faults(self) -> None:
        self.unreachable = False
        self.build_failure = None
        self.formation_lock = False
        self.dokku_locked = False
        self.unhealthy = False
        self.drop_logs_after = 0
        self.host_key_state = None
        self.crashed.clear()
        self.apps_locked = False
        self.release_builds()
        self.release_logs()

    async def build_gate(self) -> None:
        if self._gate is not None:
            await self._gate.wait()

    # -- the host key it presents ---------------------------------------------------------------

    @property
    def key_type(self) -> str:
        return "ssh-ed25519"

    def _key_bytes(self) -> bytes:
        # Fixed per stack (and per "changed" state) so snapshots and prompts are stable.
        return hashlib.sha256(f"{self.name}:{self.host_key_state == 'changed'}".encode()).digest()

    @property
    def key_base64(self) -> str:
        return base64.b64encode(self._key_bytes()).decode("ascii")

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(self._key_bytes()).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")

    def __repr__(self) -> str:
        return f"<FakeStack {self.name}>"
