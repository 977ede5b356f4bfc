"""derive: the shipped networks have exactly the rules their flows need, one NACL rule per
peer tier (its block or its CIDRs' exact aggregates), numbered in the documented bands."""

from __future__ import annotations

import hashlib
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.blueprint.load import load_blueprint_text
from tierform.blueprint.model import Blueprint
from tierform.layout import Layout, derive, plan_layout
from tierform.layout.numbering import (
    DENY_FIRST,
    INTERNET_FIRST,
    NETWORK_DENY_FIRST,
    PEER_FIRST,
    SLOTS,
    flow_slot,
    rule_number,
)
from tierform.layout.plan import peer_cidrs
from tierform.network.model import Network, Route

ROOT = Path(__file__).resolve().parents[3]
EPH = (1024, 65535)
WEB = ["10.0.1.0/24", "10.0.2.0/24"]  # 1 and 2: no exact /23 covers both
APP = ["10.0.11.0/24", "10.0.12.0/24"]
DB = ["10.0.21.0/24", "10.0.22.0/24"]
VPC = "10.0.0.0/16"
ANY = "0.0.0.0/0"


def explicit_allocation(bp: Blueprint) -> dict[str, dict[str, IPv4Network]]:
    """Tier -> AZ -> CIDR for blueprints whose tiers all give explicit cidrs."""
    return {tier: dict(zip(bp.availability_zones, spec.cidrs or [], strict=True))
            for tier, spec in bp.tiers.items()}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / f"{name}.yaml").read_text())
    return data


def derive_data(data: dict[str, Any]) -> Network:
    bp = Blueprint.model_validate(data)
    return derive(bp, explicit_allocation(bp))


def _layout(data: dict[str, Any]) -> Layout:
    bp = Blueprint.model_validate(data)
    return plan_layout(bp, explicit_allocation(bp))


@pytest.fixture(scope="module")
def three() -> Network:
    return derive_data(load("three-tier"))


def nacl_rules(net: Network, tier: str, egress: bool) -> set[tuple[str, str, str, int, int]]:
    return {(e.action, e.protocol, e.cidr, e.from_port, e.to_port)
            for e in net.nacls[f"aws_network_acl.{tier}"].entries if e.egress == egress}


def sg_rules(net: Network, tier: str, egress: bool) -> set[tuple[str, int, int, str | None]]:
    return {(r.protocol, r.from_port, r.to_port, r.cidr or r.group)
            for r in net.security_groups[f"aws_security_group.{tier}"].rules
            if r.egress == egress}


def allow(protocol: str, cidr: str, ports: tuple[int, int]) -> tuple[str, str, str, int, int]:
    return ("allow", protocol, cidr, *ports)


DENY_VPC = ("deny", "-1", VPC, 0, 65535)


def test_three_tier_subnets_and_tiers(three: Network) -> None:
    assert three.tiers == ["web", "app", "db"]
    assert {str(s.cidr) for s in three.subnets_of("db")} == set(DB)
    assert three.subnets["aws_subnet.web_a"].az == "us-east-1a"
    assert not any(s.map_public_ip for s in three.subnets.values())


def test_three_tier_routes(three: Network) -> None:
    def default_route(subnet: str) -> tuple[str, str | None] | None:
        table = three.route_table_of(f"aws_subnet.{subnet}")
        assert table is not None
        assert not table.is_main
        return (table.routes[0].kind, table.routes[0].target) if table.routes else None

    assert default_route("web_a") == ("igw", "aws_internet_gateway.this")
    assert default_route("app_a") == ("nat", "aws_nat_gateway.web_a")
    assert default_route("app_b") == ("nat", "aws_nat_gateway.web_b")
    assert default_route("db_a") is None
    assert default_route("db_b") is None
    assert three.nat_gateways["aws_nat_gateway.web_b"].subnet_id == "aws_subnet.web_b"


def test_three_tier_defaults_fail_closed(three: Network) -> None:
    main = three.route_tables["aws_default_route_table.this"]
    assert main.is_main
    assert main.routes == ()
    assert main.subnet_ids == frozenset()
    default_nacl = three.nacls["aws_default_network_acl.this"]
    assert default_nacl.is_default
    assert default_nacl.entries == ()
    default_sg = three.security_groups["aws_default_security_group.this"]
    assert default_sg.is_default
    assert default_sg.rules == ()
    for subnet in three.subnets:
        nacl = three.nacl_of(subnet)
        assert nacl is not None
        assert not nacl.is_default


