"""legs.py against docs/network-semantics.md, rule by rule: which checks a connection
crosses (R3, R4, R6 routes to and from outside, A3-A5 NACL legs, S2), on small networks."""

from __future__ import annotations

from tierform.analyze import analyze, query
from tierform.network.model import NatGateway, Route
from tierform.network.synthetic import layered_network
from unit.analyze.networks import (
    APP,
    DB,
    EPH,
    IGW,
    TO_NAT,
    WEB,
    allow,
    net,
    reference,
    sg_in,
    sg_out,
)

# -- routing -----------------------------------------------------------------------


def test_r3_only_public_subnets_accept_internet_connections() -> None:
    network = net(groups={**reference()["groups"],  # type: ignore[dict-item]
                          "db": [sg_in((3306, 3306), cidr="0.0.0.0/0")]},
                  nacls={**reference()["nacls"],  # type: ignore[dict-item]
                         "db": [allow(100, "0.0.0.0/0"), allow(100, "0.0.0.0/0", egress=True)]})
    result = analyze(network)
    assert not result.reachable("internet", "db", "tcp", 3306)
    blocked = query(network, "internet", "db", "tcp", 3306)
    assert not blocked.reachable
    assert {b.layer for b in blocked.blocking} == {"routes"}


def test_r4_nat_carries_only_connections_opened_from_inside() -> None:
    network = net(groups={**reference()["groups"],  # type: ignore[dict-item]
                          "app": [*reference()["groups"]["app"],  # type: ignore[index]
                                  sg_in((22, 22), cidr="0.0.0.0/0")]},
                  nacls={**reference()["nacls"],  # type: ignore[dict-item]
                         "app": [allow(10, "0.0.0.0/0", (22, 22)),
                                 *reference()["nacls"]["app"]]})  # type: ignore[index]
    result = analyze(network)
    assert result.reachable("app", "internet", "tcp", 443)
    assert not result.reachable("internet", "app", "tcp", 22)
    why = query(network, "internet", "app", "tcp", 22)
    assert "NAT gateway carries only connections opened from inside" in why.blocking[0].detail


def test_r4_nat_in_a_private_subnet_gives_no_internet() -> None:
    network = net(nats={"nat-a": "db"})  # the NAT sits in the isolated tier
    result = analyze(network)
    assert not result.reachable("app", "internet", "tcp", 443)
    assert result.tiers["app"].exposure == "isolated"
    why = query(network, "app", "internet", "tcp", 443)
    assert "does not route" in why.blocking[0].detail


def test_r4_private_nat_gateway_to_an_internet_gateway_is_dropped() -> None:
    network = net()
    network.nat_gateways["nat-a"] = NatGateway("nat-a", "web-0", public=False)
    result = analyze(network)
    assert not result.reachable("app", "internet", "tcp", 443)
    assert not result.unknown_ports("app", "internet", "tcp")  # known: the gateway drops it
    assert result.tiers["app"].exposure == "isolated"
    why = query(network, "app", "internet", "tcp", 443)
    assert why.verdict == "blocked"
    assert any("drops traffic from a private NAT gateway" in b.detail for b in why.blocking)


CORP = "192.168.0.0/16"


def _private_nat_to_corp(nat_routes: list[Route], *, nat_nacl_corp: bool = True):  # type: ignore[no-untyped-def]
    """app -> corp 443 through a private NAT gateway in a 'transit' subnet whose table
    routes corp to a transit gateway; app's group and NACL, the NAT subnet's NACL admit."""
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "app": [allow(10, CORP, (443, 443), egress=True), allow(10, CORP, EPH),
                     *reference()["nacls"]["app"]],  # type: ignore[index]
             "transit": [allow(100, "10.0.11.0/24", (443, 443)),
                         allow(100, "10.0.11.0/24", EPH, egress=True),
                         *([allow(110, CORP, (443, 443), egress=True), allow(110, CORP, EPH)]
                           if nat_nacl_corp else [])]}
    groups = {**reference()["groups"],  # type: ignore[dict-item]
              "app": [*reference()["groups"]["app"], sg_out((443, 443), cidr=CORP)],  # type: ignore[index]
              "transit": []}
    network = layered_network(
        {"web": WEB, "app": APP, "db": DB, "transit": ["10.0.31.0/24"]},
        **reference(routes={"web": [IGW], "app": [TO_NAT, Route(CORP, "nat", "nat-p")],
                            "transit": nat_routes},
                    nats={"nat-a": "web"}, nacls=nacls, groups=groups),
        named={"corp": CORP})
    network.nat_gateways["nat-p"] = NatGateway("nat-p", "transit-0", public=False)
    return network


def test_r4_private_nat_gateway_forwards_to_a_named_network_behind_a_transit_gateway() -> None:
    network = _private_nat_to_corp([Route(CORP, "tgw", "tgw-1")])
    result = analyze(network)
    assert str(result.ports("app", "corp", "tcp")) == "443"
    assert not result.unknown_ports("app", "corp", "tcp")
    assert any("tgw-1 reaches corp" in a for a in result.assumptions), result.assumptions
    answer = query(network, "app", "corp", "tcp", 443)
    assert answer.reachable, answer.legs
    assert result.tiers["app"].exposure == "private"  # the public NAT still decides that


