"""Several VPCs over IPv6 in a real terraform plan (R13, N4): two dual-stack VPCs, each
Amazon-provided block unknown until apply and so its own symbolic block; each table routes
locally only its own VPC's block, and the peering carries IPv6 because both sides route the
other's IPv6 block to it (no IPv4 route to it: IPv4 is blocked)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tierform.analyze import analyze, query
from tierform.readers.plan import network_from_plan
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform

PEERED = Path(__file__).resolve().parents[1] / "fixtures" / "ipv6" / "peered"


def test_two_symbolic_blocks_peered_over_ipv6(tierform_plan: PlanFactory) -> None:
    doc = dict(tierform_plan(PEERED, region="us-east-1").raw)
    network = network_from_plan(doc, config_dir=PEERED)
    assert network.unresolved == []
    assert {k: v.ipv6_cidrs for k, v in network.vpcs.items()} == {
        "aws_vpc.shop": ("aws_vpc.shop.ipv6_cidr_block",),
        "aws_vpc.ledger": ("aws_vpc.ledger.ipv6_cidr_block",)}
    assert set(network.peerings) == {"aws_vpc_peering_connection.p"}
    assert {s.tier: s.ipv6_cidr for s in network.subnets.values()} == {
        "shop/db": "cidrsubnet(aws_vpc.shop.ipv6_cidr_block, 8, 2)",
        "ledger/db": "cidrsubnet(aws_vpc.ledger.ipv6_cidr_block, 8, 1)"}
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    for src, dst in (("shop/db", "ledger/db"), ("ledger/db", "shop/db")):
        assert reach.verdict(src, dst, "tcp", 5432, "ipv6") == "reachable"
        assert reach.verdict(src, dst, "tcp", 5432, "ipv4") == "blocked"
    # Without the peer's route back the peering carries nothing over IPv6.
    peer = network.route_tables["aws_route_table.peer"]
    one_way = replace(network, route_tables={**network.route_tables,
                                             peer.id: replace(peer, routes=())})
    assert query(one_way, "shop/db", "ledger/db", "tcp", 5432, family="ipv6").verdict \
        == "blocked"
    # Without the HCL the symbolic blocks cannot be read: unknown, never blocked.
    bare = analyze(network_from_plan(doc))
    assert not bare.complete
    assert bare.verdict("shop/db", "ledger/db", "tcp", 5432) == "unknown"
