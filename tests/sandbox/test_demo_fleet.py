"""`demo --tags`: a big fleet's names and tags, and faults on two tagged groups, so that the
first deploy fails by group with two causes (one transient)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from ownstack_tui import paths
from ownstack_tui.sandbox.demo import GROUP_FAULTS, ensure_demo_repo, fault_tagged_groups, write_fleet_file
from ownstack_tui.sandbox.fleet import REGIONS, SandboxFleet, tagged_stack_names
from tests.cli.helpers import Cli


def test_sixty_tagged_stacks_have_env_region_and_tier() -> None:
    stacks = tagged_stack_names(60)
    assert len(stacks) == 60
    assert list(stacks)[:2] == ["staging-us-01", "staging-eu-01"]
    assert {"prod-us-01", "prod-eu-07", "canary-eu-01", "staging-ap-02"} <= set(stacks)
    for name, tags in stacks.items():
        env, region, tier = tags
        assert name.startswith(f"{env}-{region}-")
        assert env in ("prod", "staging", "canary") and region in REGIONS
        assert tier in ("tier-a", "tier-b")
    counts = Counter(tag for tags in stacks.values() for tag in tags)
    assert (counts["prod"], counts["staging"], counts["canary"]) == (51, 6, 3)
    assert counts["tier-b"] == 12
    # tier-b is a part of prod in every region, disjoint from the canaries
    tier_b = [tags for tags in stacks.values() if "tier-b" in tags]
    assert {tags[0] for tags in tier_b} == {"prod"}
    assert {tags[1] for tags in tier_b} == set(REGIONS)


@pytest.mark.parametrize("count", [1, 2, 3, 200])
def test_any_demo_size_gets_distinct_tagged_names(count: int) -> None:
    stacks = tagged_stack_names(count)
    assert len(stacks) == count
    assert all(len(tags) == 3 for tags in stacks.values())


def test_the_two_faulted_groups_have_different_causes_and_one_is_transient() -> None:
    assert GROUP_FAULTS["tier-b"] == {"build_fail": True}
    assert GROUP_FAULTS["canary"]["drop_after_lines"] > 0


def test_a_tagged_demo_fleet_fails_its_first_deploy_by_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = tagged_stack_names(12)
    with SandboxFleet.background(tmp_path / "stacks", names=list(tags)) as fleet:
        fleet.write_known_hosts(paths.known_hosts_path())
        repo = ensure_demo_repo(tmp_path / "shop")
        fleet_path = write_fleet_file(tmp_path / "fleet.toml", fleet, repo, tags=tags)
        faulted = fault_tagged_groups(fleet, tags)
        written = tomllib.loads(fleet_path.read_text())
        assert {name: entry["tags"] for name, entry in written["stacks"].items()} == tags
        assert written["console"]["group_by"] == ["staging", "canary", "prod"]  # the sidebar's groups
        assert faulted == {"tier-b": ["prod-us-02", "prod-eu-03"], "canary": ["canary-us-01"]}

        result = Cli(fleet_path, capsys)("deploy", "shop", "--wait", "--yes")
    assert result.status == 1
    lines = result.out.splitlines()
    summary = {
        line.split(None, 2)[1]: line for line in lines if line[:1] in "✓✗" and line.split(None, 2)[1] in tags
    }
    assert set(summary) == set(tags)
    for name, line in summary.items():
        if "tier-b" in tags[name]:
            assert "failed" in line and "Push rejected, failed to compile" in line, line
        elif "canary" in tags[name]:
            assert "failed" in line and "connection lost" in line.lower(), line
        else:
            assert "succeeded" in line, line
    # The grouped summary: one cause per tagged group, the canaries' marked transient.
    groups = lines[lines.index("Failures by cause:") + 1 :]
    assert "2 stacks: Push rejected, failed to compile Python app." in groups[0]
    assert groups[1].split() == ["prod-us-02,", "prod-eu-03"]
    assert "1 stack: connection lost" in groups[2] and groups[2].endswith("(transient)")
    assert groups[3].split() == ["canary-us-01"]
