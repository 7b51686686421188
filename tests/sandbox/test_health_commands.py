"""What the stand-in prints for the health readings: certs, domains, letsencrypt, ps states,
the dokku version, and the faults that change them (shared/reference/dokku.md, dokku's and the
letsencrypt plugin's source)."""

from __future__ import annotations

import calendar
import json
import re
import shlex
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from tests.fixtures.sandbox import push_demo_app
from tests.sandbox.helpers import connect


async def run(stack: Any, known_hosts: Path, *words: str) -> tuple[int, str, str]:
    """One command over SSH (asyncssh), words quoted as a client quotes them."""
    async with connect(stack, known_hosts) as conn:
        result = await conn.run(" ".join(shlex.quote(w) for w in words), stdin=asyncssh.DEVNULL)
    return result.exit_status, str(result.stdout), str(result.stderr)


NOT_AFTER = re.compile(r"^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$")


@pytest.fixture
def host(sandbox_fleet: Any) -> Iterator[Any]:
    """prod-west with its host facts and faults reset afterwards."""
    stack = sandbox_fleet["prod-west"]
    stack.clear_faults()
    yield stack
    stack.clear_faults()
    stack.set_certificate(None)
    stack.set_plugin("letsencrypt", False)
    stack.set_dokku_version("0.38.27")


