"""The direct backend: every operation as dokku commands over the stack's pooled SSH connection.

A deploy of one stack follows DESIGN.md: ensure the app → ensure its services → apply the
config difference without restart → force-push the commit to the deploy branch (or
``git:from-image``), streaming every line into the job → read back the deployed SHA where
dokku records it on success (dokku.md §11).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ownstack_tui import paths
from ownstack_tui.backends.base import AppState, DeployRequest
from ownstack_tui.errors import AppNotOnStack, InvalidInput, describe_failure
from ownstack_tui.fanout import DEFAULT_PARALLELISM, fan_out
from ownstack_tui.model.config import StackConfigPlan, effective_config, plan_stack_config
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.model.validation import DEPLOY_LOCK_KEY

from . import hostkeys
from .errors import AppNotFound, HostKeyError, StackError

if TYPE_CHECKING:
    # Imported by the rollout and health reads that use them, after the console's first frame.
    from ownstack_tui.model.deploy_lock import LockHolder, StackLock
    from ownstack_tui.model.health_readings import StackHealthReading

    from .client import DokkuClient
    from .commands import RemoteCommand
    from .parsers import PushLine
    from .pool import SshPool

# The client, pool and push modules load when a stack is first contacted, not when the
# console starts (about 15 ms before the first frame otherwise).

# Lines that mark the release phase of a dokku build (dokku.md §2).
RELEASE_MARKERS = ("-----> Releasing", "=====> Processing deployment checks", "-----> Deploying ")


class _Commits:
    """The SHA each (repo, ref) names, asked of git once per deploy, not once per stack."""

    def __init__(self) -> None:
        self._resolving: dict[tuple[Path, str], asyncio.Future[str]] = {}

    async def resolve(self, repo: Path, ref: str) -> str:
        from .push import resolve_commit

        key = (repo, ref)
        if key not in self._resolving:
            self._resolving[key] = asyncio.ensure_future(resolve_commit(repo, ref))
        # shield: one stack's job being cancelled must not cancel the others' answer.
        return await asyncio.shield(self._resolving[key])


class DokkuBackend:
    via = "ssh"

    def __init__(
        self,
        fleet: Fleet,
        *,
        accept_new_host_keys: bool = False,
        pool: SshPool | None = None,
        parallelism: int = DEFAULT_PARALLELISM,
    ) -> None:
        self.timeouts = fleet.timeouts
        self.parallelism = parallelism
        self.accept_new_host_keys = accept_new_host_keys
        # Keys accepted "once" go to a file of this session only (made on the first such
        # answer, removed on close), read after the user's and ours. os.urandom(4).hex() is
        # secrets.token_hex(4) without importing secrets (and hashlib) at start-up.
        self._session_known_hosts = paths.data_dir() / (
            f"session-known-hosts-{os.getpid()}-{os.urandom(4).hex()}"
        )
        self._pool = pool
        # What each running job is pushing (job id -> full SHA, or "" for an image), from the
        # moment its push starts: after a cancel, the stack's SHA is compared with it.
        self._pushing: dict[int, str] = {}

    @property
    def pool(self) -> SshPool:
        if self._pool is None:
            from .pool import SshPool

            self._pool = SshPool(
                accept_new_host_keys=self.accept_new_host_keys,
                known_hosts_files=[*hostkeys.default_known_hosts_files(), self._session_known_hosts],
                connect_timeout=self.timeouts.connect,
                command_timeout=self.timeouts.command,
                keepalive_interval=self.timeouts.keepalive,
                build_silence=self.timeouts.build_silence,
            )
        return self._pool

    @property
    def target_label(self) -> str:
        return "direct"

    @property
    def credential_label(self) -> None:
        return None  # the user's own SSH keys, agent and ~/.ssh/config

    def client(self, stack: Stack) -> DokkuClient:
        from .client import DokkuClient

        return DokkuClient(stack, self.pool)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        with contextlib.suppress(OSError):  # never made, or its folder unusable
            self._session_known_hosts.unlink()

    def trust_host_key(self, error: HostKeyError, remember: bool) -> None:
        if remember:
            hostkeys.accept_host_key(error)  # type: ignore[arg-type]
        else:
            hostkeys.append_known_host(error.known_hosts_line, self._session_known_hosts)

    # -- status ----------------------------------------------------------------------------

    async def probe(self, stack: Stack) -> str:
        return await self.client(stack).version()

    async def app_state(self, app: App, stack: Stack) -> AppState:
        client = self.client(stack)
        version = await client.version()
        if not await client.app_exists(app.name):
            return AppState(exists=False, dokku_version=version)
        source = await client.deploy_source(app.name)
        return AppState(
            exists=True,
            deployed_sha=source.sha,
            deploy_source=source.source or None,
            deployed_image=source.image,
            dokku_version=version,
        )

    # -- deploy ------------------------------------------------------------------------------

    async def deploy(
        self,
        app: App,
        jobs: list[DeployJob],
        stacks: Mapping[str, Stack],
        request: DeployRequest,
        desired_config: Mapping[str, Mapping[str, str]],
    ) -> None:
        by_stack = {job.stack: job for job in jobs}
        commits = _Commits()

        async def one(name: str) -> None:
            job = by_stack[name]
            try:
                await self._deploy_one(
                    job, app, stacks[name], request, desired_config[name], commits
                )
            except StackError as error:
                job.fail(error.detail)
            except Exception as error:
                job.fail(describe_failure(error))
            # Not on a cancel: settle_cancelled still needs to know what was being pushed.
            self._pushing.pop(job.id, None)

        await fan_out(by_stack, one, self.parallelism)

    async def settle_cancelled(
        self, app: App, jobs: list[DeployJob], stacks: Mapping[str, Stack]
    ) -> None:
        """A cancelled push may still have gone live: closing our channel stops the build only
        if dokku notices in time. So the stack's recorded SHA decides. A job whose cancel came
        after its push got through *succeeded* (with the late cancel as its reason): history
        and rollbacks must see what the stack really runs."""
        by_stack = {job.stack: job for job in jobs}

        async def one(name: str) -> None:
            job = by_stack[name]
            target = self._pushing.pop(job.id, None)
            if target is None:
                job.set_status(DeployStatus.CANCELLED, "cancelled before push")
                return
            try:
                now = await self.client(stacks[name]).deployed_sha(app.name)
            except Exception as error:
                job.set_status(
                    DeployStatus.CANCELLED,
                    f"cancelled during the push; could not re-read {name}: {describe_failure(error)}",
                )
                return
            if not target:  # an image: its SHA cannot be told apart from an older deploy's
                where = f"stack now at {now[:7]}" if now else f"nothing deployed on {name}"
                job.set_status(
                    DeployStatus.CANCELLED,
                    f"cancelled during git:from-image, {where} (the image may be live: see app info)",
                )
            elif now and now == target:
                job.sha = now
                job.set_status(
                    DeployStatus.SUCCEEDED,
                    f"cancelled too late: the push had gone through, stack now at {now[:7]}",
                )
            elif now:
                job.set_status(DeployStatus.CANCELLED, f"cancelled, stack now at {now[:7]}")
            else:
                job.set_status(DeployStatus.CANCELLED, f"cancelled, nothing deployed on {name}")

        await fan_out(by_stack, one, self.parallelism)

    async def _deploy_one(
        self,
        job: DeployJob,
        app: App,
        stack: Stack,
        request: DeployRequest,
        desired: Mapping[str, str],
        commits: _Commits,
    ) -> None:
        say = job.add_lines
        job.set_status(DeployStatus.CONNECTING)
        client = self.client(stack)
        await self.pool.connection(stack)
        if await client.app_create(app.name):
            say([f"-----> Created app {app.name} on {stack.name}"])
        if app.needs_postgres:
            await self._ensure_service(client, "postgres", app, job)
        if app.needs_redis:
            await self._ensure_service(client, "redis", app, job)
        plan = plan_stack_config(stack.name, desired, await client.config_export(app.name))
        if plan.to_set:
            say([f"-----> Setting config vars: {', '.join(sorted(plan.to_set))}"])
            await client.config_set(app.name, plan.to_set, restart=False)
        job.set_status(DeployStatus.BUILDING)

        def on_text(text: str) -> None:
            if job.status is DeployStatus.BUILDING and text.lstrip().startswith(RELEASE_MARKERS):
                job.set_status(DeployStatus.RELEASING)
            say([text])

        if request.image:
            self._pushing[job.id] = ""  # an image's SHA is known only once deployed
            result = await client.git_from_image(app.name, request.image, on_line=on_text)
            if not result.ok:
                job.fail(result.message)
                return
        else:
            if not app.repo:
                raise InvalidInput(f"app {app.name} has no repo in the fleet file; set apps.{app.name}.repo")
            from .push import push

            sha = await commits.resolve(Path(app.repo).expanduser(), request.ref or app.branch)
            self._pushing[job.id] = sha

            def on_line(line: PushLine) -> None:
                on_text(line.text)

            pushed = await push(client, app.repo, sha, app.name, on_line=on_line, resolved=True)
            if not pushed.ok:
                job.sha = pushed.sha
                job.fail(pushed.reason or f"git push exited with status {pushed.exit_status}")
                return
            if pushed.up_to_date:
                say([f"-----> {stack.name} already has {pushed.sha[:7]}; nothing to build"])
        job.succeed(await client.deployed_sha(app.name))

    async def _ensure_service(self, client: DokkuClient, kind: str, app: App, job: DeployJob) -> None:
        state = await client.ensure_service(kind, app.name)
        if state.created:
            job.add_lines([f"-----> Created {kind} service {state.name}"])
        if state.linked:
            job.add_lines([f"-----> Linked {state.name} to {app.name}"])

    # -- rollouts: deploy lock and health --------------------------------------------------------

    async def read_lock(self, app: App, stack: Stack) -> StackLock:
        """Our record and dokku's lock, read at once (two channels, one round trip)."""
        from ownstack_tui.model.deploy_lock import LockHolder, StackLock

        client = self.client(stack)
        try:
            config, report = await asyncio.gather(
                client.config_export(app.name), client.app_report(app.name)
            )
        except AppNotFound:
            return StackLock()  # no app, no deploys to hold
        record = config.get(DEPLOY_LOCK_KEY)
        locked = report.get("locked", report.get("app-locked", "false")).strip() == "true"
        return StackLock(holder=LockHolder.decode(record) if record else None, dokku_locked=locked)

    async def write_lock(self, app: App, stack: Stack, holder: LockHolder | None) -> bool:
        """Record ``holder``, or clear it. True when the app had to be created first (a config
        value needs an app; its first deploy would have created it anyway)."""
        client = self.client(stack)
        if holder is None:
            await client.deploy_lock_unset(app.name)
            return False
        created = await client.app_create(app.name)
        await client.deploy_lock_set(app.name, holder.encode())
        return created

    async def process_states(self, app: App, stack: Stack) -> dict[str, list[str]]:
        return await self.client(stack).process_states(app.name)

    async def app_urls(self, app: App, stack: Stack) -> list[str]:
        return await self.client(stack).urls(app.name)

    # -- config and scale ----------------------------------------------------------------------

    async def read_config(self, app: App, stack: Stack) -> dict[str, str]:
        try:
            return await self.client(stack).config_export(app.name)
        except AppNotFound:
            raise AppNotOnStack(stack.name, app.name) from None

    async def apply_config(
        self, app: App, stack: Stack, plan: StackConfigPlan, restart: bool
    ) -> list[str]:
        client = self.client(stack)
        output: list[str] = []
        if plan.to_set:
            # With unsets to follow, restart once, at the end.
            result = await client.config_set(app.name, plan.to_set, restart=restart and not plan.to_unset)
            output += result.stdout.splitlines()
        if plan.to_unset:
            result = await client.config_unset(app.name, list(plan.to_unset), restart=restart)
            output += result.stdout.splitlines()
        return output

    async def read_scale(self, app: App, stack: Stack) -> dict[str, int]:
        return await self.client(stack).ps_scale(app.name)

    async def set_scale(self, app: App, stack: Stack, counts: Mapping[str, int]) -> list[str]:
        result = await self.client(stack).ps_scale_set(app.name, counts)
        return result.stdout.splitlines()

    async def logs(
        self, app: App, stack: Stack, num: int, process: str | None, follow: bool
    ) -> AsyncIterator[str]:
        stream = self.client(stack).logs(app.name, num=num, ps=process, follow=follow)
        async with contextlib.aclosing(stream):
            async for line in stream:
                yield line.raw

    async def read_health(self, app: App, stack: Stack) -> StackHealthReading:
        from .health import read_health

        return await read_health(self.client(stack), app.name, effective_config(app, stack.name))

    async def restart(
        self, app: App, stack: Stack, process: str | None, on_line: Callable[[str], None] | None = None
    ) -> None:
        from .commands import ps_restart

        await self._run_streamed(app, stack, ps_restart(app.name, process), on_line)

    async def rebuild(self, app: App, stack: Stack, on_line: Callable[[str], None] | None = None) -> None:
        from .commands import ps_rebuild

        await self._run_streamed(app, stack, ps_rebuild(app.name), on_line)

    async def _run_streamed(
        self, app: App, stack: Stack, command: RemoteCommand, on_line: Callable[[str], None] | None
    ) -> None:
        client = self.client(stack)
        result = await client.stream(command, on_line)
        if result.ok:
            return
        error = client.error_for(result, app.name)
        if isinstance(error, AppNotFound):
            raise AppNotOnStack(stack.name, app.name) from None
        raise error

    async def replicate(self, source: App, new_name: str, stack: Stack) -> list[str]:
        client = self.client(stack)
        if not await client.app_exists(source.name):
            raise InvalidInput(f"app {source.name} does not exist on {stack.name}; deploy it there first")
        lines = []
        if await client.app_create(new_name):
            lines.append(f"-----> Created app {new_name} on {stack.name}")
        kinds = [kind for kind, wanted in (("postgres", source.needs_postgres),
                                           ("redis", source.needs_redis)) if wanted]
        from .commands import service_name

        for kind in kinds:
            state = await client.ensure_service(kind, new_name, service_name(kind, source.name))
            if state.linked:
                lines.append(f"-----> Linked {state.name} to {new_name}")
        return lines
