"""The one interface both backends implement: direct to dokku over SSH, or the OwnStack API.

The engine calls only these methods. Every method concerns one app on one stack, except
:meth:`Backend.deploy`, which gets all of a run's jobs because the control plane creates
them in one request (the SSH backend simply runs them in parallel).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ownstack_tui.model.config import StackConfigPlan
from ownstack_tui.model.fleet import App, Stack
from ownstack_tui.model.jobs import DeployJob

if TYPE_CHECKING:
    # Locks and health readings are read by rollouts and the Fleet tab, after the console's
    # first frame: their modules are imported by those.
    from ownstack_tui.model.deploy_lock import LockHolder, StackLock
    from ownstack_tui.model.health_readings import StackHealthReading


@dataclass(frozen=True)
class DeployRequest:
    """What to deploy: the app's branch tip by default, or a ref, or a prebuilt image."""

    ref: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class AppState:
    """What one stack says about one app right now."""

    exists: bool
    deployed_sha: str | None = None
    deploy_source: str | None = None  # git-push, docker-image, ...
    deployed_image: str | None = None  # with deploy_source docker-image
    dokku_version: str | None = None


class Backend(Protocol):
    via: str  # "ssh" or "api"

    @property
    def target_label(self) -> str:
        """Shown in the header: "direct" or the control plane's URL."""
        ...

    @property
    def credential_label(self) -> str | None:
        """Where the credential came from, fit to show (``$OWNSTACK_API_TOKEN``, a file's
        path), never the credential itself; None when there is nothing to say (SSH uses the
        user's own keys and agent)."""
        ...

    async def probe(self, stack: Stack) -> str:
        """Contact the stack; returns its dokku version. Raises a RemoteError if unreachable."""
        ...

    async def app_state(self, app: App, stack: Stack) -> AppState: ...

    async def deploy(
        self,
        app: App,
        jobs: list[DeployJob],
        stacks: Mapping[str, Stack],
        request: DeployRequest,
        desired_config: Mapping[str, Mapping[str, str]],
    ) -> None:
        """Drive every job to a final status. Never raises for one stack's failure: that job
        fails with its reason. ``desired_config`` maps stack name to its effective config."""
        ...

    async def settle_cancelled(
        self, app: App, jobs: list[DeployJob], stacks: Mapping[str, Stack]
    ) -> None:
        """After :meth:`deploy` was cancelled, give each of ``jobs`` (not final yet) its true
        final status by asking the stack what it runs now: a cancel can come after the push
        got through, and a control plane goes on without us. Reasons say what happened
        (``cancelled before push``, ``… stack now at abc1234``)."""
        ...

    async def read_config(self, app: App, stack: Stack) -> dict[str, str]: ...

    async def apply_config(
        self, app: App, stack: Stack, plan: StackConfigPlan, restart: bool
    ) -> list[str]:
        """Set and unset what the plan says; returns dokku's output lines."""
        ...

    async def read_scale(self, app: App, stack: Stack) -> dict[str, int]: ...

    async def set_scale(self, app: App, stack: Stack, counts: Mapping[str, int]) -> list[str]: ...

    def logs(
        self, app: App, stack: Stack, num: int, process: str | None, follow: bool
    ) -> AsyncIterator[str]:
        """Runtime log lines as dokku prints them; closes its channel when the caller stops."""
        ...

    async def read_health(self, app: App, stack: Stack) -> StackHealthReading:
        """One health reading of ``app`` on ``stack`` (one command round where possible).
        Config values only become a fingerprint of the managed keys; none is returned."""
        ...

    async def restart(
        self, app: App, stack: Stack, process: str | None, on_line: Callable[[str], None] | None = None
    ) -> None:
        """``ps:restart`` (one process type, or all); output lines go to ``on_line``."""
        ...

    async def rebuild(self, app: App, stack: Stack, on_line: Callable[[str], None] | None = None) -> None:
        """``ps:rebuild``: build again from the stored source; output lines go to ``on_line``."""
        ...

    async def replicate(self, source: App, new_name: str, stack: Stack) -> list[str]:
        """Create ``new_name`` on ``stack`` sharing the source's postgres and redis."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class RolloutBackend(Protocol):
    """What a staged rollout needs besides deploys: the deploy lock and the stacks' health.
    Both backends follow it (over SSH from dokku itself, via the API from the control plane's
    endpoints for the same records), so one rollout engine drives either."""

    async def read_lock(self, app: App, stack: Stack) -> StackLock: ...

    async def write_lock(self, app: App, stack: Stack, holder: LockHolder | None) -> bool:
        """Record ``holder`` as holding the app's deploys on ``stack`` (None clears it).
        True when the app was created to hold the record."""
        ...

    async def process_states(self, app: App, stack: Stack) -> dict[str, list[str]]:
        """Each process type's container states, e.g. ``{"web": ["running"]}``."""
        ...

    async def app_urls(self, app: App, stack: Stack) -> list[str]: ...
