"""A named network ``via: tgw`` through a real terraform plan: the attachment in dedicated
/28 subnets at the top of the VPC with their own route tables and ACL, routes to the
network only on the tables of the tier that talks to it, and the analyzer reading the
plan: corp reaches mgmt on 22 through the transit gateway and nothing else.
Expectations written out by hand from tests/plan/fixtures/transit.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import plan_layout
from tierform.readers.plan import network_from_plan
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "transit.yaml"
TGW = "tgw-0123456789abcdef0"


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      {"transit_gateway_id": TGW}, region="us-east-1",
                      cache_dir=tierform_cache_dir, terraform=tierform_terraform)


def test_attachment_in_dedicated_subnets_at_the_top_of_the_vpc(planned: Plan) -> None:
    (attachment,) = planned.resources("aws_ec2_transit_gateway_vpc_attachment")
    assert attachment.get("transit_gateway_id") == TGW
    assert sorted(planned.references(attachment.address, "subnet_ids")) == \
        ["aws_subnet.transit_a", "aws_subnet.transit_b"]
    subnets = {s.address: (s["cidr_block"], s["availability_zone"], s.tags.get("Tier"))
               for s in planned.resources("aws_subnet") if "transit" in s.address}
    assert subnets == {"aws_subnet.transit_a": ("10.0.255.192/28", "us-east-1a", None),
                       "aws_subnet.transit_b": ("10.0.255.208/28", "us-east-1b", None)}
    for name in ("transit_a", "transit_b"):
        table = planned.resource(f"aws_route_table.{name}")
        assert table["route"] == []
        (assoc,) = [a for a in planned.resources("aws_route_table_association")
                    if planned.references(a.address, "subnet_id") == [f"aws_subnet.{name}"]]
        assert planned.references(assoc.address, "route_table_id") == \
            [f"aws_route_table.{name}"]


def test_transit_acl_admits_only_the_vpc_and_the_transit_network(planned: Plan) -> None:
    rules = {(r["egress"], r["protocol"], r["rule_action"], r["cidr_block"])
             for r in planned.resources("aws_network_acl_rule")
             if planned.references(r.address, "network_acl_id") == ["aws_network_acl.transit"]}
    assert rules == {(egress, "-1", "allow", cidr) for egress in (False, True)
                     for cidr in ("10.0.0.0/16", "192.168.0.0/16")}


def test_routes_to_corp_go_to_the_transit_gateway_on_mgmt_only(planned: Plan) -> None:
    routes = {r.address: (r["destination_cidr_block"], r.get("transit_gateway_id"),
                          planned.references(r.address, "gateway_id"))
              for r in planned.resources("aws_route")
              if r["destination_cidr_block"] != "0.0.0.0/0"}
    assert routes == {
        "aws_route.mgmt_a_corp": ("192.168.0.0/16", TGW, []),
        "aws_route.mgmt_b_corp": ("192.168.0.0/16", TGW, []),
        "aws_route.mgmt_a_branch": ("172.16.0.0/16", None, ["aws_vpn_gateway.this"]),
        "aws_route.mgmt_b_branch": ("172.16.0.0/16", None, ["aws_vpn_gateway.this"]),
    }


def test_analyzer_from_plan_corp_reaches_mgmt_on_22_only(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw, named_networks=loaded.blueprint.network_cidrs)
    result = analyze(network)
    got = reach_json(result, "plan")
    assert got["unresolved"] == []
    corp = {(f["to"], f["protocol"]): f["ports"] for f in got["flows"] if f["from"] == "corp"}
    assert corp == {("mgmt", "tcp"): [[22, 22]]}
    assert not [f for f in got["flows"] if f["to"] == "corp"]
    assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
    assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
    assert any("reaches corp" in a and "transit" in a for a in result.assumptions)
    kinds = {r.kind for t in network.route_tables.values() for r in t.routes
             if r.destination == "192.168.0.0/16"}
    assert kinds == {"tgw"}
    report = workflow.verify_network(loaded, network)
    assert report.ok, [f.message for f in report.findings]
    derived = reach_json(analyze(workflow.check(loaded).network), "blueprint")
    assert got["flows"] == derived["flows"]
