"""Flows to gateway-endpoint services (``aws:s3``, ``aws:dynamodb``) through a real plan.

Expectations written out by hand from tests/plan/fixtures/gateway_flows.yaml: each
endpoint's route only on the tables of the tiers whose flows name it, the tier's group
egress to the endpoint's prefix list on 443 and nothing else new, the ACL legs (443 out
to 0.0.0.0/0, the return in: ACLs cannot name a prefix list). Then the analyzer reading
the plan: app reaches aws:s3 through its endpoint, db does not (no route, no group
rule), and the reverse for aws:dynamodb.
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

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "gateway_flows.yaml"
ANY = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_each_endpoint_routes_only_the_tables_of_its_flows_tiers(planned: Plan) -> None:
    endpoints = {r.address: r for r in planned.resources("aws_vpc_endpoint")}
    assert sorted(endpoints) == ["aws_vpc_endpoint.dynamodb", "aws_vpc_endpoint.s3"]
    for service in ("s3", "dynamodb"):
        endpoints[f"aws_vpc_endpoint.{service}"].assert_matches({
            "service_name": f"com.amazonaws.us-east-1.{service}",
            "vpc_endpoint_type": "Gateway"})
    tables: dict[str, set[str]] = {}
    for assoc in planned.resources("aws_vpc_endpoint_route_table_association"):
        [endpoint] = planned.references(assoc.address, "vpc_endpoint_id")
        tables.setdefault(endpoint, set()).update(
            planned.references(assoc.address, "route_table_id"))
    assert tables == {
        "aws_vpc_endpoint.s3": {"aws_route_table.app_a", "aws_route_table.app_b"},
        "aws_vpc_endpoint.dynamodb": {"aws_route_table.db_a", "aws_route_table.db_b"},
    }


def _egress(plan: Plan, tier: str) -> set[tuple[str, int, int, str]]:
    found = set()
    for rule in plan.resources("aws_vpc_security_group_egress_rule"):
        if plan.references(rule.address, "security_group_id") != [f"aws_security_group.{tier}"]:
            continue
        peer = (plan.references(rule.address, "referenced_security_group_id")
                or plan.references(rule.address, "prefix_list_id")
                or [str(rule.get("cidr_ipv4"))])
        found.add((rule["ip_protocol"], rule["from_port"], rule["to_port"], peer[0]))
    return found


def test_group_egress_names_the_endpoints_prefix_list_exactly(planned: Plan) -> None:
    assert _egress(planned, "app") == {("tcp", 5432, 5432, "aws_security_group.db"),
                                       ("tcp", 443, 443, "aws_vpc_endpoint.s3")}
    assert _egress(planned, "db") == {("tcp", 443, 443, "aws_vpc_endpoint.dynamodb")}
    assert _egress(planned, "web") == {("tcp", 8080, 8080, "aws_security_group.app")}
    rule = planned.resource("aws_vpc_security_group_egress_rule.app_to_vpce-s3_tcp_443")
    assert rule.get("cidr_ipv4") is None  # the prefix list alone, no CIDR beside it


def _acl(plan: Plan, tier: str) -> set[tuple[bool, int, int, str, int]]:
    found = set()
    for rule in plan.resources("aws_network_acl_rule"):
        if plan.references(rule.address, "network_acl_id") != [f"aws_network_acl.{tier}"]:
            continue
        found.add((bool(rule["egress"]), rule["from_port"], rule["to_port"],
                   rule["cidr_block"], rule["rule_number"]))
    return found


def test_acl_legs_are_443_out_and_the_return_in_on_the_flows_tier_only(planned: Plan) -> None:
    app = {r[:4] for r in _acl(planned, "app") if r[3] == ANY}
    assert app == {(True, 443, 443, ANY), (False, *EPHEMERAL, ANY)}
    db = {r[:4] for r in _acl(planned, "db") if r[3] == ANY}
    assert db == {(True, 443, 443, ANY), (False, *EPHEMERAL, ANY)}
    # The deny band keeps the VPC's own addresses off those 0.0.0.0/0 allows (first match).
    for tier in ("app", "db"):
        rules = _acl(planned, tier)
        allow = min(r[4] for r in rules if r[3] == ANY)
        deny = [r for r in rules if r[3] == "10.0.0.0/16" and r[4] < allow]
        assert {r[0] for r in deny} == {True, False}


def test_analyzer_from_plan_answers_the_services(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw)
    assert network.services == ["aws:dynamodb", "aws:s3"]
    got = reach_json(analyze(network), "plan")
    want = reach_json(analyze(derive(loaded.blueprint, loaded.allocation)), "blueprint")
    assert got["unresolved"] == []
    assert got["flows"] == want["flows"]
    flows = {(f["from"], f["to"], f["protocol"]): f["ports"] for f in got["flows"]}
    assert {k: v for k, v in flows.items() if "aws:" in k[0] + k[1]} == {
        ("app", "aws:s3", "tcp"): [[443, 443]],
        ("db", "aws:dynamodb", "tcp"): [[443, 443]],
    }
    assert not [u for u in got.get("unknown", []) if "aws:" in u["from"] + u["to"]]

    through = query(network, "app", "aws:s3", "tcp", 443)
    assert through.verdict == "reachable"
    route = next(leg for leg in through.legs if leg.layer == "routes" and leg.leg == "forward")
    assert route.resource == "aws_route_table.app_a"
    assert "aws_vpc_endpoint.s3" in route.detail
    assert query(network, "app", "aws:s3", "tcp", 80).verdict == "blocked"

    blocked = query(network, "db", "aws:s3", "tcp", 443)
    assert blocked.verdict == "blocked"
    failed = {(leg.layer, leg.resource) for leg in blocked.legs if not leg.ok}
    assert ("routes", "aws_route_table.db_a") in failed
    assert ("security_groups", "aws_security_group.db") in failed
    # app's NAT path to DynamoDB exists, its group has no rule for it: blocked there.
    other = query(network, "app", "aws:dynamodb", "tcp", 443)
    assert other.verdict == "blocked"
    assert ("security_groups", "aws_security_group.app") in {
        (leg.layer, leg.resource) for leg in other.legs if not leg.ok}
    assert query(network, "app", "internet", "tcp", 443).verdict == "blocked"