def test_three_tier_web_nacl_exactly(three: Network) -> None:
    assert nacl_rules(three, "web", egress=False) == {
        DENY_VPC,  # 0.0.0.0/0 below means outside the VPC
        allow("6", ANY, (80, 80)), allow("6", ANY, (443, 443)),
        allow("6", APP[0], EPH), allow("6", APP[1], EPH),  # web_to_app return
    }
    assert nacl_rules(three, "web", egress=True) == {
        DENY_VPC,
        allow("6", ANY, EPH),  # one return leg for 80 and 443 (one flow)
        allow("6", APP[0], (8080, 8080)), allow("6", APP[1], (8080, 8080)),
    }


def test_three_tier_app_and_db_nacls_exactly(three: Network) -> None:
    assert nacl_rules(three, "app", egress=False) == {
        allow("6", WEB[0], (8080, 8080)), allow("6", WEB[1], (8080, 8080)),
        allow("6", DB[0], EPH), allow("6", DB[1], EPH)}
    assert nacl_rules(three, "app", egress=True) == {
        allow("6", WEB[0], EPH), allow("6", WEB[1], EPH),
        allow("6", DB[0], (3306, 3306)), allow("6", DB[1], (3306, 3306))}
    assert nacl_rules(three, "db", egress=False) == {
        allow("6", APP[0], (3306, 3306)), allow("6", APP[1], (3306, 3306))}
    assert nacl_rules(three, "db", egress=True) == {
        allow("6", APP[0], EPH), allow("6", APP[1], EPH)}
    # No flow lets app reach the internet: nothing to or from 0.0.0.0/0 on app or db.
    for tier in ("app", "db"):
        assert all(e.cidr != ANY for e in three.nacls[f"aws_network_acl.{tier}"].entries)


def test_rule_numbers_follow_the_flow_id_slot() -> None:
    """D4/D7: a flow's k-th rule on one ACL direction is band first + 10 * slot + k, and the
    slot is SHA-256 of the id (first 8 bytes, big-endian) modulo 1,500."""
    layout = _layout(load("three-tier"))
    for rule in layout.nacl_rules:
        if rule.flow is None:
            continue
        slot = int.from_bytes(hashlib.sha256(rule.flow.encode()).digest()[:8], "big") % 1500
        first = INTERNET_FIRST if rule.cidr == ANY else PEER_FIRST
        assert rule.rule_number == first + 10 * slot + rule.index, rule
        assert rule.name == f"{rule.tier}_{'out' if rule.egress else 'in'}_{rule.rule_number}"
    web_in = sorted((r.rule_number, r.flow, r.from_port) for r in layout.nacl_rules
                    if r.tier == "web" and not r.egress)
    https = flow_slot("internet_to_web_tcp")
    assert (INTERNET_FIRST + 10 * https, "internet_to_web_tcp", 80) in web_in
    assert (INTERNET_FIRST + 10 * https + 1, "internet_to_web_tcp", 443) in web_in
    assert (DENY_FIRST, None, 0) in web_in
    # Bands in order: peers, denies, internet (first match, D4).
    assert [n for n, flow, _ in web_in if flow == "web_to_app_tcp"] == [
        PEER_FIRST + 10 * flow_slot("web_to_app_tcp"), PEER_FIRST + 10 * flow_slot(
            "web_to_app_tcp") + 1]
    assert max(r.rule_number for r in layout.nacl_rules if r.band == "peer") < DENY_FIRST
    assert min(r.rule_number for r in layout.nacl_rules if r.band == "internet") > max(
        r.rule_number for r in layout.nacl_rules if r.band == "deny")


def test_a_flow_overflowing_its_slot_continues_in_the_next_one() -> None:
    assert [rule_number("peer", 7, k) for k in (0, 9, 10, 19)] == [170, 179, 180, 189]
    assert rule_number("peer", SLOTS - 1, 10) == PEER_FIRST  # wraps within the band
    assert rule_number("internet", 7, 3) == rule_number("peer", 7, 3) + 16000
    data = load("three-tier")
    data["flows"][0]["ports"] = list(range(8000, 8024, 2))  # 12 ranges: 12 rules inbound
    layout = _layout(data)
    numbers = sorted(r.rule_number for r in layout.nacl_rules
                     if r.flow == "internet_to_web_tcp" and not r.egress)
    slot = flow_slot("internet_to_web_tcp")
    assert numbers == sorted(rule_number("internet", slot, k) for k in range(12))


