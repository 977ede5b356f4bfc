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
