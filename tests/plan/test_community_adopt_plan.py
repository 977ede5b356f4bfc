"""A network Tierform did not write, with no Tier tag anywhere (foreach-vpc planned with
``tier_tags = false``), verified against tests/fixtures/community/ledger.yaml through the
plan reader and ``--config-dir``: the tiers come from the blueprint's subnet CIDRs, each
tier's security groups from its ``security_groups`` key. The result is the hand-written
matrix; without the key the same plan fails (its groups sit on no tier)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import tierform
from community_support import COMMUNITY, REGION, differences, load_expected
from tierform import workflow
from tierform.report import reach_json
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform

LEDGER = COMMUNITY / "ledger.yaml"


@pytest.fixture
def untagged_plan(tierform_plan: PlanFactory, tmp_path: Path) -> Path:
    plan = tierform_plan(COMMUNITY / "foreach-vpc", {"tier_tags": False}, region=REGION)
    tagged = [r.address for r in plan.resources() if "Tier" in (r.tags or {})]
    assert tagged == [], "the fixture must carry no Tier tag for this test to mean anything"
    assert len(plan.resources("aws_security_group")) == 3
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(dict(plan.raw)), encoding="utf-8")
    return path


def test_the_mapping_places_the_groups_and_the_matrix_is_the_hand_written_one(
        untagged_plan: Path, tmp_path: Path) -> None:
    module = COMMUNITY / "foreach-vpc"
    done = tierform("verify", str(LEDGER), "--plan", str(untagged_plan), "--config-dir",
                    str(module), "--gate", "layer", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert not any("no security group" in w for w in result["warnings"]), result["warnings"]
    # The one warning: web's ACL sends tcp 443 to 0.0.0.0/0, app's inbound rules stop it.
    # It names the rules read from the plan, never the allow-all stand-in that opened
    # app's outbound direction to judge the inbound one alone (it used to: "rule 1").
    rules = [f for f in result["findings"] if f["kind"] == "rule"]
    assert [f["resource"] for f in rules] == [
        'module.vpc.aws_network_acl.this["public"] rule 100 (allow); '
        'module.vpc.aws_network_acl.this["private"] rule 130 (allow)'], rules

    loaded = workflow.load(LEDGER)
    _, network = workflow.read_network(untagged_plan, named_networks=loaded.blueprint.networks,
                                       config_dir=module)
    assert network.tiers == [], "the plan itself names no tier"
    report = workflow.verify_network(loaded, network, gate="layer")
    problems = differences(reach_json(report.reachability, "plan"), load_expected("foreach-vpc"))
    assert not problems, "\n".join(problems)


def test_without_the_mapping_the_groups_sit_on_no_tier(untagged_plan: Path,
                                                        tmp_path: Path) -> None:
    bare = tmp_path / "ledger.yaml"
    bare.write_text("".join(line for line in LEDGER.read_text(encoding="utf-8").splitlines(
        keepends=True) if "security_groups" not in line), encoding="utf-8")
    done = tierform("verify", str(bare), "--plan", str(untagged_plan), "--config-dir",
                    str(COMMUNITY / "foreach-vpc"), "--gate", "layer", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    for tier in ("web", "app", "db"):
        assert f"tier {tier} has no security group" in done.stdout
    assert "ERROR   unintended" in done.stdout
