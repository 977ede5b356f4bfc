"""Verdicts (docs/network-semantics.md "Verdicts", "Route targets"): every answer is
reachable, blocked (with the rule) or unknown (with the reason); never blocked for what
was not read (V7) or is not modelled (V8, V9)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.network.model import Route, Unresolved
from unit.analyze.networks import IGW, net

UNMODELLED = ["tgw", "vgw", "peering", "carrier", "lgw", "eni", "instance", "gwlbe", "core",
              "other"]


@pytest.mark.parametrize("kind", UNMODELLED)
def test_u2_internet_through_an_unmodelled_target_is_unknown_never_blocked(kind: str) -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", kind, f"{kind}-1",
                                                      source="aws_route.app_default")]})
    result = analyze(network)
    assert result.verdict("app", "internet", "tcp", 443) == "unknown"
    assert not result.reachable("app", "internet", "tcp", 443)
    assert not result.complete
    assert any("aws_route.app_default" in r for r in result.incomplete_reasons)
    # An "isolated" claim would rest on something not followed.
    assert result.tiers["app"].exposure == "unknown"
    assert result.tiers["app"].reasons
    # Other pairs keep their known answers; a port no layer opens stays blocked.
    assert result.verdict("web", "app", "tcp", 8080) == "reachable"
    assert result.verdict("app", "internet", "tcp", 22) == "blocked"
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.verdict == "unknown"
    assert not answer.reachable
    assert any(leg.unknown for leg in answer.legs)
    assert query(network, "app", "internet", "tcp", 22).verdict == "blocked"


def test_blackhole_is_blocked_not_unknown() -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "blackhole", "nat-x")]})
    result = analyze(network)
    assert result.verdict("app", "internet", "tcp", 443) == "blocked"
    assert result.complete
    assert result.tiers["app"].exposure == "isolated"


@pytest.mark.parametrize("kind", ["tgw", "vgw"])
def test_transit_and_vpn_gateways_reach_named_networks_assumed(kind: str) -> None:
    corp = "192.168.0.0/16"
    network = net(named={"corp": corp},
                  routes={"web": [IGW], "app": [Route(corp, kind, f"{kind}-1")]})
    result = analyze(network)
    assert result.verdict("app", "corp", "tcp", 443) == "reachable"
    assert any("assumed" in a and f"{kind}-1 reaches corp" in a for a in result.assumptions)
    assert result.tiers["app"].exposure == "isolated"  # corp is not the internet
    assert result.complete


def test_peering_to_a_peer_not_in_the_input_is_unknown() -> None:
    corp = "192.168.0.0/16"
    network = net(named={"corp": corp},
                  routes={"web": [IGW], "app": [Route(corp, "peering", "pcx-1")]})
    result = analyze(network)
    assert result.verdict("app", "corp", "tcp", 443) == "unknown"
    assert query(network, "app", "corp", "tcp", 443).verdict == "unknown"


def test_a_middlebox_route_inside_the_vpc_is_unknown() -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "nat", "nat-a"),
                                                Route("10.0.21.0/24", "eni", "eni-1")]})
    result = analyze(network)
    assert result.verdict("app", "db", "tcp", 3306) == "unknown"
    assert result.verdict("web", "app", "tcp", 8080) == "reachable"


def test_u1_unresolved_wiring_outside_the_network_makes_every_pair_unknown() -> None:
    network = net()
    network.unresolved.append(Unresolved("aws_route_table_association.x", "route_table_id",
                                         "unknown reference"))
    result = analyze(network)
    assert result.verdict("web", "app", "tcp", 8080) == "unknown"
    assert result.verdict("internet", "db", "tcp", 3306) == "unknown"
    assert not result.flows  # nothing known reachable rests on an unread association
    assert query(network, "web", "app", "tcp", 8080).verdict == "unknown"
    assert query(network, "internet", "db", "tcp", 3306).verdict == "unknown"


def test_u1_unresolved_item_of_one_tier_makes_that_tiers_pairs_unknown() -> None:
    network = net()
    network.unresolved.append(Unresolved("aws_network_acl.db", "egress", "unknown"))
    result = analyze(network)
    assert result.verdict("app", "db", "tcp", 3306) == "unknown"
    assert result.verdict("db", "internet", "tcp", 443) == "unknown"
    assert result.verdict("web", "app", "tcp", 8080) == "reachable"
    assert result.verdict("internet", "web", "tcp", 443) == "reachable"


def test_u1_unresolved_item_of_the_nat_tier_touches_every_outside_pair() -> None:
    network = net()
    network.unresolved.append(Unresolved("aws_network_acl.web", "ingress", "unknown"))
    result = analyze(network)
    assert result.verdict("app", "internet", "tcp", 443) == "unknown"
    assert result.verdict("app", "db", "tcp", 3306) == "reachable"


@pytest.mark.parametrize("kind", ["igw", "eigw", "tgw"])
def test_ipv6_route_in_a_subnet_without_ipv6_changes_no_ipv4_answer(kind: str) -> None:
    """N4: IPv6 is its own family; db's subnets have no IPv6 block, so no IPv6 host exists
    and an IPv4 answer never depends on an IPv6 route."""
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "nat", "nat-a")],
                          "db": [Route("::/0", kind, f"{kind}-6", source="aws_route.db_v6")]})
    result = analyze(network)
    assert result.tiers["db"].exposure == "isolated"
    assert result.tiers["db"].exposure_ipv6 is None
    assert result.verdict("db", "internet", "tcp", 443) == "blocked"
    assert result.verdict("internet", "db", "tcp", 3306) == "blocked"
    assert all(f.family == "ipv4" for f in result.flows)
    assert result.complete


@pytest.mark.parametrize("route", [Route("::/0", "igw", "aws_internet_gateway.this",
                                         source="aws_route.db_v6"),
                                   Route("0.0.0.0/0", "tgw", "aws_ec2_transit_gateway.x",
                                         source="aws_route.db_tgw")])
def test_three_tier_mutant_db_route_leaving_the_vpc_is_a_route_finding(route: Route) -> None:
    """Issue 10: a route out of the VPC on db's tables is a finding naming db, the routes
    layer and the route, whether or not the far side is modelled."""
    loaded = workflow.load(Path(__file__).parents[3] / "blueprints" / "three-tier.yaml")
    network = workflow.check(loaded).network
    for key, table in list(network.route_tables.items()):
        if table.tier == "db":
            network.route_tables[key] = replace(table, routes=(*table.routes, route))
    report = workflow.verify_network(loaded, network)
    assert report.reachability.tiers["db"].exposure != "isolated" or route.kind == "igw"
    assert any(f.kind == "route" and f.src == "db" and f.layer == "routes"
               and f.resource == route.source for f in report.findings)
    assert report.exit_code == 1


def test_r11_prefix_list_route_out_of_the_vpc_is_unknown() -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "nat", "nat-a"),
                                                Route("pl-0123", "tgw", "tgw-1")]})
    result = analyze(network)
    assert result.tiers["app"].exposure == "unknown"
    assert result.verdict("app", "internet", "tcp", 443) == "unknown"


def test_r4_nat_gateway_not_in_the_input_is_unknown() -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "nat", "nat-missing")]})
    result = analyze(network)
    assert result.verdict("app", "internet", "tcp", 443) == "unknown"
    assert query(network, "app", "internet", "tcp", 443).verdict == "unknown"
    assert result.tiers["app"].exposure == "unknown"
