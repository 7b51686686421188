"""The core rollout flow once behind a real OpenSSH sshd (dokku's forced-command entry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ownstack_tui import paths
from ownstack_tui.fleet_file import FleetFile
from tests.cli.helpers import Cli
from tests.integration.test_rollout import commit

pytestmark = pytest.mark.sshd


def test_health_gated_waves_and_a_rollback_behind_real_sshd(
    tmp_path: Path, sshd_stack: Any, trusted_sandbox: Any, clean_faults: None,
    demo_repo: Path, unique_app: str, capsys: pytest.CaptureFixture[str],
) -> None:
    sshd_stack.write_known_hosts(paths.known_hosts_path())
    staging = trusted_sandbox["staging"]
    fleet = FleetFile.load_or_new(tmp_path / "fleet.toml")
    fleet.add_stack("sshd-stack", sshd_stack.host, sshd_stack.port, user=sshd_stack.user,
                    identity=str(sshd_stack.client_key_path))
    fleet.add_stack("staging", staging.host, staging.port, identity=str(staging.client_key_path))
    fleet.add_app(unique_app, str(demo_repo), "main", False, ["sshd-stack", "staging"])
    fleet.save()
    header = f"[apps.{unique_app}]\n"
    fleet.path.write_text(fleet.path.read_text().replace(header, header + 'health_path = "/healthz"\n'))
    cli = Cli(fleet.path, capsys)

    assert cli("deploy", unique_app, "--all-at-once").status == 0
    v1 = sshd_stack.deployed_sha(unique_app)
    v2 = commit(demo_repo, "v2")
    staging.set_fault(build_fail=True)

    result = cli("deploy", unique_app, "--wave", "sshd-stack", "--wave", "staging",
                 "--on-failure", "rollback", "--json")

    assert result.status == 1, result.out + result.err
    report = result.json()
    sshd_entry = report["waves"][0]["stacks"][0]
    assert sshd_entry["sha"] == v2 and sshd_entry["health"] == "healthy"
    assert report["state"] == "rolled back"
    assert [job["stack"] for job in report["rollbacks"]] == ["sshd-stack"]
    assert sshd_stack.deployed_sha(unique_app) == v1
    assert "OWNSTACK_DEPLOY_LOCK" not in sshd_stack.state.read_env(unique_app)