def test_r4_private_nat_gateway_subnet_nacl_is_crossed_both_ways() -> None:
    network = _private_nat_to_corp([Route(CORP, "tgw", "tgw-1")], nat_nacl_corp=False)
    result = analyze(network)
    assert not result.ports("app", "corp", "tcp")
    assert not result.unknown_ports("app", "corp", "tcp")
    why = query(network, "app", "corp", "tcp", 443)
    assert any(b.layer == "nacls" and "NAT subnet" in b.detail for b in why.blocking), \
        why.blocking


def test_r4_private_nat_gateway_onward_route_decides() -> None:
    # No route to corp from the NAT's subnet: blocked, with the route.
    assert not analyze(_private_nat_to_corp([])).ports("app", "corp", "tcp")
    assert not analyze(_private_nat_to_corp([])).unknown_ports("app", "corp", "tcp")
    # On to a peering connection whose far side is not in the input: unknown, never blocked.
    result = analyze(_private_nat_to_corp([Route(CORP, "peering", "pcx-1")]))
    assert not result.ports("app", "corp", "tcp")
    assert "443" in str(result.unknown_ports("app", "corp", "tcp"))


def test_r6_named_network_needs_a_direct_link() -> None:
    corp = "192.168.0.0/16"
    groups = {**reference()["groups"],  # type: ignore[dict-item]
              "app": [*reference()["groups"]["app"], sg_in((22, 22), cidr=corp)]}  # type: ignore[index]
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "app": [allow(10, corp, (22, 22)), allow(10, corp, EPH, egress=True),
                     *reference()["nacls"]["app"]]}  # type: ignore[index]
    network = net(groups=groups, nacls=nacls, named={"corp": corp})
    assert not analyze(network).reachable("corp", "app", "tcp", 22)
    linked = net(groups=groups, nacls=nacls, named={"corp": corp},
                 routes={"web": [IGW], "app": [TO_NAT, Route(corp, "vgw", "vgw-1")]})
    result = analyze(linked)
    assert result.reachable("corp", "app", "tcp", 22)
    assert not result.reachable("internet", "app", "tcp", 22)


# -- network ACLs ------------------------------------------------------------------


def test_a3_missing_return_leg_blocks() -> None:
    nacls = {**reference()["nacls"], "db": [allow(100, "10.0.11.0/24", (3306, 3306))]}  # type: ignore[dict-item]
    network = net(nacls=nacls)
    assert not analyze(network).reachable("app", "db", "tcp", 3306)
    why = query(network, "app", "db", "tcp", 3306)
    assert [(b.leg, b.layer) for b in why.blocking] == [("return", "nacls")]
    assert "implicit deny" in why.blocking[0].resource


def test_a4_same_subnet_skips_nacls_but_other_subnets_do_not() -> None:
    groups = {**reference()["groups"],  # type: ignore[dict-item]
              "web": [*reference()["groups"]["web"], sg_in((9000, 9000), group="sg-web"),  # type: ignore[index]
                      sg_out((9000, 9000), group="sg-web")]}
    result = analyze(net(groups=groups))
    # web-0 -> web-0 passes (no NACL inside a subnet); web-0 -> web-1 is denied by web's NACL.
    assert result.reachable("web", "web", "tcp", 9000)
    # Only web is in this network: its rule to app's group (not in the input) is left out,
    # since a group outside the input makes web's pairs unknown (S5).
    own = [r for r in groups["web"] if r.group != "sg-app"]
    network = layered_network({"web": ["10.0.1.0/24", "10.0.2.0/24"]}, routes={"web": [IGW]},
                              nacls={"web": []}, groups={"web": own})
    legs = query(network, "web", "web", "tcp", 9000)
    assert legs.reachable
    assert all(leg.layer == "security_groups" for leg in legs.legs)


def test_a5_nat_subnet_nacl_is_crossed_both_ways() -> None:
    # web (the NAT's subnet) no longer admits replies from the internet (rule 130).
    web = [e for e in reference()["nacls"]["web"] if e.rule_number != 130]  # type: ignore[index]
    network = net(nacls={**reference()["nacls"], "web": web})  # type: ignore[dict-item]
    result = analyze(network)
    assert not result.reachable("app", "internet", "tcp", 443)
    why = query(network, "app", "internet", "tcp", 443)
    assert any(b.layer == "nacls" and "NAT subnet" in b.detail for b in why.blocking)
    # and the reply reaches app with the internet host's address as source: app's NACL
    # must admit ephemeral ports from 0.0.0.0/0.
    app = [e for e in reference()["nacls"]["app"] if e.cidr != "0.0.0.0/0" or e.egress]  # type: ignore[index]
    assert not analyze(net(nacls={**reference()["nacls"], "app": app})).reachable(  # type: ignore[dict-item]
        "app", "internet", "tcp", 443)


# -- security groups ---------------------------------------------------------------


def test_s2_replies_pass_whatever_the_rules_say() -> None:
    # db has no egress rules at all, yet app -> db works: the reply is stateful.
    assert analyze(net()).reachable("app", "db", "tcp", 3306)
    assert not analyze(net()).reachable("db", "app", "tcp", 8080)
