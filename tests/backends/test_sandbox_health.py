"""The SSH backend's health reading against sandbox stacks, over real SSH."""

from __future__ import annotations

import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ownstack_tui import clock
from ownstack_tui.backends.dokku.backend import DokkuBackend
from ownstack_tui.backends.dokku.health import health_commands
from ownstack_tui.backends.dokku.pool import SshPool
from ownstack_tui.errors import AppNotOnStack
from ownstack_tui.model.fleet import App, Fleet
from ownstack_tui.model.health_readings import config_fingerprint
from tests.fixtures.sandbox import git_ssh_env, make_demo_repo

from .conftest import model_stack

APP = "healthread"
CONFIG = {"LOG_LEVEL": "info", "API_TOKEN": "s3cr3t-health-token"}


@pytest.fixture(scope="module")
def pushed_sha(sandbox_fleet: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    stack = sandbox_fleet["staging"]
    base = tmp_path_factory.mktemp("health-read")
    known_hosts = base / "known_hosts"
    sandbox_fleet.write_known_hosts(known_hosts)
    repo = make_demo_repo(base / "repo")
    done = subprocess.run(
        ["git", "-C", str(repo), "push", f"dokku@127.0.0.1:{APP}", "main"],
        env=git_ssh_env(stack, known_hosts),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert stack.dokku_sync("ps:scale", APP, "worker=1").ok
    assert stack.dokku_sync("config:set", "--no-restart", APP, *(f"{k}={v}" for k, v in CONFIG.items())).ok
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    return sha.stdout.strip()


@pytest.fixture
def host(sandbox_stack: Any) -> Iterator[Any]:
    yield sandbox_stack
    sandbox_stack.set_plugin("letsencrypt", False)
    sandbox_stack.set_certificate(None)


@pytest.fixture
async def backend(host: Any, trusted: None) -> AsyncIterator[DokkuBackend]:
    stack = model_stack(host)
    fleet = Fleet(stacks={stack.name: stack})
    pool = SshPool(connect_timeout=5.0)
    backend = DokkuBackend(fleet, pool=pool)
    try:
        yield backend
    finally:
        await backend.close()


def app(name: str = APP, config: dict[str, str] | None = None) -> App:
    return App(name=name, stacks=("staging",), config=CONFIG if config is None else config)


async def test_a_reading_holds_sha_processes_version_and_config_fingerprint(
    backend: DokkuBackend, host: Any, pushed_sha: str
) -> None:
    before = clock.now()
    reading = await backend.read_health(app(), model_stack(host))
    assert reading.app_exists and reading.deployed_sha == pushed_sha
    assert reading.dokku_version == "0.38.27" and not reading.locked
    procs = {p.type: (p.asked, p.running, p.crashed) for p in reading.processes}
    assert procs == {"web": (1, 1, 0), "worker": (1, 1, 0)}
    assert reading.config_fingerprint == config_fingerprint(CONFIG, CONFIG)
    assert reading.config_fingerprint != config_fingerprint({**CONFIG, "LOG_LEVEL": "debug"}, CONFIG)
    assert (reading.tls_known, reading.certificates) == (False, ())  # no cert, no plugin
    assert reading.last_deploy_at is not None and reading.last_deploy_at <= time.time()
    assert before <= reading.read_at <= clock.now()
    assert CONFIG["API_TOKEN"] not in repr(reading)


async def test_crashed_worker_and_expiring_letsencrypt_certificate(
    backend: DokkuBackend, host: Any, pushed_sha: str
) -> None:
    host.set_fault(crashed="worker", cert_expiring=True)
    host.set_plugin("letsencrypt")
    reading = await backend.read_health(app(), model_stack(host))
    worker = next(p for p in reading.processes if p.type == "worker")
    assert (worker.running, worker.crashed) == (0, 1)
    [cert] = reading.certificates
    assert (cert.domain, cert.source) == (f"{APP}.staging.sandbox.test", "letsencrypt")
    assert cert.expires_at is not None
    assert 6 * 86400 <= cert.expires_at - reading.read_at < 7 * 86400


async def test_certificate_from_certs_report_when_the_plugin_is_absent(
    backend: DokkuBackend, host: Any, pushed_sha: str
) -> None:
    host.set_certificate(40)
    reading = await backend.read_health(app(), model_stack(host))
    [cert] = reading.certificates
    assert cert.source == "certs" and cert.expires_at is not None
    assert 39 * 86400 < cert.expires_at - time.time() <= 40 * 86400


async def test_one_reading_is_one_round_of_channels_on_one_connection(
    backend: DokkuBackend, host: Any, pushed_sha: str
) -> None:
    before = host.commands_received.copy()
    await backend.read_health(app(), model_stack(host))
    sent = host.commands_received - before
    expected = sorted(c.words[0] for c in health_commands(APP).values())
    assert sorted(sent.elements()) == expected
    assert backend.pool.handshakes == 1


async def test_an_app_missing_on_the_stack_reads_as_not_there(backend: DokkuBackend, host: Any) -> None:
    reading = await backend.read_health(app("never-deployed-here"), model_stack(host))
    assert not reading.app_exists and reading.dokku_version == "0.38.27"


async def test_restart_and_rebuild_stream_dokkus_output(
    backend: DokkuBackend, host: Any, pushed_sha: str
) -> None:
    lines: list[str] = []
    await backend.restart(app(), model_stack(host), "worker", lines.append)
    assert "-----> Deploying worker (count=1)" in lines
    lines.clear()
    await backend.rebuild(app(), model_stack(host), lines.append)
    assert f"-----> Building {APP} from herokuish" in lines
    with pytest.raises(AppNotOnStack):
        await backend.restart(app("never-deployed-here"), model_stack(host), None)