@pytest.fixture(scope="module")
def pushed(sandbox_fleet: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An app deployed once to prod-west, one web and one worker."""
    push_demo_app(sandbox_fleet, "prod-west", "healthapp", tmp_path_factory.mktemp("health-pushed"))
    stack = sandbox_fleet["prod-west"]
    assert stack.dokku_sync("ps:scale", "healthapp", "worker=1").ok
    return "healthapp"


def days_left(not_after: str) -> float:
    assert NOT_AFTER.match(not_after), not_after
    stamp = calendar.timegm(time.strptime(not_after, "%b %d %H:%M:%S %Y GMT"))
    return (stamp - time.time()) / 86400


async def test_certs_report_without_a_certificate_is_disabled(host, sandbox_known_hosts, pushed):
    _, out, _ = await run(host, sandbox_known_hosts, "certs:report", pushed)
    assert out == (
        f"=====> {pushed} ssl information\n"
        f"       Ssl dir:                       /home/dokku/{pushed}/tls\n"
        "       Ssl enabled:                   false\n"
        "       Ssl expires at:                \n"
        "       Ssl hostnames:                 \n"
        "       Ssl issuer:                    \n"
        "       Ssl starts at:                 \n"
        "       Ssl subject:                   \n"
        "       Ssl verified:                  \n"
    )


async def test_certs_report_prints_openssl_dates_and_json(host, sandbox_known_hosts, pushed):
    host.set_certificate(40)
    _, out, _ = await run(host, sandbox_known_hosts, "certs:report", pushed)
    rows = dict(line[7:].split(":", 1) for line in out.splitlines()[1:])
    assert rows["Ssl enabled"].strip() == "true"
    assert 39.9 < days_left(rows["Ssl expires at"].strip()) <= 40
    assert rows["Ssl hostnames"].strip() == "*.prod-west.sandbox.test"
    assert rows["Ssl verified"].strip() == "self signed"
    data = json.loads((await run(host, sandbox_known_hosts, "certs:report", pushed, "--format", "json"))[1])
    assert sorted(data) == [
        *("dir", "enabled", "expires-at", "hostnames"),
        *("issuer", "starts-at", "subject", "verified"),
    ]
    assert await run(host, sandbox_known_hosts, "certs:report", pushed, "--ssl-hostnames") == (
        0,
        "*.prod-west.sandbox.test\n",
        "",
    )


async def test_cert_faults_move_the_expiry(host, sandbox_known_hosts, pushed):
    host.set_fault(cert_expiring=True)
    value = (await run(host, sandbox_known_hosts, "certs:report", pushed, "--ssl-expires-at"))[1]
    assert 6 <= days_left(value.strip()) < 7
    host.set_fault(cert_expired=True)
    value = (await run(host, sandbox_known_hosts, "certs:report", pushed, "--ssl-expires-at"))[1]
    assert -2.1 < days_left(value.strip()) < -1.9


async def test_domains_report_names_the_app_vhost(host, sandbox_known_hosts, pushed):
    _, out, _ = await run(host, sandbox_known_hosts, "domains:report", pushed)
    assert out == (
        f"=====> {pushed} domains information\n"
        "       Domains app enabled:           true\n"
        f"       Domains app vhosts:            {pushed}.prod-west.sandbox.test\n"
        "       Domains global enabled:        true\n"
        "       Domains global vhosts:         prod-west.sandbox.test\n"
    )
    data = json.loads((await run(host, sandbox_known_hosts, "domains:report", pushed, "--format", "json"))[1])
    assert data["app-vhosts"] == f"{pushed}.prod-west.sandbox.test"


async def test_letsencrypt_list_exists_only_with_the_plugin(host, sandbox_known_hosts, pushed):
    assert await run(host, sandbox_known_hosts, "letsencrypt:list") == (
        1,
        "",
        " !     `letsencrypt:list` is not a dokku command.\n"
        " !     See `dokku help` for a list of available commands.\n",
    )
    host.set_plugin("letsencrypt")
    host.set_fault(cert_expiring=True)
    status, out, err = await run(host, sandbox_known_hosts, "letsencrypt:list")
    lines = out.splitlines()
    assert (status, err) == (0, "")
    assert lines[0] == (
        "-----> App name           Certificate Expiry        Time before expiry        "
        "Time before renewal      "
    )
    row = next(line for line in lines[1:] if line.startswith(pushed + " "))
    # printf "%-25s %-25s %-25s %-25s": app, local "%F %T", time left, time to renewal
    assert len(row) == 4 * 25 + 3 and row[:25].rstrip() == pushed
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +$", row[26:51])
    assert row[52:77].startswith("6d, ") and row[78:].rstrip().endswith(" ago")
    _, out, _ = await run(host, sandbox_known_hosts, "certs:report", pushed, "--ssl-verified")
    assert out == "verified by a certificate authority\n"


async def test_crashed_fault_exits_one_process_type(host, sandbox_known_hosts, pushed):
    host.set_fault(crashed="worker")
    _, out, _ = await run(host, sandbox_known_hosts, "ps:report", pushed)
    assert re.search(r"\n       Running:                          mixed\n", out)
    assert re.search(r"\n       Status web 1:                     running \(CID: [0-9a-f]{11}\)\n", out)
    assert re.search(r"\n       Status worker 1:                  exited \(CID: [0-9a-f]{11}\)\n", out)
    data = json.loads((await run(host, sandbox_known_hosts, "ps:report", pushed, "--format", "json"))[1])
    assert data["running"] == "mixed" and data["status-worker.1"].startswith("exited (CID: ")
    status, _, err = await run(host, sandbox_known_hosts, "ps:start", pushed)
    assert (status, err) == (0, " !     App is running in mixed mode, releasing\n")
    host.clear_faults()
    assert (await run(host, sandbox_known_hosts, "ps:report", pushed, "--running"))[1] == "true\n"


async def test_ps_restart_of_one_process_type_redeploys_only_it(host, sandbox_known_hosts, pushed):
    status, out, _ = await run(host, sandbox_known_hosts, "ps:restart", pushed, "worker")
    assert status == 0
    assert "-----> Deploying worker (count=1)" in out and "Deploying web" not in out
    assert "Application deployed:" not in out
    status, _, err = await run(host, sandbox_known_hosts, "ps:restart", pushed, "cron")
    assert (status, err) == (1, " !     Invalid process type specified (cron)\n")


async def test_ps_rebuild_builds_again_from_the_stored_branch(host, sandbox_known_hosts, pushed):
    status, out, _ = await run(host, sandbox_known_hosts, "ps:rebuild", pushed)
    assert status == 0
    assert f"-----> Building {pushed} from herokuish" in out
    assert "remote:" not in out


async def test_version_is_a_per_stack_fact(host, sandbox_fleet, sandbox_known_hosts):
    host.set_dokku_version("0.37.6")
    assert await run(host, sandbox_known_hosts, "version") == (0, "dokku version 0.37.6\n", "")
    other = sandbox_fleet["staging"]
    assert await run(other, sandbox_known_hosts, "version") == (0, "dokku version 0.38.27\n", "")


def test_the_demo_dresses_one_stack_with_an_older_dokku(tmp_path):
    from ownstack_tui.sandbox import SandboxFleet
    from ownstack_tui.sandbox.demo import dress_demo_stacks

    with SandboxFleet.background(tmp_path / "stacks", names=["a", "b", "c"]) as fleet:
        dress_demo_stacks(fleet)
        versions = [s.run_sync("version").stdout for s in fleet.stacks]
        listed = fleet["a"].run_sync("letsencrypt:list")
    assert versions == ["dokku version 0.38.27\n"] * 2 + ["dokku version 0.37.6\n"]
    assert listed.exit_status == 0


def test_the_fault_command_switches_text_and_flag_faults(tmp_path, capsys):
    from ownstack_tui.sandbox.__main__ import main
    from ownstack_tui.sandbox.faults import load_faults
    from ownstack_tui.sandbox.state import StackState

    StackState(tmp_path / "stacks" / "s1").initialise("s1")
    assert main(["fault", "--dir", str(tmp_path), "s1", "crashed=worker", "cert_expiring=true"]) == 0
    faults = load_faults(tmp_path / "stacks" / "s1")
    assert (faults.crashed, faults.cert_expiring, faults.cert_expired) == ("worker", True, False)
    assert "crashed = worker" in capsys.readouterr().out