def test_three_tier_security_groups_exactly(three: Network) -> None:
    sg = "aws_security_group."
    assert sg_rules(three, "web", egress=False) == {
        ("6", 80, 80, ANY), ("6", 443, 443, ANY)}
    assert sg_rules(three, "web", egress=True) == {("6", 8080, 8080, sg + "app")}
    assert sg_rules(three, "app", egress=False) == {("6", 8080, 8080, sg + "web")}
    assert sg_rules(three, "app", egress=True) == {("6", 3306, 3306, sg + "db")}
    assert sg_rules(three, "db", egress=False) == {("6", 3306, 3306, sg + "app")}
    assert sg_rules(three, "db", egress=True) == set()
    descriptions = [r.description for g in three.security_groups.values() for r in g.rules]
    assert "flow web_to_app_tcp: web to app tcp 8080" in descriptions
    assert not any(d.startswith("flow 2") for d in descriptions)
    assert three.tier_groups == {t: (sg + t,) for t in ("web", "app", "db")}


def test_nat_legs_on_private_and_nat_subnet_acls() -> None:
    data = load("three-tier")
    data["flows"].append({"from": "app", "to": "internet", "ports": [443]})
    net = derive_data(data)
    # Private tier: out to anywhere on 443, replies back from anywhere (A5: source kept),
    # both in the internet band behind a deny of the VPC.
    app_in, app_out = nacl_rules(net, "app", False), nacl_rules(net, "app", True)
    assert {DENY_VPC, allow("6", ANY, (443, 443))} <= app_out
    assert {DENY_VPC, allow("6", ANY, EPH)} <= app_in
    # NAT subnet (web): both legs; the private tier's CIDRs in the peer band.
    web_in, web_out = nacl_rules(net, "web", False), nacl_rules(net, "web", True)
    assert {allow("6", APP[0], (443, 443)), allow("6", APP[1], (443, 443))} <= web_in
    assert allow("6", ANY, (443, 443)) in web_out
    assert {allow("6", APP[0], EPH), allow("6", APP[1], EPH)} <= web_out
    # Replies from the internet reach the NAT on ephemeral ports.
    assert allow("6", ANY, EPH) in web_in
    assert ("6", 443, 443, ANY) in sg_rules(net, "app", egress=True)
    # One deny per direction, whatever the number of internet rules.
    assert sum(1 for e in net.nacls["aws_network_acl.web"].entries if e.action == "deny") == 2
    descriptions = {r.description for r in _layout(data).nacl_rules if r.tier == "web"}
    assert "flow app_to_internet_tcp via NAT: app to internet tcp 443" in descriptions
    assert "flow app_to_internet_tcp via NAT return: internet to app tcp 1024-65535" \
        in descriptions


def test_internet_band_denies_vpc_and_named_networks_first() -> None:
    """NETWORK_SEMANTICS: internet = outside the VPC and the named networks. Without the
    denies, app's 0.0.0.0/0:443 egress let app reach web:443 (the NAT leg admits app)."""
    net = derive_data(load("four-tier"))
    for tier in ("web", "app"):
        for egress in (False, True):
            entries = sorted((e for e in net.nacls[f"aws_network_acl.{tier}"].entries
                              if e.egress == egress), key=lambda e: e.rule_number)
            internet = [e for e in entries if e.cidr == ANY]
            assert internet, (tier, egress)
            assert all(e.rule_number >= INTERNET_FIRST for e in internet)
            assert all(e.cidr != ANY for e in entries if e.rule_number < DENY_FIRST)
            denies = [(e.rule_number, e.protocol, e.cidr) for e in entries
                      if e.action == "deny"]
            assert denies == [(DENY_FIRST, "-1", "10.30.0.0/16"),
                              (NETWORK_DENY_FIRST, "-1", "192.168.0.0/16")]
    # Tiers without internet flows get no deny rules at all.
    for tier in ("db", "mgmt"):
        assert all(e.action == "allow" for e in net.nacls[f"aws_network_acl.{tier}"].entries)
    layout_rules = {r.name: r for r in _layout(load("four-tier")).nacl_rules}
    deny = layout_rules[f"app_out_{DENY_FIRST}"]
    assert deny.description == "deny: internet rules below exclude the VPC and named networks"
    assert deny.flow is None


