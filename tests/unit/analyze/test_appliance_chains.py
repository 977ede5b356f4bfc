"""R9, R14: chains of in-VPC hops. Out of the VPC an appliance's subnet may route on to
another appliance or a NAT gateway, and between tiers one appliance's subnet on to the
next: each hop is followed (its groups, its subnet's NACL), up to MAX_HOPS; a route back
to an earlier hop is a loop (blocked, named); beyond the bound, unknown."""

from __future__ import annotations

import pytest

from tierform.analyze import analyze, query
from tierform.analyze.legs import MAX_HOPS
from tierform.network.model import Appliance, NatGateway, Network, Route, SecurityGroup
from tierform.network.synthetic import layered_network
from unit.analyze.networks import sg_in, sg_out

APP, DB = "10.0.11.0/24", "10.0.21.0/24"
IGW = Route("0.0.0.0/0", "igw", "igw")


def _group(ident: str, out: tuple[int, int] = (443, 443), to: str = "0.0.0.0/0"
           ) -> SecurityGroup:
    return SecurityGroup(ident, (sg_in((0, 65535), cidr="10.0.0.0/16", protocol="-1"),
                                 sg_out(out, cidr=to)), source=f"aws_security_group.{ident}")


def _outbound(count: int, *, last: list[Route] | None = None) -> Network:
    """app -> 0.0.0.0/0 -> appliance 1 in hop1; hop k routes 0.0.0.0/0 on to appliance
    k+1; the last hop's subnet routes to the internet gateway (or ``last``). Default
    NACLs; every appliance's group admits from the VPC and lets 443 out."""
    hops = {f"hop{k}": [f"10.0.{100 + k}.0/24"] for k in range(1, count + 1)}
    routes: dict[str, list[Route]] = {"app": [Route("0.0.0.0/0", "eni", "eni-1")]}
    for k in range(1, count):
        routes[f"hop{k}"] = [Route("0.0.0.0/0", "eni", f"eni-{k + 1}")]
    routes[f"hop{count}"] = [IGW] if last is None else last
    network = layered_network({"app": [APP], **hops}, routes=routes,
                              groups={"app": [sg_out((0, 65535), cidr="0.0.0.0/0",
                                                     protocol="-1")]})
    for k in range(1, count + 1):
        network.security_groups[f"sg-a{k}"] = _group(f"sg-a{k}")
        network.appliances[f"eni-{k}"] = Appliance(f"eni-{k}", f"hop{k}-0", (f"sg-a{k}",),
                                                   False, source=f"aws_network_interface.a{k}")
    return network


def test_r14_a_chain_of_two_appliances_is_followed() -> None:
    network = _outbound(2)
    result = analyze(network)
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.reachable, answer.legs
    legs = " ".join(str(leg) for leg in answer.legs)
    assert "appliance eni-1" in legs
    assert "appliance eni-2" in legs


def test_r14_the_second_appliance_groups_are_crossed() -> None:
    network = _outbound(2)
    network.security_groups["sg-a2"] = _group("sg-a2", out=(80, 80))
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")  # read, and it blocks
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.verdict == "blocked"
    assert any("appliance eni-2" in str(b) for b in answer.blocking), answer.blocking


def test_r14_a_route_back_to_an_earlier_hop_is_a_loop() -> None:
    network = _outbound(2, last=[Route("0.0.0.0/0", "eni", "eni-1")])
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")
    assert any("an earlier hop (a loop)" in leg.detail
               for leg in query(network, "app", "internet", "tcp", 443).legs)


def test_r14_an_appliance_then_a_nat_gateway() -> None:
    """The appliance's subnet routes on to a NAT gateway in a public subnet (edge)."""
    network = _outbound(1, last=[Route("0.0.0.0/0", "nat", "nat-1")])
    public = layered_network({"edge": ["10.0.200.0/24"]}, routes={"edge": [IGW]})
    network.subnets.update(public.subnets)
    network.route_tables["rt-edge"] = public.route_tables["rt-edge"]
    network.nat_gateways["nat-1"] = NatGateway("nat-1", "edge-0")
    result = analyze(network)
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.reachable, answer.legs


def test_r14_a_private_nat_gateway_after_an_appliance_to_the_internet_is_dropped() -> None:
    network = _outbound(1, last=[Route("0.0.0.0/0", "nat", "nat-1")])
    public = layered_network({"edge": ["10.0.200.0/24"]}, routes={"edge": [IGW]})
    network.subnets.update(public.subnets)
    network.route_tables["rt-edge"] = public.route_tables["rt-edge"]
    network.nat_gateways["nat-1"] = NatGateway("nat-1", "edge-0", public=False)
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")


def test_r14_chains_are_followed_up_to_the_bound_and_unknown_beyond() -> None:
    assert str(analyze(_outbound(MAX_HOPS)).ports("app", "internet", "tcp")) == "443"
    result = analyze(_outbound(MAX_HOPS + 1))
    assert not result.ports("app", "internet", "tcp")
    assert "443" in str(result.unknown_ports("app", "internet", "tcp"))
    assert any(f"more than {MAX_HOPS}" in r for u in result.unknown for r in u.reasons)
    assert result.tiers["app"].exposure == "unknown"


# -- between tiers ---------------------------------------------------------------------

S1, S2 = "10.0.31.0/24", "10.0.32.0/24"


def _east_west(*, s2_routes: list[Route] | None = None) -> Network:
    """app -> db tcp 3306 through appliance 1 (s1) then appliance 2 (s2); db's reply to
    app goes to appliance 2, whose subnet sends it to appliance 1, whose subnet delivers
    it locally. Default NACLs."""
    network = layered_network(
        {"app": [APP], "db": [DB], "s1": [S1], "s2": [S2]},
        routes={"app": [Route(DB, "eni", "eni-1")], "db": [Route(APP, "eni", "eni-2")],
                "s1": [Route(DB, "eni", "eni-2")],
                "s2": [Route(APP, "eni", "eni-1")] if s2_routes is None else s2_routes},
        groups={"app": [sg_out((3306, 3306), cidr=DB)], "db": [sg_in((3306, 3306), cidr=APP)]})
    for k, subnet in ((1, "s1-0"), (2, "s2-0")):
        network.security_groups[f"sg-a{k}"] = _group(f"sg-a{k}", out=(3306, 3306), to=DB)
        network.appliances[f"eni-{k}"] = Appliance(f"eni-{k}", subnet, (f"sg-a{k}",), False,
                                                   source=f"aws_network_interface.a{k}")
    return network


def test_r9_a_chain_of_two_appliances_between_tiers_is_followed() -> None:
    result = analyze(_east_west())
    assert str(result.ports("app", "db", "tcp")) == "3306"
    assert not result.unknown_ports("app", "db", "tcp")
    assert query(_east_west(), "app", "db", "tcp", 3306).reachable


def test_r9_the_second_appliance_between_tiers_is_crossed() -> None:
    network = _east_west()
    network.security_groups["sg-a2"] = _group("sg-a2", out=(80, 80), to=DB)
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert not result.unknown_ports("app", "db", "tcp")


@pytest.mark.parametrize("s2_routes", [[], [Route(APP, "eni", "eni-2")]],
                         ids=["reply-skips-the-first", "reply-loops"])
def test_r9_a_reply_not_back_through_the_chain_is_unknown(s2_routes: list[Route]) -> None:
    network = _east_west(s2_routes=s2_routes)
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert "3306" in str(result.unknown_ports("app", "db", "tcp"))
    assert any("asymmetric" in r for u in result.unknown for r in u.reasons)
