"""derive: the three-tier network has exactly the rules its flows need, and appending
a flow, a tier or an AZ leaves every existing resource as it was."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.blueprint.model import Blueprint
from tierform.layout import Layout, derive, plan_layout
from tierform.network.model import Network, Route

ROOT = Path(__file__).resolve().parents[3]
EPH = (1024, 65535)
WEB = ["10.0.1.0/24", "10.0.2.0/24"]
APP = ["10.0.11.0/24", "10.0.12.0/24"]
DB = ["10.0.21.0/24", "10.0.22.0/24"]
VPC = "10.0.0.0/16"


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


@pytest.fixture(scope="module")
def three() -> Network:
    return derive_data(load("three-tier"))


def nacl_rules(net: Network, tier: str, egress: bool) -> set[tuple[int, str, str, int, int]]:
    return {(e.rule_number, e.protocol, e.cidr, e.from_port, e.to_port)
            for e in net.nacls[f"aws_network_acl.{tier}"].entries if e.egress == egress}


def sg_rules(net: Network, tier: str, egress: bool) -> set[tuple[str, int, int, str | None]]:
    return {(r.protocol, r.from_port, r.to_port, r.cidr or r.group)
            for r in net.security_groups[f"aws_security_group.{tier}"].rules
            if r.egress == egress}


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
        (10000, "-1", VPC, 0, 65535),  # deny: 0.0.0.0/0 below means outside the VPC
        (10100, "6", "0.0.0.0/0", 80, 80),
        (10200, "6", "0.0.0.0/0", 443, 443),
        (100, "6", APP[0], *EPH), (101, "6", APP[1], *EPH),  # flow 2 return
    }
    assert nacl_rules(three, "web", egress=True) == {
        (10000, "-1", VPC, 0, 65535),
        (10100, "6", "0.0.0.0/0", *EPH),  # flow 1 return (80 and 443 share it)
        (100, "6", APP[0], 8080, 8080), (101, "6", APP[1], 8080, 8080),
    }
    actions = {e.rule_number: e.action for e in three.nacls["aws_network_acl.web"].entries}
    assert actions[10000] == "deny"
    assert {a for n, a in actions.items() if n != 10000} == {"allow"}


def test_three_tier_app_and_db_nacls_exactly(three: Network) -> None:
    assert nacl_rules(three, "app", egress=False) == {
        (100, "6", WEB[0], 8080, 8080), (101, "6", WEB[1], 8080, 8080),
        (200, "6", DB[0], *EPH), (201, "6", DB[1], *EPH),
    }
    assert nacl_rules(three, "app", egress=True) == {
        (100, "6", WEB[0], *EPH), (101, "6", WEB[1], *EPH),
        (200, "6", DB[0], 3306, 3306), (201, "6", DB[1], 3306, 3306),
    }
    assert nacl_rules(three, "db", egress=False) == {
        (100, "6", APP[0], 3306, 3306), (101, "6", APP[1], 3306, 3306)}
    assert nacl_rules(three, "db", egress=True) == {
        (100, "6", APP[0], *EPH), (101, "6", APP[1], *EPH)}
    # No flow lets app reach the internet: nothing to or from 0.0.0.0/0 on app or db.
    for tier in ("app", "db"):
        assert all(e.cidr != "0.0.0.0/0" for e in three.nacls[f"aws_network_acl.{tier}"].entries)


def test_three_tier_security_groups_exactly(three: Network) -> None:
    sg = "aws_security_group."
    assert sg_rules(three, "web", egress=False) == {
        ("6", 80, 80, "0.0.0.0/0"), ("6", 443, 443, "0.0.0.0/0")}
    assert sg_rules(three, "web", egress=True) == {("6", 8080, 8080, sg + "app")}
    assert sg_rules(three, "app", egress=False) == {("6", 8080, 8080, sg + "web")}
    assert sg_rules(three, "app", egress=True) == {("6", 3306, 3306, sg + "db")}
    assert sg_rules(three, "db", egress=False) == {("6", 3306, 3306, sg + "app")}
    assert sg_rules(three, "db", egress=True) == set()
    descriptions = [r.description for g in three.security_groups.values() for r in g.rules]
    assert "flow 2: web to app tcp 8080" in descriptions
    assert three.tier_groups == {t: (sg + t,) for t in ("web", "app", "db")}


def test_nat_legs_on_private_and_nat_subnet_acls() -> None:
    data = load("three-tier")
    data["flows"].append({"from": "app", "to": "internet", "ports": [443]})
    net = derive_data(data)
    # Private tier: out to anywhere on 443, replies back from anywhere (A5: source kept),
    # both in the internet range behind a deny of the VPC.
    app_in, app_out = nacl_rules(net, "app", False), nacl_rules(net, "app", True)
    assert {(10000, "-1", VPC, 0, 65535), (10100, "6", "0.0.0.0/0", 443, 443)} <= app_out
    assert {(10000, "-1", VPC, 0, 65535), (10100, "6", "0.0.0.0/0", *EPH)} <= app_in
    # NAT subnet (web): both legs; the private tier's CIDRs in the low range.
    web_in, web_out = nacl_rules(net, "web", False), nacl_rules(net, "web", True)
    assert {(200, "6", APP[0], 443, 443), (201, "6", APP[1], 443, 443)} <= web_in
    assert (10200, "6", "0.0.0.0/0", 443, 443) in web_out
    assert {(200, "6", APP[0], *EPH), (201, "6", APP[1], *EPH)} <= web_out
    # Replies from the internet reach the NAT on ephemeral ports.
    assert (10300, "6", "0.0.0.0/0", *EPH) in web_in
    assert ("6", 443, 443, "0.0.0.0/0") in sg_rules(net, "app", egress=True)
    # One deny per direction, whatever the number of internet rules.
    assert sum(1 for e in net.nacls["aws_network_acl.web"].entries if e.action == "deny") == 2


def test_internet_range_denies_vpc_and_named_networks_first() -> None:
    """docs/network-semantics.md I1: internet = outside the VPC and the named networks. Without the
    denies, app's 0.0.0.0/0:443 egress let app reach web:443 (the NAT leg admits app)."""
    net = derive_data(load("four-tier"))
    for tier in ("web", "app"):
        for egress in (False, True):
            entries = sorted((e for e in net.nacls[f"aws_network_acl.{tier}"].entries
                              if e.egress == egress), key=lambda e: e.rule_number)
            internet = [e for e in entries if e.cidr == "0.0.0.0/0"]
            assert internet, (tier, egress)
            assert all(e.rule_number >= 10100 for e in internet)
            assert all(e.cidr != "0.0.0.0/0" for e in entries if e.rule_number < 10000)
            denies = [(e.rule_number, e.protocol, e.cidr) for e in entries
                      if e.action == "deny"]
            assert denies == [(10000, "-1", "10.30.0.0/16"), (10001, "-1", "192.168.0.0/16")]
    # Tiers without internet flows get no deny rules at all.
    for tier in ("db", "mgmt"):
        assert all(e.action == "allow" for e in net.nacls[f"aws_network_acl.{tier}"].entries)
    layout_rules = {r.name: r for r in _layout(load("four-tier")).nacl_rules}
    assert layout_rules["app_out_10000"].description.startswith(
        "deny: internet rules below exclude the VPC and named networks")


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
    assert (100, "6", "192.168.0.0/16", 22, 22) in nacl_rules(net, "mgmt", egress=False)
    assert (100, "6", "192.168.0.0/16", *EPH) in nacl_rules(net, "mgmt", egress=True)
    assert ("6", 22, 22, "192.168.0.0/16") in sg_rules(net, "mgmt", egress=False)
    assert net.named_networks == {"corp": IPv4Network("192.168.0.0/16")}
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
    assert (401, "6", APP[1], 7000, 7000) in app_in  # app_a -> app_b crosses the ACL
    assert ("6", 7000, 7000, "aws_security_group.app") in sg_rules(net, "app", egress=False)
    icmp = [e for e in net.nacls["aws_network_acl.db"].entries if e.protocol == "1"]
    assert icmp
    assert all(e.icmp_type == -1 for e in icmp)
    assert ("17", 5000, 5002, "aws_security_group.app") in sg_rules(net, "db", egress=False)
    assert any(r[1] == "17" and r[3:] == EPH for r in nacl_rules(net, "db", egress=True))