def test_named_network_routes_through_the_vpn_gateway() -> None:
    data = load("four-tier")
    net = derive_data(data)
    for az in "abc":
        table = net.route_table_of(f"aws_subnet.mgmt_{az}")
        assert table is not None
        assert [(r.destination, r.kind, r.target, r.source) for r in table.routes] == [
            ("0.0.0.0/0", "nat", "aws_nat_gateway.web_a", f"aws_route.mgmt_{az}_default"),
            ("192.168.0.0/16", "vgw", "aws_vpn_gateway.this", f"aws_route.mgmt_{az}_corp"),
            *((f"com.amazonaws.us-west-2.{service}", "endpoint", f"aws_vpc_endpoint.{service}",
               f"aws_vpc_endpoint.{service}") for service in ("s3", "dynamodb"))]
    for tier in ("web", "app", "db"):
        table = net.route_table_of(f"aws_subnet.{tier}_a")
        assert table is not None
        assert all(r.kind != "vgw" for r in table.routes)
    assert _layout(data).has_vgw
    # Either direction counts, and isolated tiers get the route too (never the internet).
    data["flows"].append({"from": "db", "to": "corp", "ports": [443]})
    layout = _layout(data)
    assert [r.name for r in layout.network_routes_of("db_b")] == ["db_b_corp"]
    # No flow names a network: no gateway, no routes.
    three = _layout(load("three-tier"))
    assert not three.has_vgw
    assert three.network_routes == ()


def test_internet_ingress_return_leg_and_named_network() -> None:
    net = derive_data(load("four-tier"))
    assert allow("6", "192.168.0.0/16", (22, 22)) in nacl_rules(net, "mgmt", egress=False)
    assert allow("6", "192.168.0.0/16", EPH) in nacl_rules(net, "mgmt", egress=True)
    assert ("6", 22, 22, "192.168.0.0/16") in sg_rules(net, "mgmt", egress=False)
    assert net.named_networks == {"corp": (IPv4Network("192.168.0.0/16"),)}
    # single NAT: every private subnet routes to the one NAT in the first AZ.
    targets = {net.route_table_of(f"aws_subnet.{t}_{az}").routes[0].target  # type: ignore[union-attr]
               for t in ("app", "mgmt") for az in "abc"}
    assert targets == {"aws_nat_gateway.web_a"}
    endpoint = net.endpoints["aws_vpc_endpoint.s3"]
    assert endpoint.route_table_ids == frozenset(
        f"aws_route_table.{t}_{az}" for t in ("app", "db", "mgmt") for az in "abc")
    # R5: each served table also holds the prefix-list route, as the plan reader records it.
    for table in net.route_tables.values():
        routed = {r.target for r in table.routes if r.kind == "endpoint"}
        served = {e.id for e in net.endpoints.values() if table.id in e.route_table_ids}
        assert routed == served, table.id
    assert net.route_tables["aws_route_table.db_a"].routes[0] == Route(
        "com.amazonaws.us-west-2.s3", "endpoint", "aws_vpc_endpoint.s3", "aws_vpc_endpoint.s3")


def test_same_tier_flow_and_protocols() -> None:
    data = load("three-tier")
    data["flows"] += [
        {"from": "app", "to": "app", "ports": [7000]},
        {"from": "web", "to": "db", "protocol": "icmp"},
        {"from": "app", "to": "db", "protocol": "udp", "ports": ["5000-5002"]},
    ]
    net = derive_data(data)
    app_in = nacl_rules(net, "app", egress=False)
    assert allow("6", APP[1], (7000, 7000)) in app_in  # app_a -> app_b crosses the ACL
    assert ("6", 7000, 7000, "aws_security_group.app") in sg_rules(net, "app", egress=False)
    # Forward and return legs of one flow on one ACL direction: distinct numbers.
    same = [r for r in _layout(data).nacl_rules if r.flow == "app_to_app_tcp"
            and r.egress]
    assert sorted(r.index for r in same) == [0, 1, 2, 3]
    assert {(r.leg, r.from_port) for r in same} == {("forward", 7000), ("return", 1024)}
    icmp = [e for e in net.nacls["aws_network_acl.db"].entries if e.protocol == "1"]
    assert icmp
    assert all(e.icmp_type == -1 for e in icmp)
    assert ("17", 5000, 5002, "aws_security_group.app") in sg_rules(net, "db", egress=False)
    assert any(r[1] == "17" and r[3:] == EPH for r in nacl_rules(net, "db", egress=True))


# ------------------------------------------------------------------ one rule per peer tier

