"""Interface endpoints (flows to ``aws:<service>``) through a real terraform plan.

The expectations are written out by hand from tests/plan/fixtures/endpoints.yaml: the
endpoint in app's subnets with private DNS, a group per endpoint that admits only the
tiers whose flows name the service on 443, the clients' egress to that group, the ACL
legs on both sides and nothing wider. Then the analyzer, reading the plan: db reaches
aws:ssm and aws:kms on 443 only, web reaches neither, and no flow leaves the endpoints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import derive, plan_layout
from tierform.readers.plan import network_from_plan
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "endpoints.yaml"
APP = "10.0.4.0/22"  # app's netmask block (4 AZ slots of /24)
DB = "10.0.8.0/22"
EPHEMERAL = (1024, 65535)


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_one_interface_endpoint_per_service_in_the_endpoint_tier(planned: Plan) -> None:
    endpoints = {r.address: r for r in planned.resources("aws_vpc_endpoint")}
    assert sorted(endpoints) == ["aws_vpc_endpoint.kms", "aws_vpc_endpoint.ssm"]
    for service, endpoint in (("kms", endpoints["aws_vpc_endpoint.kms"]),
                              ("ssm", endpoints["aws_vpc_endpoint.ssm"])):
        endpoint.assert_matches({
            "service_name": f"com.amazonaws.us-east-1.{service}",
            "vpc_endpoint_type": "Interface", "private_dns_enabled": True})
        assert sorted(planned.references(endpoint.address, "subnet_ids")) == \
            ["aws_subnet.app_a", "aws_subnet.app_b"]
        assert planned.references(endpoint.address, "security_group_ids") == \
            [f"aws_security_group.vpce_{service}"]


def _group_rules(plan: Plan, group: str) -> set[tuple[str, str, int, int, str]]:
    found = set()
    for kind in ("ingress", "egress"):
        for rule in plan.resources(f"aws_vpc_security_group_{kind}_rule"):
            if plan.references(rule.address, "security_group_id") != [group]:
                continue
            peers = plan.references(rule.address, "referenced_security_group_id")
            peer = peers[0] if peers else str(rule.get("cidr_ipv4"))
            found.add((kind, rule["ip_protocol"], rule["from_port"],
                       rule["to_port"], peer))
    return found


def test_endpoint_groups_admit_only_the_named_tiers_on_443(planned: Plan) -> None:
    assert _group_rules(planned, "aws_security_group.vpce_ssm") == {
        ("ingress", "tcp", 443, 443, "aws_security_group.app"),
        ("ingress", "tcp", 443, 443, "aws_security_group.db"),
    }
    assert _group_rules(planned, "aws_security_group.vpce_kms") == {
        ("ingress", "tcp", 443, 443, "aws_security_group.db"),
    }
    db_out = {r for r in _group_rules(planned, "aws_security_group.db") if r[0] == "egress"}
    assert db_out == {("egress", "tcp", 443, 443, "aws_security_group.vpce_ssm"),
                      ("egress", "tcp", 443, 443, "aws_security_group.vpce_kms")}


def _acl(plan: Plan, tier: str) -> set[tuple[bool, str, str, int, int, str]]:
    found = set()
    for rule in plan.resources("aws_network_acl_rule"):
        if plan.references(rule.address, "network_acl_id") != [f"aws_network_acl.{tier}"]:
            continue
        v = rule
        found.add((bool(v["egress"]), v["rule_action"], v["protocol"], v["from_port"],
                   v["to_port"], v["cidr_block"]))
    return found


def test_acl_legs_on_both_sides_and_nothing_wider(planned: Plan) -> None:
    # db: only its flows from app (5432) and to the endpoints in app (443, twice: one rule
    # set per flow, numbered by the flow's id), with their return legs.
    assert _acl(planned, "db") == {
        (False, "allow", "tcp", 5432, 5432, APP),
        (True, "allow", "tcp", *EPHEMERAL, APP),
        (True, "allow", "tcp", 443, 443, APP),
        (False, "allow", "tcp", *EPHEMERAL, APP),
    }
    app = _acl(planned, "app")
    assert (False, "allow", "tcp", 443, 443, DB) in app  # db's connections to the endpoints
    assert (True, "allow", "tcp", *EPHEMERAL, DB) in app  # their replies
    assert (False, "allow", "tcp", 443, 443, APP) in app  # app's own, across its AZs
    # Nothing on app's ACL admits 443 from web or the internet.
    assert not [r for r in app if not r[0] and r[3] <= 443 <= r[4] and r[5] not in (APP, DB)]
    numbers = [r["rule_number"] for r in planned.resources("aws_network_acl_rule")
               if planned.references(r.address, "network_acl_id") == ["aws_network_acl.db"]
               and r["egress"] and r["from_port"] == 443]
    assert len(numbers) == len(set(numbers)) == 2


def test_analyzer_from_plan_matches_the_blueprint(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw)
    assert sorted(e.endpoint for e in network.interface_endpoints.values()) == \
        ["aws:kms", "aws:ssm"]
    got = reach_json(analyze(network), "plan")
    want = reach_json(analyze(derive(loaded.blueprint, loaded.allocation)), "blueprint")
    assert got["unresolved"] == []
    assert got["flows"] == want["flows"]
    flows = {(f["from"], f["to"], f["protocol"]): f["ports"] for f in got["flows"]}
    assert flows[("db", "aws:ssm", "tcp")] == [[443, 443]]
    assert flows[("db", "aws:kms", "tcp")] == [[443, 443]]
    assert flows[("app", "aws:ssm", "tcp")] == [[443, 443]]
    assert ("app", "aws:kms", "tcp") not in flows
    assert not [k for k in flows if k[0] in ("web", "internet") and k[1].startswith("aws:")]
    assert not [k for k in flows if k[0].startswith("aws:")]
    verdict = query(network, "web", "aws:ssm", "tcp", 443)
    assert verdict.verdict == "blocked"
    assert query(network, "db", "aws:ssm", "tcp", 443).verdict == "reachable"
    assert query(network, "db", "aws:ssm", "tcp", 80).verdict == "blocked"