def _layout(data: dict[str, Any]) -> Layout:
    bp = Blueprint.model_validate(data)
    return plan_layout(bp, explicit_allocation(bp))


def _snapshot(data: dict[str, Any]) -> dict[str, object]:
    layout = _layout(data)
    out: dict[str, object] = {}
    for s in layout.subnets:
        out[f"subnet.{s.name}"] = s
    for n in layout.nats:
        out[f"nat.{n.name}"] = n
    for r in layout.nacl_rules:
        out[f"nacl_rule.{r.name}"] = r
    for g in layout.sg_rules:
        out[f"sg_rule.{g.name}"] = g
    for route in layout.network_routes:
        out[f"route.{route.name}"] = route
    return out


def test_appending_flow_tier_and_az_keeps_every_existing_resource() -> None:
    before = load("three-tier")
    after = load("three-tier")
    after["tiers"]["cache"] = {"exposure": "isolated", "cidrs": ["10.0.31.0/24", "10.0.32.0/24"]}
    after["flows"] += [{"from": "app", "to": "cache", "ports": [6379]},
                       {"from": "web", "to": "app", "ports": [8443]}]
    old, new = _snapshot(before), _snapshot(after)
    assert len(new) > len(old)
    for key, value in old.items():
        assert new.get(key) == value, key
    # An AZ appended: every existing resource unchanged, the new AZ adds rules.
    with_az = load("three-tier")
    with_az["availability_zones"].append("us-east-1c")
    for tier, cidr in (("web", "10.0.3.0/24"), ("app", "10.0.13.0/24"), ("db", "10.0.23.0/24")):
        with_az["tiers"][tier]["cidrs"].append(cidr)
    grown = _snapshot(with_az)
    changed = [k for k, v in old.items() if grown.get(k) != v and not k.startswith("subnet.")]
    assert changed == []
    # Subnet plans carry the AZ index only; compare what a resource is made of.
    for key, value in old.items():
        if key.startswith("subnet."):
            assert grown[key] == value, key
    assert "nacl_rule.web_in_102" in grown


def test_appending_internet_flow_or_named_network_keeps_every_existing_resource() -> None:
    before = load("four-tier")
    after = load("four-tier")
    after["networks"]["partner"] = "172.16.0.0/16"
    after["flows"] += [{"from": "internet", "to": "web", "ports": [80]},
                       {"from": "partner", "to": "app", "ports": [8443]},
                       {"from": "db", "to": "internet", "ports": [443]}]
    old, new = _snapshot(before), _snapshot(after)
    for key, value in old.items():
        assert new.get(key) == value, key
    added = set(new) - set(old)
    # The new network is denied after the existing denies; db's first internet rule
    # brings its own denies; app gets a route to partner.
    assert {"nacl_rule.web_in_10002", "nacl_rule.web_in_10300", "nacl_rule.db_out_10000",
            "nacl_rule.db_out_10002", "route.app_a_partner"} <= added
