"""FakeBackend: the direct backend's behaviour (backends/base.py) in memory, for fast UI tests.

It drives jobs exactly as ``DokkuBackend`` does (queued → connecting → building → releasing
→ succeeded, or failed with dokku's reason line), streams dokku-worded lines one at a time
with a yield between them, resolves refs with real ``git`` in the app's repo (so SHAs are
the real ones), plans config the same way (``plan_stack_config``) and raises the real error
classes: ``StackUnreachable``, ``UnknownHostKey``/``HostKeyChanged``, ``AppNotFound``,
``AppNotOnStack``. ``tests/fakes/test_fake_contract.py`` runs the same checks against this
and the SSH backend on sandbox stacks, so the two cannot drift apart.

State and failures live per stack (:class:`FakeStack`)::

    fake = FakeBackend(fleet)
    fake.stack("prod-west").fail_builds()
    ...
    assert fake.stack("prod-east").deployed_sha("shop") == sha
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping

from ownstack_tui import clock, paths
from ownstack_tui.backends.base import AppState, DeployRequest
from ownstack_tui.backends.dokku import hostkeys
from ownstack_tui.backends.dokku.backend import RELEASE_MARKERS
from ownstack_tui.backends.dokku.commands import service_name
from ownstack_tui.backends.dokku.errors import (
    AppNotFound,
    ConnectionDropped,
    DeployLocked,
    DokkuCommandError,
    HostKeyChanged,
    HostKeyError,
    StackError,
    StackUnreachable,
    UnknownHostKey,
)
from ownstack_tui.errors import AppNotOnStack, InvalidInput, OwnstackError
from ownstack_tui.model.config import StackConfigPlan, effective_config, plan_stack_config
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.deploy_lock import LockHolder, StackLock
from ownstack_tui.model.fleet import App, Fleet, Stack
from ownstack_tui.model.health_readings import (
    CertificateReading,
    ProcessReading,
    StackHealthReading,
    config_fingerprint,
)
from ownstack_tui.model.jobs import DeployJob
from ownstack_tui.model.validation import DEPLOY_LOCK_KEY
from tests.fakes import fake_lines
from tests.fakes.fake_stack import FakeApp, FakeStack

# docker logs lines each container has printed before a tail starts, and the pause between
# the lines a followed tail adds (the sandbox's containers log every 0.5 s when followed).
BACKLOG_LINES = 30
LOG_INTERVAL = 0.2


class FakeBackend:
    via = "ssh"

    def __init__(
        self,
        fleet: Fleet | None = None,
        *,
        accept_new_host_keys: bool = False,
        line_pause: float = 0.0,
        log_interval: float = LOG_INTERVAL,
        backlog_lines: int = BACKLOG_LINES,
    ) -> None:
        self.accept_new_host_keys = accept_new_host_keys
        self.line_pause = line_pause  # seconds between streamed lines (0: just yield)
        self.log_interval = log_interval
        self.backlog_lines = backlog_lines
        self.closed = False
        self._pushing: dict[int, str] = {}  # job id -> SHA being pushed ("" for an image)
        # Stacks come into being when first named (by a test or a call), like hosts that
        # were always there.
        self._stacks = {
            name: FakeStack(name, stack.host, stack.port)
            for name, stack in (fleet.stacks.items() if fleet else ())
        }

    @property
    def target_label(self) -> str:
        return "direct"

    @property
    def credential_label(self) -> str | None:
        return None  # like the SSH backend: each stack's key is named in the fleet file

    def stack(self, name: str) -> FakeStack:
        """The stand-in host called ``name``: read what it holds, switch its failures."""
        if name not in self._stacks:
            self._stacks[name] = FakeStack(name)
        return self._stacks[name]

    @property
    def stacks(self) -> list[FakeStack]:
        return list(self._stacks.values())

    async def close(self) -> None:
        self.closed = True

    # -- connecting --------------------------------------------------------------------------

    async def _connect(self, stack: Stack) -> FakeStack:
        """What the SSH pool decides before any command: reachable, host key trusted."""
        fake = self.stack(stack.name)
        await asyncio.sleep(0)
        if fake.unreachable:
            raise StackUnreachable(
                stack.name, f"connection refused by {stack.user}@{stack.host}:{stack.port}"
            )
        if fake.host_key_state is not None and not self._key_trusted(fake, stack):
            raise self._host_key_error(fake, stack)
        return fake

    def _known_hosts_line(self, fake: FakeStack, stack: Stack) -> str:
        return hostkeys.known_hosts_entry(stack.host, stack.port, fake.key_type, fake.key_base64)

    def _key_trusted(self, fake: FakeStack, stack: Stack) -> bool:
        if fake.host_key_state == "changed":
            return False
        if fake.key_trusted_for_session:
            return True
        line = self._known_hosts_line(fake, stack)
        known = paths.known_hosts_path()
        if known.exists() and line in known.read_text().splitlines():
            return True
        if self.accept_new_host_keys:
            hostkeys.append_known_host(line)
            return True
        return False

    def _host_key_error(self, fake: FakeStack, stack: Stack) -> HostKeyError:
        where = stack.host if stack.port == 22 else f"{stack.host}:{stack.port}"
        details = {
            "host": stack.host,
            "port": stack.port,
            "key_type": fake.key_type,
            "fingerprint": fake.fingerprint,
            "known_hosts_line": self._known_hosts_line(fake, stack),
        }
        if fake.host_key_state == "changed":
            return HostKeyChanged(
                stack.name,
                f"HOST KEY CHANGED for {where}: it now presents {fake.key_type} {fake.fingerprint} "
                "but known_hosts has another key; refusing to connect (if the host was really "
                "reinstalled, remove its old line from known_hosts)",
                **details,
            )
        return UnknownHostKey(
            stack.name,
            f"unknown host key for {where}: {fake.key_type} {fake.fingerprint} "
            "(accept it with --accept-new-host-key, or add it to known_hosts)",
            **details,
        )

    def trust_host_key(self, error: HostKeyError, remember: bool) -> None:
        if remember:
            hostkeys.accept_host_key(error)  # type: ignore[arg-type]
        else:
            self.stack(error.stack).key_trusted_for_session = True

    # -- status ------------------------------------------------------------------------------

    async def probe(self, stack: Stack) -> str:
        return (await self._connect(stack)).dokku_version

    async def app_state(self, app: App, stack: Stack) -> AppState:
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            return AppState(exists=False, dokku_version=fake.dokku_version)
        return AppState(
            exists=True,
            deployed_sha=found.deployed_sha,
            deploy_source=found.deploy_source,
            dokku_version=fake.dokku_version,
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
        async def one(job: DeployJob) -> None:
            try:
                await self._deploy_one(job, app, stacks[job.stack], request, desired_config[job.stack])
            except StackError as error:
                job.fail(error.detail)
            except OwnstackError as error:
                job.fail(str(error))
            # Not on a cancel: settle_cancelled still needs to know what was being pushed.
            self._pushing.pop(job.id, None)

        await asyncio.gather(*(one(job) for job in jobs))

    async def settle_cancelled(
        self, app: App, jobs: list[DeployJob], stacks: Mapping[str, Stack]
    ) -> None:
        """As the SSH backend does: what the stack records now decides each job's status."""
        for job in jobs:
            target = self._pushing.pop(job.id, None)
            name = job.stack
            if target is None:
                job.set_status(DeployStatus.CANCELLED, "cancelled before push")
                continue
            try:
                fake = await self._connect(stacks[name])
            except StackError as error:
                job.set_status(DeployStatus.CANCELLED,
                               f"cancelled during the push; could not re-read {name}: {error}")
                continue
            now = fake.deployed_sha(app.name)
            if not target:  # an image: its SHA cannot be told apart from an older deploy's
                where = f"stack now at {now[:7]}" if now else f"nothing deployed on {name}"
                job.set_status(DeployStatus.CANCELLED, f"cancelled during git:from-image, {where} "
                               "(the image may be live: see app info)")
            elif now and now == target:
                job.sha = now
                job.set_status(DeployStatus.SUCCEEDED,
                               f"cancelled too late: the push had gone through, stack now at {now[:7]}")
            elif now:
                job.set_status(DeployStatus.CANCELLED, f"cancelled, stack now at {now[:7]}")
            else:
                job.set_status(DeployStatus.CANCELLED, f"cancelled, nothing deployed on {name}")

    async def _say(self, job: DeployJob, lines: list[str]) -> None:
        for text in lines:
            # The same rule as the SSH backend: dokku's release lines start that phase.
            if job.status is DeployStatus.BUILDING and text.lstrip().startswith(RELEASE_MARKERS):
                job.set_status(DeployStatus.RELEASING)
            job.add_lines([text])
            await asyncio.sleep(self.line_pause)

    async def _deploy_one(
        self,
        job: DeployJob,
        app: App,
        stack: Stack,
        request: DeployRequest,
        desired: Mapping[str, str],
    ) -> None:
        job.set_status(DeployStatus.CONNECTING)
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            found = fake.create_app(app.name)
            await self._say(job, [f"-----> Created app {app.name} on {stack.name}"])
        for kind, wanted in (("postgres", app.needs_postgres), ("redis", app.needs_redis)):
            name = service_name(kind, app.name)
            if wanted and name not in found.services:
                found.services.add(name)
                await self._say(job, [f"-----> Created {kind} service {name}",
                                      f"-----> Linked {name} to {app.name}"])
        plan = plan_stack_config(stack.name, desired, found.config)
        if plan.to_set:
            await self._say(job, [f"-----> Setting config vars: {', '.join(sorted(plan.to_set))}"])
            found.config.update(plan.to_set)
        if fake.dokku_locked:  # dokku refuses the push before any build line
            command = f"git-receive-pack {app.name}"
            raise DeployLocked(stack.name, command, 1, f"App {app.name} is locked",
                               f"ssh {stack.ssh_target} apps:unlock {app.name}")
        job.set_status(DeployStatus.BUILDING)
        if request.image:
            self._pushing[job.id] = ""  # an image's SHA is known only once deployed
            await self._build(job, fake, found, stack, sha=None, types=["web"], source="docker-image")
            return
        if not app.repo:
            raise InvalidInput(f"app {app.name} has no repo in the fleet file; set apps.{app.name}.repo")
        ref = request.ref or app.branch
        sha = await _git(app.repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if sha is None:
            job.fail(f"error: src refspec {ref} does not match any")
            return
        self._pushing[job.id] = sha
        if found.deployed_sha == sha:
            await self._say(job, ["Everything up-to-date",
                                  f"-----> {stack.name} already has {sha[:7]}; nothing to build"])
            job.succeed(sha)
            return
        types = await _procfile_types(app.repo, sha)
        await self._build(job, fake, found, stack, sha=sha, types=types, source="git-push")

    async def _build(
        self,
        job: DeployJob,
        fake: FakeStack,
        found: FakeApp,
        stack: Stack,
        sha: str | None,
        types: list[str],
        source: str,
    ) -> None:
        app = found.name
        if sha:
            found.config["GIT_REV"] = sha  # dokku sets it when the push arrives
        await fake.build_gate()
        await self._say(job, fake_lines.build_start(app))
        if fake.build_failure:
            reason = fake.build_failure
            await self._say(job, fake_lines.build_failed(app, reason))
            await self._say(job, fake_lines.push_rejected(stack.name, app, sha or ""))
            job.sha = sha
            job.fail(reason)
            return
        await self._say(job, fake_lines.build_rest(types))
        redeploy = found.deployed
        found.scale = {t: found.scale.get(t, 1 if t == "web" else 0) for t in sorted(types)}
        found.deploys += 1
        fake.crashed.clear()  # a release starts new containers of every process type, as dokku's
        await self._say(job, fake_lines.release(app))
        await self._say(job, fake_lines.deployed(app, stack.name, found.containers(), redeploy))
        found.deployed_sha = sha
        found.deploy_source = source
        if sha:
            await self._say(job, fake_lines.pushed(stack.name, app, sha, first=not redeploy))
        job.succeed(sha)

    # -- what a rollout reads and writes (RolloutBackend) ---------------------------------------

    async def read_lock(self, app: App, stack: Stack) -> StackLock:
        """As the SSH backend: our record in the app's config, beside dokku's own lock."""
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            return StackLock()
        record = found.config.get(DEPLOY_LOCK_KEY)
        return StackLock(holder=LockHolder.decode(record) if record else None,
                         dokku_locked=fake.dokku_locked)

    async def write_lock(self, app: App, stack: Stack, holder: LockHolder | None) -> bool:
        """``config:set --no-restart`` of the record (the app created first if need be)."""
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if holder is None:
            if found is not None:
                found.config.pop(DEPLOY_LOCK_KEY, None)
            return False
        created = found is None
        found = fake.create_app(app.name)
        found.config[DEPLOY_LOCK_KEY] = holder.encode()
        return created

    async def process_states(self, app: App, stack: Stack) -> dict[str, list[str]]:
        """``ps:report``: each deployed container's state (exited when made unhealthy)."""
        fake, found = await self._existing(app, stack, f"ps:report {app.name}")
        if not found.deployed:
            return {}
        states: dict[str, list[str]] = {}
        for name, _cid in found.containers():
            states.setdefault(name.split(".")[0], []).append("exited" if fake.unhealthy else "running")
        return states

    async def app_urls(self, app: App, stack: Stack) -> list[str]:
        await self._existing(app, stack, f"urls {app.name}")
        return [f"http://{app.name}.{stack.name}.localhost"]

    # -- config and scale ----------------------------------------------------------------------

    async def _existing(self, app: App, stack: Stack, command: str) -> tuple[FakeStack, FakeApp]:
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            raise AppNotFound(stack.name, command, 20, f"App {app.name} does not exist")
        return fake, found

    async def read_config(self, app: App, stack: Stack) -> dict[str, str]:
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            raise AppNotOnStack(stack.name, app.name)
        return dict(found.config)

    async def apply_config(
        self, app: App, stack: Stack, plan: StackConfigPlan, restart: bool
    ) -> list[str]:
        _fake, found = await self._existing(app, stack, f"config:set {app.name}")
        output: list[str] = []
        if plan.to_set:
            found.config.update(plan.to_set)
            output += fake_lines.config_set(plan.to_set)
            if restart and not plan.to_unset:  # with unsets to follow, restart once, at the end
                output += self._restart(found, stack)
        if plan.to_unset:
            for key in plan.to_unset:
                found.config.pop(key, None)
            output += fake_lines.config_unset(list(plan.to_unset))
            if restart:
                output += self._restart(found, stack)
        return output

    def _restart(self, found: FakeApp, stack: Stack) -> list[str]:
        if not found.deployed:
            return []
        return [f"-----> Restarting app {found.name}", *fake_lines.release(found.name),
                *fake_lines.deployed(found.name, stack.name, found.containers(), redeploy=True)]

    async def read_scale(self, app: App, stack: Stack) -> dict[str, int]:
        _fake, found = await self._existing(app, stack, f"ps:scale --format json {app.name}")
        return dict(found.scale)

    async def set_scale(self, app: App, stack: Stack, counts: Mapping[str, int]) -> list[str]:
        words = " ".join(f"{process}={count}" for process, count in counts.items())
        fake, found = await self._existing(app, stack, f"ps:scale {app.name} {words}")
        if fake.formation_lock:
            raise DokkuCommandError(
                stack.name, f"ps:scale {app.name} {words}", 1,
                f"App {app.name} contains an app.json file with a formations key and cannot be "
                "manually scaled",
            )
        found.scale.update(counts)
        output = [f"-----> Scaling {app.name} processes: {words}"]
        if found.deployed:
            changed = [(name, cid) for name, cid in found.containers() if name.split(".")[0] in counts]
            output += fake_lines.processes(app.name, changed)
        return output

    # -- runtime logs ----------------------------------------------------------------------------

    async def logs(
        self, app: App, stack: Stack, num: int, process: str | None, follow: bool
    ) -> AsyncIterator[str]:
        command = f"logs {app.name} --num {num}"
        fake, found = await self._existing(app, stack, command)
        if not found.deployed:
            raise DokkuCommandError(stack.name, command, 1, f"App {app.name} has not been deployed")
        containers = [(name, cid) for name, cid in found.containers()
                      if not process or name.split(".")[0] == process]
        cut_after, fake.drop_logs_after = fake.drop_logs_after, 0
        if not cut_after and fake.logs_gate is not None:
            await fake.logs_gate.wait()  # the reconnect after a cut, until released
        sent = 0

        def counted(line: str) -> str:
            nonlocal sent
            if cut_after and sent >= cut_after:
                raise ConnectionDropped(stack.name, f"connection lost while running logs {app.name}")
            sent += 1
            return line

        now = clock.now()
        last = self.backlog_lines
        backlog = sorted(
            (now - (last - number) * self.log_interval, position, name, cid, number)
            for position, (name, cid) in enumerate(containers)
            for number in range(max(0, last - num + 1), last + 1)
        ) if num > 0 else []
        for moment, position, name, cid, number in backlog:
            yield counted(fake_lines.log_line(name, position, cid, number, moment))
            await asyncio.sleep(0)
        if not follow or not containers:
            return
        number = last
        while True:
            await asyncio.sleep(self.log_interval)
            number += 1
            moment = clock.now()
            for position, (name, cid) in enumerate(containers):
                yield counted(fake_lines.log_line(name, position, cid, number, moment))

    # -- health, restart, rebuild (the SSH backend's read_health, ps:restart, ps:rebuild) ---------

    async def read_health(self, app: App, stack: Stack) -> StackHealthReading:
        fake = await self._connect(stack)
        found = fake.app(app.name)
        if found is None:
            return StackHealthReading(read_at=clock.now(), dokku_version=fake.dokku_version, app_exists=False)
        running = {name.split(".")[0] for name, _cid in found.containers()} if found.deployed else set()

        def states(ptype: str, count: int) -> dict[str, int]:
            if ptype not in running:
                return {}
            return {"exited": count} if ptype in fake.crashed else {"running": count}

        processes = tuple(
            ProcessReading(ptype, count, states(ptype, count)) for ptype, count in sorted(found.scale.items())
        )
        managed = effective_config(app, stack.name)
        record = found.config.get(DEPLOY_LOCK_KEY)
        domain = f"{app.name}.{stack.name}.sandbox.test"
        expires = fake.cert_expires_at
        certificates = () if expires is None else (CertificateReading(domain, expires),)
        return StackHealthReading(
            read_at=clock.now(),
            dokku_version=fake.dokku_version,
            deployed_sha=found.deployed_sha,
            locked=fake.apps_locked,
            lock_owner=LockHolder.decode(record).owner if record else None,
            processes=processes,
            certificates=certificates,
            # No certificate and no letsencrypt plugin: like a bare dokku host, no TLS info.
            tls_known=fake.cert_expires_at is not None,
            config_fingerprint=config_fingerprint(found.config, managed),
        )

    async def restart(
        self, app: App, stack: Stack, process: str | None, on_line: Callable[[str], None] | None = None
    ) -> None:
        fake, found = await self._existing(app, stack, f"ps:restart {app.name}")
        fake.actions.append(f"ps:restart {app.name}" + (f" {process}" if process else ""))
        if not found.deployed:
            return
        if process:
            fake.crashed.discard(process)
        else:
            fake.crashed.clear()
        chosen = [(n, cid) for n, cid in found.containers() if process in (None, n.split(".")[0])]
        for line in fake_lines.processes(app.name, chosen):
            if on_line is not None:
                on_line(line)

    async def rebuild(self, app: App, stack: Stack, on_line: Callable[[str], None] | None = None) -> None:
        fake, found = await self._existing(app, stack, f"ps:rebuild {app.name}")
        fake.actions.append(f"ps:rebuild {app.name}")
        if not found.deployed:
            return
        fake.crashed.clear()
        lines = [*fake_lines.release(app.name),
                 *fake_lines.deployed(app.name, stack.name, found.containers(), redeploy=True)]
        for line in lines:
            if on_line is not None:
                on_line(line)

    async def replicate(self, source: App, new_name: str, stack: Stack) -> list[str]:
        fake = await self._connect(stack)
        if fake.app(source.name) is None:
            raise InvalidInput(f"app {source.name} does not exist on {stack.name}; deploy it there first")
        lines = []
        if fake.app(new_name) is None:
            lines.append(f"-----> Created app {new_name} on {stack.name}")
        copy = fake.create_app(new_name)
        for kind, wanted in (("postgres", source.needs_postgres), ("redis", source.needs_redis)):
            name = service_name(kind, source.name)
            if wanted and name not in copy.services:
                copy.services.add(name)
                lines.append(f"-----> Linked {name} to {new_name}")
        return lines


async def _git(repo: str, *args: str) -> str | None:
    """A git command's output in ``repo`` (stripped), or None if it failed."""
    process = await asyncio.create_subprocess_exec(
        "git", "-C", repo, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await process.communicate()
    return out.decode().strip() if process.returncode == 0 else None


async def _procfile_types(repo: str, sha: str) -> list[str]:
    """The process types the commit's Procfile declares (``web`` when it has none)."""
    text = await _git(repo, "show", f"{sha}:Procfile") or ""
    types = [line.split(":", 1)[0].strip() for line in text.splitlines() if ":" in line]
    return [t for t in types if t and t != "release"] or ["web"]
