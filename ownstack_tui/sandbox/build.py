"""The stand-in build, release and deploy: dokku-style lines and the state they leave behind.

Used by the pre-receive hook (git push), ``ps:rebuild``, ``git:from-image`` and the restarts of
``config:set``/``ps:start``/``ps:scale``. The phases and wording follow dokku.md §2 and §5.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ownstack_tui.sandbox import gitutil
from ownstack_tui.sandbox.console import CommandExit, Console
from ownstack_tui.sandbox.state import StackState

_LANGUAGES = (
    ("requirements.txt", "Python"),
    ("pyproject.toml", "Python"),
    ("package.json", "Node.js"),
    ("Gemfile", "Ruby"),
    ("go.mod", "Go"),
    ("composer.json", "PHP"),
)


@dataclass
class Source:
    """What a build starts from: a commit in the app's bare repo (or an image)."""

    sha: str = ""
    files: set[str] = field(default_factory=set)
    procfile: dict[str, str] = field(default_factory=dict)
    formations: bool = False
    image: str = ""

    @property
    def builder(self) -> str:
        return "dockerfile" if "Dockerfile" in self.files else "herokuish"


def parse_procfile(text: str) -> dict[str, str]:
    types: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line.strip())
        if match:
            types[match.group(1)] = match.group(2).strip()
    return types


async def read_source(repo: Path, sha: str) -> Source:
    files = await gitutil.tree_files(repo, sha)
    source = Source(sha=sha, files=files)
    if "Procfile" in files:
        source.procfile = parse_procfile(await gitutil.read_blob(repo, sha, "Procfile") or "")
    if "app.json" in files:
        try:
            data = json.loads(await gitutil.read_blob(repo, sha, "app.json") or "{}")
            source.formations = isinstance(data, dict) and bool(data.get("formation"))
        except ValueError:
            source.formations = False
    return source


def short_id() -> str:
    return os.urandom(32).hex()


def app_url(state: StackState, app: str) -> str:
    return f"http://{app}.{state.name}.localhost"


@contextlib.contextmanager
def deploy_lock(console: Console, state: StackState, app: str) -> Iterator[None]:
    """dokku's flock on the app's .deploy.lock; a held lock rejects the deploy (dokku.md §9)."""
    path = state.deploy_lock_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    with open(path, "a") as handle:
        try:
            if console.faults.deploy_locked:
                raise BlockingIOError()
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld() from None
        try:
            yield
        finally:
            if not existed:
                with contextlib.suppress(OSError):
                    path.unlink()
            fcntl.flock(handle, fcntl.LOCK_UN)


class LockHeld(Exception):
    pass


async def lock_error(console: Console, app: str) -> None:
    await console.warn(f"{app} currently has a deploy lock in place. Exiting...")
    await console.warn("Run 'apps:unlock' to release the existing deploy lock")


def set_git_rev(state: StackState, app: str, sha: str) -> None:
    rev_var = state.meta(app)["git"].get("rev-env-var", "GIT_REV")
    if sha and rev_var:
        with state.update_env(app) as env:
            env[rev_var] = sha


async def build_release_deploy(
    console: Console,
    state: StackState,
    app: str,
    source: Source,
    deploy_source: str,
    metadata: str,
) -> None:
    """The whole pipeline; raises CommandExit(1) after dokku-style failure lines."""
    try:
        with deploy_lock(console, state, app):
            if source.sha and deploy_source != "rebuild":
                set_git_rev(state, app, source.sha)
            await _build(console, state, app, source)
            await _release(console, app, source)
            await deploy_processes(console, state, app, source=source, full=True)
            _record(state, app, source, deploy_source, metadata)
            await console.hold("post_deploy_delay_ms")
    except LockHeld:
        await lock_error(console, app)
        raise CommandExit(1) from None


async def _build(console: Console, state: StackState, app: str, source: Source) -> None:
    b = console.build
    await b("-----> Cleaning up...")
    if source.builder == "dockerfile":
        await b(f"-----> Building {app} from Dockerfile")
        await b("#1 [internal] load build definition from Dockerfile")
        await b("#1 DONE 0.0s")
        if console.faults.build_fail:
            await b('#5 ERROR: process "/bin/sh -c make build" did not complete successfully')
            await _fail_build(console, app)
        await b(f"#8 naming to docker.io/dokku/{app}:latest done")
        return
    await b(f"-----> Building {app} from herokuish")
    await b("-----> Adding BUILD_ENV to build environment...")
    if not source.procfile:
        await b("-----> Unable to select a buildpack")
        await _fail_build(console, app)
    language = next((lang for name, lang in _LANGUAGES if name in source.files), "Procfile")
    await b(f"-----> {language} app detected")
    await b("-----> Installing dependencies")
    if console.faults.build_fail:
        await b("       ERROR: dependency installation failed (exit status 1)")
        await b(f" !     Push rejected, failed to compile {language} app.")
        await _fail_build(console, app)
    await b("       Dependencies installed")
    await b("-----> Discovering process types")
    types = ", ".join(t for t in source.procfile)
    await b(f"       Procfile declares types -> {types}")


