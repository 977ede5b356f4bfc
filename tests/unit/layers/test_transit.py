"""Named networks via a transit gateway: the short form stays valid, the dedicated /28s
come from one allocator rule that nothing moves, and only tiers that talk to the network
get a route to it (through the transit gateway, not the VPN gateway)."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
import yaml

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.allocate import dedicated_block, dedicated_subnets
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import plan_layout
from tierform.report import query_json, query_text, reach_json

BASE = {
    "tierform": 1, "name": "hybrid", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "networks": {"corp": {"cidr": "192.168.0.0/16", "via": "tgw"}, "branch": "172.16.0.0/16"},
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "mgmt": {"exposure": "isolated", "netmask": 24}},
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "corp", "to": "mgmt", "ports": [22]}],
}


def _load(**changes: object):  # type: ignore[no-untyped-def]
    return load_blueprint_text(yaml.safe_dump({**BASE, **changes}, sort_keys=False), "h.yaml")


def test_short_and_long_forms_of_a_named_network() -> None:
    bp = _load().blueprint
    assert bp.network_cidrs == {"corp": (IPv4Network("192.168.0.0/16"),),
                                "branch": (IPv4Network("172.16.0.0/16"),)}
    assert (bp.network_via("corp"), bp.network_via("branch")) == ("tgw", "vgw")
    with pytest.raises(BlueprintError):
        _load(networks={"corp": {"cidr": "192.168.0.0/16", "via": "dx"}})


def test_dedicated_block_depends_on_the_vpc_and_zones_only() -> None:
    bp = _load().blueprint
    assert dedicated_block(bp, "transit") == IPv4Network("10.0.255.192/26")
    assert dedicated_subnets(bp, "transit") == {
        "us-east-1a": IPv4Network("10.0.255.192/28"),
        "us-east-1b": IPv4Network("10.0.255.208/28")}
    grown = _load(tiers={**BASE["tiers"], "app": {"exposure": "private", "netmask": 20}},  # type: ignore[dict-item]
                  availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"])
    assert dedicated_subnets(grown.blueprint, "transit")["us-east-1a"] == \
        IPv4Network("10.0.255.192/28")


def test_a_tier_in_the_dedicated_block_is_refused() -> None:
    tiers = {**BASE["tiers"], "top": {"exposure": "isolated",  # type: ignore[dict-item]
                                      "cidrs": ["10.0.255.192/28", "10.0.255.224/28"]}}
    with pytest.raises(BlueprintError) as caught:
        _load(tiers=tiers)
    assert [f.code for f in caught.value.findings] == ["cidr-overlap"] * 2  # both CIDRs
    assert "transit gateway attachment" in caught.value.findings[0].message


def test_routes_and_gateways_by_way_in() -> None:
    loaded = _load(flows=[*BASE["flows"], {"from": "branch", "to": "mgmt", "ports": [22]}])  # type: ignore[list-item]
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    assert {(r.name, r.via) for r in layout.network_routes} == {
        ("mgmt_a_corp", "tgw"), ("mgmt_b_corp", "tgw"),
        ("mgmt_a_branch", "vgw"), ("mgmt_b_branch", "vgw")}
    assert layout.has_vgw
    assert layout.transit is not None
    assert layout.transit.networks == ("corp",)
    assert [n for n, _, _ in layout.transit.subnets] == ["transit_a", "transit_b"]
    only_tgw = _load()
    assert not plan_layout(only_tgw.blueprint, only_tgw.allocation).has_vgw
    no_flow = _load(flows=BASE["flows"][:1])  # type: ignore[index]
    assert plan_layout(no_flow.blueprint, no_flow.allocation).transit is None


def test_transit_resources_only_add_on_growth() -> None:
    one = _load()
    two = _load(flows=[*BASE["flows"], {"from": "mgmt", "to": "corp", "ports": [443]}],  # type: ignore[list-item]
                tiers={**BASE["tiers"], "db": {"exposure": "isolated", "netmask": 24}})  # type: ignore[dict-item]
    a = plan_layout(one.blueprint, one.allocation)
    b = plan_layout(two.blueprint, two.allocation)
    assert a.transit == b.transit
    assert set(a.network_routes) <= set(b.network_routes)


def test_analyzer_corp_reaches_mgmt_through_the_transit_gateway_only() -> None:
    checked = workflow.check(_load())
    net = checked.network
    result = analyze(net)
    flows = {(f.src, f.dst, f.protocol): str(f.ports) for f in result.flows}
    assert flows[("corp", "mgmt", "tcp")] == "22"
    assert not [k for k in flows if "corp" in k[:2] and k != ("corp", "mgmt", "tcp")]
    assert query(net, "corp", "mgmt", "tcp", 22).verdict == "reachable"
    assert query(net, "corp", "web", "tcp", 22).verdict == "blocked"
    assert any("var.transit_gateway_id reaches corp" in a for a in result.assumptions)
    # Said per pair too (R8, V6): the JSON flow, the query's answer and its text.
    assert result.assumed_for("corp", "mgmt") == ["var.transit_gateway_id reaches corp"]
    assert result.assumed_for("web", "mgmt") == []
    document = reach_json(result, "blueprint")
    assert document["assumed"] == [
        {"from": "corp", "to": "mgmt", "gateways": ["var.transit_gateway_id reaches corp"]}]
    assert all("assumed" not in f for f in document["flows"])  # flows compare across sources
    answer = query(net, "corp", "mgmt", "tcp", 22)
    assert answer.assumed == ("var.transit_gateway_id reaches corp",)
    assert query_json(answer)["assumed"] == ["var.transit_gateway_id reaches corp"]
    assert "assumed: var.transit_gateway_id reaches corp" in query_text(answer)
    assert query(net, "mgmt", "web", "tcp", 22).assumed == ()
    assert workflow.verify_network(checked.loaded, net).ok
    # The attachment's subnets hold no tier: they are not endpoints.
    assert "transit" not in net.tiers


def test_transit_subnets_count_against_the_subnet_quota() -> None:
    with pytest.raises(BlueprintError) as caught:
        workflow.check(_load(limits={"subnets_per_vpc": 5}))
    (finding,) = caught.value.findings
    assert finding.code == "subnet-quota"
    assert "+ 2 transit attachment subnets = 6" in finding.message
    workflow.check(_load(limits={"subnets_per_vpc": 6}))


def test_transit_acl_number_clash_is_refused_not_resolved() -> None:
    # 2.170.0.0/16 and the VPC CIDR hash to the same slot (tierform.layout.numbering).
    loaded = _load(networks={"corp": {"cidr": "2.170.0.0/16", "via": "tgw"}})
    with pytest.raises(BlueprintError) as caught:
        workflow.check(loaded)
    assert [f.code for f in caught.value.findings] == ["rule-number-clash"]
