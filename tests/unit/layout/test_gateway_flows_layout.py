"""Flows to ``aws:s3`` / ``aws:dynamodb``: checks, and how they combine with ``endpoints:``.

A service only flows name is routed on their tiers' tables alone; a service that
``endpoints:`` lists keeps every private and isolated table and gains the flows' tiers'
(a public tier's too). Adding such a flow to a module only adds resources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import plan_layout
from tierform.layout.names import addresses
from tierform.render.module import render_module

FIXTURE = (Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "gateway_flows.yaml"
           ).read_text("utf-8")
S3_FLOW = '  - {from: app, to: "aws:s3", ports: [443]}\n'


def _layout(text: str):  # type: ignore[no-untyped-def]
    loaded = load_blueprint_text(text, "t.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


def _codes(text: str) -> list[str]:
    with pytest.raises(BlueprintError) as raised:
        load_blueprint_text(text, "t.yaml")
    return [f.code for f in raised.value.findings]


def test_flow_only_service_routes_its_tiers_tables_alone() -> None:
    by_service = {e.service: e for e in _layout(FIXTURE).endpoints}
    assert by_service["s3"].route_tables == ("app_a", "app_b")
    assert by_service["s3"].clients == ("app",)
    assert not by_service["s3"].listed
    assert by_service["dynamodb"].route_tables == ("db_a", "db_b")


def test_listed_service_keeps_private_and_isolated_tables_and_gains_the_flows() -> None:
    text = FIXTURE.replace("nat: single\n", "nat: single\nendpoints: [s3]\n").replace(
        S3_FLOW, '  - {from: web, to: "aws:s3", ports: [443]}\n')
    [s3] = [e for e in _layout(text).endpoints if e.service == "s3"]
    assert s3.route_tables == ("web_a", "web_b", "app_a", "app_b", "db_a", "db_b")
    assert s3.listed
    assert s3.clients == ("web",)
    rules = [r for r in _layout(text).sg_rules if r.prefix_list == "s3"]
    assert [(r.tier, r.egress, r.from_port, r.to_port) for r in rules] == \
        [("web", True, 443, 443)]


def test_adding_a_gateway_flow_only_adds() -> None:
    before = _layout(FIXTURE.replace(S3_FLOW, ""))
    after = _layout(FIXTURE)
    assert set(before.nacl_rules) <= set(after.nacl_rules)
    assert set(before.sg_rules) <= set(after.sg_rules)
    assert set(addresses(before)) <= set(addresses(after))
    added = set(after.nacl_rules) - set(before.nacl_rules)
    assert {(r.flow, r.egress, r.from_port, r.to_port, r.cidr) for r in added
            if r.flow} == {("app_to_aws:s3_tcp", True, 443, 443, "0.0.0.0/0"),
                           ("app_to_aws:s3_tcp", False, 1024, 65535, "0.0.0.0/0")}
    # app had no internet rule: the deny band before them is new too (VPC CIDR, both ways).
    assert {(r.tier, r.egress, r.cidr) for r in added if r.action == "deny"} == \
        {("app", True, "10.0.0.0/16"), ("app", False, "10.0.0.0/16")}


def test_rendered_rule_names_the_endpoints_prefix_list() -> None:
    loaded = load_blueprint_text(FIXTURE, "t.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    groups = files["security_groups.tf"]
    block = groups[groups.index('"app_to_vpce-s3_tcp_443"'):]
    block = block[:block.index("\n}\n")]
    assert "prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id" in block
    assert "cidr_ipv4" not in block


@pytest.mark.parametrize(("flow", "code"), [
    ('{from: app, to: "aws:s3", protocol: udp, ports: [443]}', "flow-service-protocol"),
    ('{from: app, to: "aws:s3", ports: [80]}', "flow-service-ports"),
    ('{from: "aws:s3", to: app, ports: [443]}', "flow-from-service"),
    ('{from: internet, to: "aws:dynamodb", ports: [443]}', "flow-service-source"),
])
def test_gateway_flows_are_checked_like_service_flows(flow: str, code: str) -> None:
    assert code in _codes(FIXTURE.replace(S3_FLOW, f"  - {flow}\n"))


def test_a_gateway_flow_needs_no_interface_endpoints_key() -> None:
    assert "interface_endpoints" not in FIXTURE
    load_blueprint_text(FIXTURE, "t.yaml")  # valid: no finding