async def _fail_build(console: Console, app: str) -> None:
    await console.build_warn("Failure attaching to container during app build")
    await console.build_warn(f"Removing invalid image tag dokku/{app}:latest")
    await console.build_warn("App build failed")
    raise CommandExit(1)


async def _release(console: Console, app: str, source: Source) -> None:
    b = console.build
    await b(f"-----> Releasing {app}...")
    await b("-----> Checking for predeploy task")
    await b("       No predeploy task found, skipping")
    await b("-----> Checking for release task")
    command = source.procfile.get("release", "")
    if not command and not console.faults.release_fail:
        await b("       No release task found, skipping")
        return
    command = command or "./release.sh"
    container = short_id()[:12]
    await b(f"       Executing release task from Procfile in ephemeral container: {command}")
    await b(f"=====> Start of {app} release task ({container}) output")
    await b("       Running release task")
    if console.faults.release_fail:
        await b("       Error: release task exited with status 1")
        await b(f"=====> End of {app} release task ({container}) output")
        await console.build_warn(f"Execution of release task failed: {command}")
        raise CommandExit(1)
    await b(f"=====> End of {app} release task ({container}) output")


def scale_for(source: Source, old: dict[str, int]) -> dict[str, int]:
    types = [t for t in source.procfile if t != "release"] or ["web"]
    return {t: old.get(t, 1 if t == "web" else 0) for t in sorted(types)}


async def deploy_processes(
    console: Console,
    state: StackState,
    app: str,
    *,
    source: Source | None = None,
    full: bool,
    only: dict[str, int] | None = None,
) -> None:
    """The deploy phase. ``full`` adds the scheduler header, post-deploy and the URL lines."""
    b = console.build
    meta = state.meta(app)
    scale = scale_for(source, meta["scale"]) if source is not None else dict(meta["scale"])
    if only is not None:
        scale = only
    if full:
        await b("=====> Processing deployment checks")
        await b(f"-----> Deploying {app} via the docker-local scheduler...")
    containers: dict[str, str] = {}
    for ptype, count in sorted(scale.items()):
        if count <= 0:
            continue
        await b(f"-----> Deploying {ptype} (count={count})")
        for index in range(1, count + 1):
            name = f"{ptype}.{index}"
            cid = short_id()
            containers[name] = cid
            await b(f"       Attempting pre-flight checks ({name})")
            if ptype == "web":
                await b("-----> Executing 2 healthchecks")
                await b("       Running healthcheck name='default' type='uptime' uptime=10")
                await b(
                    "       Running healthcheck name='port listening check' attempts=3 "
                    "port=5000 retries=2 timeout=5 type='listening' wait=5"
                )
                await b("       Healthcheck succeeded name='port listening check'")
                await b("       Healthcheck succeeded name='default'")
            else:
                await b("-----> Executing 1 healthchecks")
                await b("       Running healthcheck name='default' type='uptime' uptime=10")
                await b("       Healthcheck succeeded name='default'")
            await b(f"       All checks successful ({name})")
            await b(f"=====> Start of {app} container output ({cid[:12]} {name})")
            await b("       " + (f"Listening on port 5000 ({name})" if ptype == "web" else "ready"))
            await b(f"=====> End of {app} container output ({cid[:12]} {name})")
    with state.update_meta(app) as data:
        kept = {k: v for k, v in data["containers"].items() if k.split(".")[0] not in scale}
        kept.update(containers)
        data["containers"] = kept
        data["started_at"] = time.time()
        data["restore"] = True
        if source is None and only is None:
            data["deployed"] = data["deployed"] or bool(containers)
    if full:
        await b("-----> Running post-deploy")
        await b(f"-----> Configuring {app}.{state.name}.localhost...(using built-in template)")
        await b("-----> Creating http nginx.conf")
        await b("       Reloading nginx")
        if meta["deployed"]:
            await b("-----> Shutting down old containers in 60 seconds")
        await b("=====> Application deployed:")
        await b(f"       {app_url(state, app)}")
        await b("")


def _record(state: StackState, app: str, source: Source, deploy_source: str, meta_value: str) -> None:
    with state.update_meta(app) as data:
        data["scale"] = scale_for(source, data["scale"])
        data["procfile"] = dict(source.procfile)
        data["formations"] = source.formations
        data["builder"] = source.builder
        data["deployed"] = True
        data["restore"] = True
        data["sha"] = source.sha
        if deploy_source != "rebuild":
            data["deploy_source"] = deploy_source
            data["deploy_source_metadata"] = meta_value
        if source.image:
            data["image"] = source.image
