"""Several VPCs in one state (R13): every VPC is read, tier names two VPCs share are
qualified by the VPC's Name, and a route to an active peering connection between two VPCs
of the input is a path to the peer's subnets when both sides route it; anything else across
VPCs is blocked (no route) or unknown (a peering that is not such a link)."""

from __future__ import annotations

from typing import Any

import pytest

from terraform_documents import state_document
from tierform.analyze import analyze, query
from tierform.readers.state import network_from_state
from tierform.verify import _with_ipv6_blocks


def _state(*, status: str = "active", back: bool = True) -> dict[str, Any]:
    routes_b = [{"cidr_block": "10.0.2.0/24", "vpc_peering_connection_id": "pcx-1"}] \
        if back else []
    return state_document([
        ("aws_vpc.shop", {"id": "vpc-a", "cidr_block": "10.0.0.0/16", "tags": {"Name": "shop"}}),
        ("aws_vpc.ledger", {"id": "vpc-b", "cidr_block": "10.1.0.0/16",
                            "tags": {"Name": "ledger"}}),
        ("aws_subnet.app", {"id": "subnet-app", "vpc_id": "vpc-a", "cidr_block": "10.0.1.0/24",
                            "tags": {"Tier": "app"}}),
        ("aws_subnet.db", {"id": "subnet-db", "vpc_id": "vpc-a", "cidr_block": "10.0.2.0/24",
                           "tags": {"Tier": "db"}}),
        ("aws_subnet.peer_db", {"id": "subnet-pdb", "vpc_id": "vpc-b",
                                "cidr_block": "10.1.1.0/24", "tags": {"Tier": "db"}}),
        ("aws_vpc_peering_connection.p", {"id": "pcx-1", "vpc_id": "vpc-a",
                                          "peer_vpc_id": "vpc-b", "accept_status": status}),
        ("aws_route_table.db", {"id": "rtb-db", "vpc_id": "vpc-a", "route": [
            {"cidr_block": "10.1.0.0/16", "vpc_peering_connection_id": "pcx-1"}]}),
        ("aws_route_table_association.db", {"id": "a-1", "subnet_id": "subnet-db",
                                            "route_table_id": "rtb-db"}),
        ("aws_route_table.peer", {"id": "rtb-peer", "vpc_id": "vpc-b", "route": routes_b}),
        ("aws_route_table_association.peer", {"id": "a-2", "subnet_id": "subnet-pdb",
                                              "route_table_id": "rtb-peer"}),
    ])


def test_every_vpc_is_read_and_shared_tier_names_are_qualified() -> None:
    network = network_from_state(_state())
    assert network.tiers == ["app", "shop/db", "ledger/db"]
    assert set(network.vpcs) == {"vpc-a", "vpc-b"}
    assert set(network.peerings) == {"pcx-1"}
    assert network.unresolved == []


def test_a_peering_routed_on_both_sides_is_a_path() -> None:
    reach = analyze(network_from_state(_state()))
    assert reach.ports("shop/db", "ledger/db", "tcp").first() is not None
    assert reach.ports("ledger/db", "shop/db", "tcp").first() is not None
    # app's table (the VPC's main one) has no route to the peer: blocked both ways.
    assert reach.ports("app", "ledger/db", "tcp").first() is None
    assert query(network_from_state(_state()), "app", "ledger/db", "tcp", 5432).verdict \
        == "blocked"
    assert query(network_from_state(_state()), "ledger/db", "app", "tcp", 5432).verdict \
        == "blocked"


def test_without_the_route_back_the_peering_carries_nothing() -> None:
    result = query(network_from_state(_state(back=False)), "shop/db", "ledger/db", "tcp", 5432)
    assert result.verdict == "blocked"


@pytest.mark.parametrize("status", ["pending-acceptance", "rejected"])
def test_a_peering_that_is_not_active_is_unknown_never_a_path(status: str) -> None:
    result = query(network_from_state(_state(status=status)), "shop/db", "ledger/db", "tcp",
                   5432)
    assert result.verdict == "unknown"
    assert "peering connection that is not an active link" in " ".join(result.reasons)