def _netmask_blueprint(zones: int) -> str:
    names = [f"us-east-1{c}" for c in "abcdef"[:zones]]
    return f"""\
tierform: 1
name: per-tier
region: us-east-1
vpc: {{cidr: 10.0.0.0/16}}
availability_zones: [{", ".join(names)}]
networks: {{corp: 192.168.0.0/16}}
tiers:
  web: {{exposure: public, netmask: 24}}
  app: {{exposure: private, netmask: 24}}
  db: {{exposure: isolated, netmask: 26}}
nat: single
flows:
  - {{from: internet, to: web, ports: [443]}}
  - {{from: web, to: app, ports: [8080, 8443]}}
  - {{from: app, to: db, ports: [5432]}}
  - {{from: app, to: internet, ports: [443]}}
  - {{from: corp, to: app, ports: [22]}}
"""


def _rules_per_flow(text: str) -> dict[tuple[str | None, str, bool], int]:
    loaded = load_blueprint_text(text, "bp.yaml")
    counts: dict[tuple[str | None, str, bool], int] = {}
    for rule in plan_layout(loaded.blueprint, loaded.allocation).nacl_rules:
        key = (rule.flow, rule.tier, rule.egress)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_rules_per_flow_do_not_grow_with_the_zone_count() -> None:
    """Netmask tiers are named by their reserved block: 2, 3 and 6 zones, the same rules."""
    counts = {zones: _rules_per_flow(_netmask_blueprint(zones)) for zones in (2, 3, 6)}
    assert counts[2] == counts[3] == counts[6]
    # web_to_app: 2 port ranges -> 2 forward rules on each end, 1 return leg on each end.
    assert counts[2][("web_to_app_tcp", "web", True)] == 2
    assert counts[2][("web_to_app_tcp", "app", True)] == 1
    # 20 flow rules (internet_to_web 2, web_to_app 6, app_to_db 4, app_to_internet 6 with
    # its NAT legs, corp_to_app 2) and 8 denies (VPC and corp, both ways, on web and app).
    assert sum(counts[2].values()) == sum(counts[6].values()) == 28
    assert sum(n for (flow, _, _), n in counts[6].items() if flow is None) == 8


def test_netmask_tiers_are_named_by_their_whole_block() -> None:
    loaded = load_blueprint_text(_netmask_blueprint(3), "bp.yaml")
    cidrs = peer_cidrs(loaded.blueprint, loaded.allocation)
    # 4 slots of /24 per tier: web 10.0.0.0/22, app 10.0.4.0/22; db's 4 /26 slots a /24.
    assert cidrs == {"web": ["10.0.0.0/22"], "app": ["10.0.4.0/22"], "db": ["10.0.8.0/24"]}
    for tier, (block,) in cidrs.items():
        assert all(s.subnet_of(IPv4Network(block))
                   for s in loaded.allocation[tier].values())
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    db_in = {(r.cidr, r.from_port) for r in layout.nacl_rules if r.tier == "db" and not r.egress}
    assert db_in == {("10.0.4.0/22", 5432)}


def test_explicit_cidrs_by_their_exact_aggregates() -> None:
    bp = Blueprint.model_validate(load("four-tier"))
    cidrs = peer_cidrs(bp, explicit_allocation(bp))
    assert cidrs["web"] == ["10.30.0.0/23", "10.30.2.0/24"]
    assert cidrs["mgmt"] == ["10.30.30.0/25", "10.30.30.128/26"]
    two = load("two-tier")  # web 10.20.0.0/24 + 10.20.1.0/24; db netmask 24
    loaded = load_blueprint_text(yaml.safe_dump(two, sort_keys=False), "two.yaml")
    assert peer_cidrs(loaded.blueprint, loaded.allocation) == {
        "web": ["10.20.0.0/23"], "db": ["10.20.4.0/22"]}


def test_a_block_is_used_only_when_the_allocation_is_the_allocators() -> None:
    """An allocation handed in by a caller that puts another tier's subnet in a netmask
    tier's block falls back to aggregates: the block must admit that tier alone."""
    loaded = load_blueprint_text(_netmask_blueprint(2), "bp.yaml")
    allocation = {tier: dict(cidrs) for tier, cidrs in loaded.allocation.items()}
    allocation["app"]["us-east-1b"] = IPv4Network("10.0.2.0/24")  # inside web's block
    cidrs = peer_cidrs(loaded.blueprint, allocation)
    assert cidrs["web"] == ["10.0.0.0/23"]  # its own two subnets, aggregated
    assert cidrs["app"] == ["10.0.2.0/24", "10.0.4.0/24"]
