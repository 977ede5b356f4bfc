"""R14: a route out of the VPC to a network interface or an instance (an egress NAT
instance, say) is followed through the appliance: its subnet's NACL both ways, its groups,
then its subnet's table. Whatever decides the hop and was not read (the appliance, its
source/destination check, its groups) leaves the answer unknown with the reason, never
blocked; what was read and blocks, blocks, with the rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tierform.analyze import analyze, query
from tierform.network.model import Appliance, Network, Route, SecurityGroup
from tierform.network.synthetic import layered_network
from unit.analyze.networks import EPH, allow, sg_in, sg_out

WEB, APP = ["10.0.1.0/24"], ["10.0.11.0/24"]
TO_ENI = Route("0.0.0.0/0", "eni", "eni-nat", source="aws_route.app_default")
NAT_SG = SecurityGroup("sg-natinst", (sg_in((0, 65535), cidr="10.0.11.0/24", protocol="-1"),
                                      sg_out((443, 443), cidr="0.0.0.0/0")),
                       source="aws_security_group.nat_instance")
NAT_INSTANCE = Appliance("eni-nat", "web-0", ("sg-natinst",), False,
                         source="aws_network_interface.nat")


def _network(*, appliance: Appliance | None = NAT_INSTANCE, web_nacl: list | None = None,  # type: ignore[type-arg]
             app_routes: list[Route] | None = None,
             web_routes: list[Route] | None = None) -> Network:
    """web (public, holds the NAT instance), app (0.0.0.0/0 -> the instance's interface):
    app's group and NACL admit 443 out; web's NACL carries both legs it forwards."""
    network = layered_network(
        {"web": WEB, "app": APP},
        routes={"web": web_routes if web_routes is not None
                else [Route("0.0.0.0/0", "igw", "igw")],
                "app": app_routes if app_routes is not None else [TO_ENI]},
        nacls={"web": web_nacl if web_nacl is not None else [
                   allow(100, "10.0.11.0/24", (443, 443)), allow(110, "0.0.0.0/0", EPH),
                   allow(100, "0.0.0.0/0", (443, 443), egress=True),
                   allow(110, "10.0.11.0/24", EPH, egress=True)],
               "app": [allow(100, "0.0.0.0/0", (443, 443), egress=True),
                       allow(100, "0.0.0.0/0", EPH)]},
        groups={"web": [], "app": [sg_out((0, 65535), cidr="0.0.0.0/0", protocol="-1")]})
    network.security_groups[NAT_SG.id] = NAT_SG
    if appliance is not None:
        network.appliances[appliance.id] = appliance
    return network


def test_r14_an_egress_nat_instance_is_followed_to_the_internet() -> None:
    result = analyze(_network())
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"  # through the hop, like a NAT gateway
    answer = query(_network(), "app", "internet", "tcp", 443)
    assert answer.reachable, answer.legs


def test_r14_the_appliance_groups_are_crossed() -> None:
    group = replace(NAT_SG, rules=(NAT_SG.rules[0], sg_out((80, 80), cidr="0.0.0.0/0")))
    network = _network()
    network.security_groups[group.id] = group
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")  # read, and it blocks
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.verdict == "blocked"
    assert any("appliance eni-nat" in str(leg) for leg in answer.legs), answer.legs


def test_r14_the_appliance_subnet_nacl_is_crossed_both_ways() -> None:
    # The reply to app's ephemeral ports is not let out of web's subnet.
    network = _network(web_nacl=[allow(100, "10.0.11.0/24", (443, 443)),
                                 allow(110, "0.0.0.0/0", EPH),
                                 allow(100, "0.0.0.0/0", (443, 443), egress=True)])
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")


def test_r14_onward_routes_of_the_appliance_subnet_decide() -> None:
    network = _network(web_routes=[])  # the instance's subnet has no way out
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")
    assert "does not route" in query(network, "app", "internet", "tcp", 443).legs[0].detail \
        or any("does not route" in leg.detail for leg in
               query(network, "app", "internet", "tcp", 443).legs)


@pytest.mark.parametrize(("appliance", "reason"), [
    (None, "not in what was read"),
    (replace(NAT_INSTANCE, source_dest_check=True), "source/destination check is on"),
    (replace(NAT_INSTANCE, source_dest_check=None), "source/destination check is not read"),
    (replace(NAT_INSTANCE, security_group_ids=None), "security groups are not all in"),
    (replace(NAT_INSTANCE, security_group_ids=("sg-gone",)), "security groups are not all in"),
    (replace(NAT_INSTANCE, subnet_id="subnet-elsewhere"), "which is not in the input"),
], ids=["not-read", "check-on", "check-not-read", "groups-not-read", "group-missing",
        "subnet-outside"])
def test_r14_what_was_not_read_is_unknown_never_blocked(appliance: Appliance | None,
                                                         reason: str) -> None:
    result = analyze(_network(appliance=appliance))
    assert not result.ports("app", "internet", "tcp")
    assert "443" in str(result.unknown_ports("app", "internet", "tcp"))
    reasons = [r for u in result.unknown if (u.src, u.dst) == ("app", "internet")
               for r in u.reasons]
    assert any(reason in r for r in reasons), reasons
    assert result.tiers["app"].exposure == "unknown"
    assert query(_network(appliance=appliance), "app", "internet", "tcp", 443).verdict \
        == "unknown"


def test_r14_a_route_back_to_the_same_appliance_is_a_loop() -> None:
    network = _network(web_routes=[Route("0.0.0.0/0", "eni", "eni-nat")])
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")
    assert any("a loop" in leg.detail
               for leg in query(network, "app", "internet", "tcp", 443).legs)


@pytest.mark.parametrize(("kind", "reason"), [
    ("eni", "not in what was read"), ("instance", "not in what was read"),
    ("nat", "not in the input"), ("gwlbe", "then on to an endpoint"),
])
def test_r14_a_second_hop_not_read_is_unknown(kind: str, reason: str) -> None:
    network = _network(web_routes=[Route("0.0.0.0/0", kind, "hop-2")])  # type: ignore[arg-type]
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert result.unknown_ports("app", "internet", "tcp")
    assert any(reason in r for u in result.unknown for r in u.reasons), result.unknown


def test_r14_an_instance_route_is_followed_like_an_interface() -> None:
    appliance = replace(NAT_INSTANCE, id="i-nat")
    network = _network(appliance=appliance,
                       app_routes=[Route("0.0.0.0/0", "instance", "i-nat")])
    assert str(analyze(network).ports("app", "internet", "tcp")) == "443"


def test_r14_a_gateway_load_balancer_endpoint_stays_unknown() -> None:
    """The firewall behind the endpoint is the endpoint service's: not in the input."""
    network = _network(app_routes=[Route("0.0.0.0/0", "gwlbe", "vpce-1")])
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert result.unknown_ports("app", "internet", "tcp")
