"""A named network ``via: vgw`` with ``vpn`` through a real terraform plan: the customer
gateway, a static-routes-only VPN connection to the module's virtual private gateway and
one connection route per network CIDR; a network without ``vpn`` gets none. The analyzer
reading the plan: corp reaches mgmt on 22 only, with the gateway's far side assumed (and
said so), never more. Expectations written out by hand from tests/plan/fixtures/vpn.yaml.
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

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "vpn.yaml"


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)), {},
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_customer_gateway_and_static_vpn_to_the_modules_gateway(planned: Plan) -> None:
    (gateway,) = planned.resources("aws_customer_gateway")
    assert gateway.address == "aws_customer_gateway.corp"
    assert (gateway["ip_address"], str(gateway["bgp_asn"]), gateway["type"]) == \
        ("198.51.100.7", "65010", "ipsec.1")
    (vpn,) = planned.resources("aws_vpn_connection")
    assert vpn.address == "aws_vpn_connection.corp"
    assert (vpn["static_routes_only"], vpn["type"]) == (True, "ipsec.1")
    assert planned.references(vpn.address, "vpn_gateway_id") == ["aws_vpn_gateway.this"]
    assert planned.references(vpn.address, "customer_gateway_id") == \
        ["aws_customer_gateway.corp"]
    assert not planned.resources("aws_vpn_gateway_attachment")  # vpc_id attaches it
    routes = {r.address: (r["destination_cidr_block"],
                          planned.references(r.address, "vpn_connection_id"))
              for r in planned.resources("aws_vpn_connection_route")}
    assert routes == {"aws_vpn_connection_route.corp_192_168_0_0_16":
                      ("192.168.0.0/16", ["aws_vpn_connection.corp"])}


def test_vpc_routes_to_both_networks_go_to_the_gateway_on_mgmt_only(planned: Plan) -> None:
    routes = {r.address: (r["destination_cidr_block"],
                          planned.references(r.address, "gateway_id"))
              for r in planned.resources("aws_route")
              if r["destination_cidr_block"] != "0.0.0.0/0"}
    gateway = ["aws_vpn_gateway.this"]
    assert routes == {
        "aws_route.mgmt_a_corp": ("192.168.0.0/16", gateway),
        "aws_route.mgmt_b_corp": ("192.168.0.0/16", gateway),
        "aws_route.mgmt_a_lab": ("172.16.0.0/16", gateway),
        "aws_route.mgmt_b_lab": ("172.16.0.0/16", gateway),
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
    assert query(network, "corp", "mgmt", "tcp", 23).verdict == "blocked"
    assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
    # The VPN side is not read: the gateway reaching corp is an assumption, stated.
    assert any("aws_vpn_gateway.this reaches corp" in a for a in result.assumptions)
    report = workflow.verify_network(loaded, network)
    assert report.ok, [f.message for f in report.findings]
    derived = reach_json(analyze(workflow.check(loaded).network), "blueprint")
    assert got["flows"] == derived["flows"]