def _with_groups(state: dict[str, Any], peer_rule: str) -> dict[str, Any]:
    """Groups by Tier tag on both sides: shop's db admits 5432 from ``peer_rule`` (the
    partner db's group, or a group of shop's own app); the partner db sends anything."""
    resources = state["values"]["root_module"]["resources"]
    resources += [
        {"address": f"aws_security_group.{name}", "mode": "managed", "type": "aws_security_group",
         "name": name, "values": values} for name, values in (
            ("db", {"id": "sg-db", "vpc_id": "vpc-a", "tags": {"Tier": "db"}, "egress": [],
                    "ingress": [{"protocol": "tcp", "from_port": 5432, "to_port": 5432,
                                 "security_groups": [peer_rule], "cidr_blocks": []}]}),
            ("app", {"id": "sg-app", "vpc_id": "vpc-a", "tags": {"Tier": "app"},
                     "ingress": [], "egress": []}),
            ("peer_db", {"id": "sg-pdb", "vpc_id": "vpc-b", "tags": {"Tier": "db"},
                         "ingress": [], "egress": [{"protocol": "-1", "from_port": 0,
                                                    "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]}),
        )]
    return state


def test_group_rules_may_name_the_peer_vpcs_groups() -> None:
    """The groups' Tier tags are qualified with their subnets' (db on both sides)."""
    network = network_from_state(_with_groups(_state(), "sg-pdb"))
    assert {g.id: g.tier for g in network.security_groups.values() if not g.is_default} == {
        "sg-db": "shop/db", "sg-app": "app", "sg-pdb": "ledger/db"}
    assert query(network, "ledger/db", "shop/db", "tcp", 5432).verdict == "reachable"
    assert query(network, "ledger/db", "shop/db", "tcp", 5433).verdict == "blocked"
    other = network_from_state(_with_groups(_state(), "sg-app"))
    assert query(other, "ledger/db", "shop/db", "tcp", 5432).verdict == "blocked"


# -- IPv6 (N4): each table routes locally only its own VPC's IPv6 blocks; a peering carries
# IPv6 when both sides route the other's IPv6 block to it, as for IPv4.

SHOP_V6, LEDGER_V6 = "2600:1f18:a:100::/56", "2600:1f18:b:100::/56"


def _state6(*, status: str = "active", forth: bool = True, back: bool = True,
            ledger_v6: bool = True) -> dict[str, Any]:
    """``_state`` dual-stack: both VPCs with an IPv6 block, db's table and the peer's route
    the IPv4 peering; ``forth``/``back``: they route the other's IPv6 block to it too."""
    state = _state(status=status)
    blocks = {"aws_vpc.shop": SHOP_V6, "aws_vpc.ledger": LEDGER_V6 if ledger_v6 else "",
              "aws_subnet.app": "2600:1f18:a:101::/64", "aws_subnet.db": "2600:1f18:a:102::/64",
              "aws_subnet.peer_db": "2600:1f18:b:101::/64" if ledger_v6 else ""}
    for resource in state["values"]["root_module"]["resources"]:
        values = resource["values"]
        if resource["address"] in blocks:
            values["ipv6_cidr_block"] = blocks[resource["address"]]
        if resource["address"] == "aws_route_table.db" and forth:
            values["route"].append({"ipv6_cidr_block": LEDGER_V6,
                                    "vpc_peering_connection_id": "pcx-1"})
        if resource["address"] == "aws_route_table.peer" and back:
            values["route"].append({"ipv6_cidr_block": "2600:1f18:a:102::/64",
                                    "vpc_peering_connection_id": "pcx-1"})
    return state


def test_each_vpc_keeps_its_own_ipv6_blocks_and_default_rules() -> None:
    network = network_from_state(_state6())
    assert network.unresolved == []
    assert {k: v.ipv6_cidrs for k, v in network.vpcs.items()} == {
        "vpc-a": (SHOP_V6,), "vpc-b": (LEDGER_V6,)}
    local = {t.id: network.local_ipv6_cidrs(t) for t in network.route_tables.values()}
    assert local["rtb-db"] == (SHOP_V6,)
    assert local["rtb-peer"] == (LEDGER_V6,)
    # A7 per VPC: the unmanaged default NACL of each IPv6 VPC allows ::/0 (rule 101).
    defaults = {n.vpc: sorted(e.rule_number for e in n.entries)
                for n in network.nacls.values() if n.is_default}
    assert defaults == {"vpc-a": [100, 100, 101, 101], "vpc-b": [100, 100, 101, 101]}
    without = network_from_state(_state6(ledger_v6=False))
    assert {n.vpc: sorted(e.rule_number for e in n.entries)
            for n in without.nacls.values() if n.is_default} == {
        "vpc-a": [100, 100, 101, 101], "vpc-b": [100, 100]}


def test_a_peering_routed_on_both_sides_in_ipv6_is_an_ipv6_path() -> None:
    network = network_from_state(_state6())
    result = analyze(network)
    assert result.complete, result.incomplete_reasons
    for src, dst in (("shop/db", "ledger/db"), ("ledger/db", "shop/db")):
        assert result.verdict(src, dst, "tcp", 5432, "ipv6") == "reachable"
        assert query(network, src, dst, "tcp", 5432, family="ipv6").verdict == "reachable"
    # app's table routes nothing to the peer: blocked over IPv6 too.
    assert result.verdict("app", "ledger/db", "tcp", 5432, "ipv6") == "blocked"
    assert query(network, "ledger/db", "app", "tcp", 5432, family="ipv6").verdict \
        == "blocked"


@pytest.mark.parametrize("side", ["forth", "back", "neither"])
def test_an_ipv4_route_to_the_peering_carries_no_ipv6(side: str) -> None:
    """The peer's IPv6 block is not local to this VPC's tables (it would be, were every
    VPC's block a local route everywhere): without both IPv6 routes, IPv6 is blocked."""
    network = network_from_state(_state6(forth=side == "back", back=side == "forth"))
    result = analyze(network)
    assert result.verdict("shop/db", "ledger/db", "tcp", 5432, "ipv4") == "reachable"
    assert result.verdict("shop/db", "ledger/db", "tcp", 5432, "ipv6") == "blocked"
    answer = query(network, "shop/db", "ledger/db", "tcp", 5432, family="ipv6")
    assert answer.verdict == "blocked"


@pytest.mark.parametrize("status", ["pending-acceptance", "rejected"])
def test_an_ipv6_route_to_a_peering_that_is_not_active_is_unknown(status: str) -> None:
    network = network_from_state(_state6(status=status))
    answer = query(network, "shop/db", "ledger/db", "tcp", 5432, family="ipv6")
    assert answer.verdict == "unknown"
    assert "peering connection that is not an active link" in " ".join(answer.reasons)
    assert analyze(network).verdict("shop/db", "ledger/db", "tcp", 5432, "ipv6") == "unknown"


def test_a_vpc_without_ipv6_has_no_ipv6_hosts_across_the_peering() -> None:
    network = network_from_state(_state6(ledger_v6=False, forth=False, back=False))
    result = analyze(network)
    assert result.verdict("shop/db", "ledger/db", "tcp", 5432, "ipv6") == "blocked"
    assert result.verdict("shop/db", "ledger/db", "tcp", 5432, "ipv4") == "reachable"


def test_hypothetical_ipv6_blocks_are_each_vpcs_own() -> None:
    """F7 with several VPCs: the layer-alone checks give every subnet a block carved from
    its own VPC's (symbolic) block, and each VPC routes only its own locally."""
    state = _state()
    for resource in state["values"]["root_module"]["resources"]:
        if resource["address"] == "aws_route_table.db":
            resource["values"]["route"].append({"ipv6_cidr_block": "::/0",
                                                "egress_only_gateway_id": "eigw-1"})
    network = network_from_state(state)
    assert not network.has_ipv6
    copy, hypothetical = _with_ipv6_blocks(network)
    assert hypothetical
    assert {k: v.ipv6_cidrs for k, v in copy.vpcs.items()} == {
        "vpc-a": ("vpc-a.ipv6_cidr_block",), "vpc-b": ("vpc-b.ipv6_cidr_block",)}
    assert {s.id: s.ipv6_cidr for s in copy.subnets.values()} == {
        "subnet-app": "cidrsubnet(vpc-a.ipv6_cidr_block, 8, 0)",
        "subnet-db": "cidrsubnet(vpc-a.ipv6_cidr_block, 8, 1)",
        "subnet-pdb": "cidrsubnet(vpc-b.ipv6_cidr_block, 8, 0)"}
    assert copy.local_ipv6_cidrs(copy.route_tables["rtb-peer"]) == ("vpc-b.ipv6_cidr_block",)
