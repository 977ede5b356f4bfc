"""A secondary VPC CIDR through a real terraform plan: the association, a tier allocated
from the secondary block (its subnets wait for the association), the VPC deny for the
secondary block heading every internet rule set, and the analyzer reading the plan with
both CIDRs as the VPC's (local routes, "internet" excludes both).
Expectations written out by hand from tests/plan/fixtures/growth.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze
from tierform.blueprint.load import load_blueprint
from tierform.layout import plan_layout
from tierform.readers.plan import network_from_plan
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "growth.yaml"


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_secondary_block_and_its_tier(planned: Plan) -> None:
    (assoc,) = planned.resources("aws_vpc_ipv4_cidr_block_association")
    assert assoc["cidr_block"] == "100.64.0.0/16"
    pods = {s.address: s["cidr_block"] for s in planned.resources("aws_subnet", tier="pods")}
    assert pods == {"aws_subnet.pods_a": "100.64.0.0/20", "aws_subnet.pods_b": "100.64.16.0/20"}
    others = {s["cidr_block"] for s in planned.resources("aws_subnet")
              if s.tags.get("Tier") != "pods"}
    assert others == {"10.0.0.0/24", "10.0.1.0/24", "10.0.4.0/24", "10.0.5.0/24"}


def test_every_internet_rule_set_denies_both_vpc_blocks_first(planned: Plan) -> None:
    by_acl: dict[tuple[str, bool], dict[int, tuple[str, str]]] = {}
    for rule in planned.resources("aws_network_acl_rule"):
        (acl,) = planned.references(rule.address, "network_acl_id")
        by_acl.setdefault((acl, rule["egress"]), {})[rule["rule_number"]] = (
            rule["rule_action"], rule["cidr_block"])
    internet = [key for key, rules in by_acl.items()
                if any(c == "0.0.0.0/0" for _, c in rules.values())]
    assert internet
    for key in internet:
        rules = by_acl[key]
        assert rules[15100] == ("deny", "10.0.0.0/16"), key
        assert rules[15102] == ("deny", "100.64.0.0/16"), key
        assert min(n for n, (_, c) in rules.items() if c == "0.0.0.0/0") > 15102


def test_analyzer_from_plan_reads_both_vpc_cidrs(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw)
    assert sorted(str(c) for c in network.vpc_cidrs) == ["10.0.0.0/16", "100.64.0.0/16"]
    got = reach_json(analyze(network), "plan")
    assert got["unresolved"] == []
    want = reach_json(analyze(workflow.check(loaded).network), "blueprint")
    assert got["flows"] == want["flows"]
    flows = {(f["from"], f["to"]): f["ports"] for f in got["flows"]}
    assert flows[("app", "pods")] == [[9000, 9000]]
    assert flows[("pods", "internet")] == [[443, 443]]
    assert workflow.verify_network(loaded, network).ok
