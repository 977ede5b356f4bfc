"""R9: between two tiers, a route more specific than local to a network interface or an
instance (an appliance in front of a subnet) is followed like an appliance hop out of the
VPC (R14): the appliance read with its groups and source/destination check off, its
subnet's NACL both ways, its subnet's table delivering by the local route, and the reply
back through the same appliance. What was not read, a further hop or an asymmetric reply
is unknown with the reason; a loop, and what was read and blocks, is blocked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tierform.analyze import analyze, query
from tierform.network.model import Appliance, NaclEntry, Network, Route, SecurityGroup
from tierform.network.synthetic import layered_network
from unit.analyze.networks import EPH, allow, sg_in, sg_out

APP, DB, HOP = "10.0.11.0/24", "10.0.21.0/24", "10.0.31.0/24"
TO_DB = Route(DB, "eni", "eni-fw", source="aws_route.app_to_db")
TO_APP = Route(APP, "eni", "eni-fw", source="aws_route.db_to_app")
FW_SG = SecurityGroup("sg-fw", (sg_in((0, 65535), cidr="10.0.0.0/16", protocol="-1"),
                                sg_out((3306, 3306), cidr=DB)),
                      source="aws_security_group.appliance")
APPLIANCE = Appliance("eni-fw", "inspect-0", ("sg-fw",), False,
                      source="aws_network_interface.appliance")
HOP_NACL = [allow(100, APP, (3306, 3306)), allow(110, DB, EPH),
            allow(100, DB, (3306, 3306), egress=True), allow(110, APP, EPH, egress=True)]


def _network(*, appliance: Appliance | None = APPLIANCE,
             app_routes: list[Route] | None = None, db_routes: list[Route] | None = None,
             hop_routes: list[Route] | None = None,
             hop_nacl: list[NaclEntry] | None = None) -> Network:
    """app -> db tcp 3306 through an appliance in the inspect tier's subnet; every NACL
    and group on the way admits it (the appliance's group egress: 3306 to db only)."""
    network = layered_network(
        {"app": [APP], "db": [DB], "inspect": [HOP]},
        routes={"app": [TO_DB] if app_routes is None else app_routes,
                "db": [TO_APP] if db_routes is None else db_routes,
                "inspect": hop_routes or []},
        nacls={"app": [allow(100, DB, (3306, 3306), egress=True), allow(100, DB, EPH)],
               "db": [allow(100, APP, (3306, 3306)), allow(100, APP, EPH, egress=True)],
               "inspect": HOP_NACL if hop_nacl is None else hop_nacl},
        groups={"app": [sg_out((3306, 3306), cidr=DB)], "db": [sg_in((3306, 3306), cidr=APP)],
                "inspect": []})
    network.security_groups[FW_SG.id] = FW_SG
    if appliance is not None:
        network.appliances[appliance.id] = appliance
    return network


def _reasons(network: Network) -> list[str]:
    return [r for u in analyze(network).unknown if (u.src, u.dst) == ("app", "db")
            for r in u.reasons]


def test_r9_an_appliance_between_two_tiers_is_followed() -> None:
    result = analyze(_network())
    assert str(result.ports("app", "db", "tcp")) == "3306"
    assert not result.unknown_ports("app", "db", "tcp")
    assert result.complete
    answer = query(_network(), "app", "db", "tcp", 3306)
    assert answer.reachable, answer.legs
    assert any("appliance eni-fw" in str(leg) for leg in answer.legs), answer.legs


def test_r9_the_appliance_groups_are_crossed() -> None:
    network = _network()
    network.security_groups["sg-fw"] = replace(
        FW_SG, rules=(FW_SG.rules[0], sg_out((80, 80), cidr=DB)))
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert not result.unknown_ports("app", "db", "tcp")  # read, and it blocks
    answer = query(network, "app", "db", "tcp", 3306)
    assert answer.verdict == "blocked"
    assert any(b.layer == "security_groups" and "appliance eni-fw" in str(b)
               for b in answer.blocking), answer.blocking


@pytest.mark.parametrize("dropped", [1, 3], ids=["forward-in", "reply-out"])
def test_r9_the_appliance_subnet_nacl_is_crossed_both_ways(dropped: int) -> None:
    # Without rule 100 in (3306 from app) or rule 110 out (replies to app).
    nacl = [e for i, e in enumerate(HOP_NACL) if i != dropped - 1]
    result = analyze(_network(hop_nacl=nacl))
    assert not result.ports("app", "db", "tcp")
    assert not result.unknown_ports("app", "db", "tcp")
    answer = query(_network(hop_nacl=nacl), "app", "db", "tcp", 3306)
    assert answer.verdict == "blocked"
    assert any(b.layer == "nacls" and "aws_network_acl.inspect" in b.resource
               for b in answer.blocking), answer.blocking


@pytest.mark.parametrize(("appliance", "reason"), [
    (None, "not in what was read"),
    (replace(APPLIANCE, source_dest_check=True), "source/destination check is on"),
    (replace(APPLIANCE, source_dest_check=None), "source/destination check is not read"),
    (replace(APPLIANCE, security_group_ids=None), "security groups are not all in"),
    (replace(APPLIANCE, security_group_ids=("sg-gone",)), "security groups are not all in"),
    (replace(APPLIANCE, subnet_id="subnet-elsewhere"), "which is not in the input"),
    (replace(APPLIANCE, subnet_id="db-0"), "a subnet of one end"),
], ids=["not-read", "check-on", "check-not-read", "groups-not-read", "group-missing",
        "subnet-outside", "in-an-end-subnet"])
def test_r9_what_was_not_read_is_unknown_never_blocked(appliance: Appliance | None,
                                                        reason: str) -> None:
    network = _network(appliance=appliance)
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert "3306" in str(result.unknown_ports("app", "db", "tcp"))
    assert any(reason in r for r in _reasons(network)), _reasons(network)
    assert query(network, "app", "db", "tcp", 3306).verdict == "unknown"


@pytest.mark.parametrize(("app_routes", "db_routes"), [
    ([TO_DB], []),  # the reply goes by local, past the appliance
    ([], [TO_APP]),  # the connection goes by local, the reply through the appliance
], ids=["reply-local", "forward-local"])
def test_r9_an_asymmetric_path_is_unknown(app_routes: list[Route],
                                          db_routes: list[Route]) -> None:
    network = _network(app_routes=app_routes, db_routes=db_routes)
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert "3306" in str(result.unknown_ports("app", "db", "tcp"))
    assert any("asymmetric" in r for r in _reasons(network)), _reasons(network)
    assert query(network, "app", "db", "tcp", 3306).verdict == "unknown"


def test_r9_a_route_back_to_the_same_appliance_is_a_loop() -> None:
    network = _network(hop_routes=[Route(DB, "eni", "eni-fw")])
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert not result.unknown_ports("app", "db", "tcp")
    assert any("a loop" in leg.detail for leg in query(network, "app", "db", "tcp", 3306).legs)


def test_r9_a_blackhole_after_the_appliance_blocks() -> None:
    network = _network(hop_routes=[Route(DB, "blackhole", "eni-old")])
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert not result.unknown_ports("app", "db", "tcp")


@pytest.mark.parametrize(("kind", "reason"), [
    ("eni", "not in what was read"), ("instance", "not in what was read"),
    ("gwlbe", "a further hop"), ("nat", "a further hop"),
])
def test_r9_a_further_hop_not_followed_is_unknown(kind: str, reason: str) -> None:
    network = _network(hop_routes=[Route(DB, kind, "hop-2")])  # type: ignore[arg-type]
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert "3306" in str(result.unknown_ports("app", "db", "tcp"))
    assert any(reason in r for r in _reasons(network)), _reasons(network)


def test_r9_an_instance_route_is_followed_like_its_interface() -> None:
    appliance = replace(APPLIANCE, id="i-fw")
    network = _network(appliance=appliance,
                       app_routes=[Route(DB, "instance", "i-fw")],
                       db_routes=[Route(APP, "instance", "i-fw")])
    assert str(analyze(network).ports("app", "db", "tcp")) == "3306"


def test_r9_a_gateway_load_balancer_endpoint_between_tiers_stays_unknown() -> None:
    network = _network(app_routes=[Route(DB, "gwlbe", "vpce-1")],
                       db_routes=[Route(APP, "gwlbe", "vpce-1")])
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")
    assert "3306" in str(result.unknown_ports("app", "db", "tcp"))


def test_r9_each_receiver_subnet_is_followed_on_its_own() -> None:
    """Two db subnets behind one route to the appliance, which app's layers cannot tell
    apart; the appliance's subnet blackholes one and sends the other on to a further hop:
    the pair is unknown, not blocked (the halves are built peer by peer, never shared)."""
    block = "10.0.20.0/22"
    network = layered_network(
        {"app": [APP], "db": ["10.0.21.0/24", "10.0.22.0/24"], "inspect": [HOP]},
        routes={"app": [Route(block, "eni", "eni-fw")], "db": [TO_APP],
                "inspect": [Route("10.0.21.0/24", "blackhole", "eni-old"),
                            Route("10.0.22.0/24", "eni", "eni-2")]},
        nacls={"app": [allow(100, block, (3306, 3306), egress=True), allow(100, block, EPH)],
               "db": [allow(100, APP, (3306, 3306)), allow(100, APP, EPH, egress=True)],
               "inspect": [allow(100, APP, (3306, 3306)), allow(110, block, EPH),
                           allow(100, block, (3306, 3306), egress=True),
                           allow(110, APP, EPH, egress=True)]},
        groups={"app": [sg_out((3306, 3306), cidr=block)],
                "db": [sg_in((3306, 3306), cidr=APP)], "inspect": []})
    network.security_groups[FW_SG.id] = replace(
        FW_SG, rules=(FW_SG.rules[0], sg_out((3306, 3306), cidr=block)))
    network.appliances[APPLIANCE.id] = APPLIANCE
    result = analyze(network)
    assert not result.ports("app", "db", "tcp")  # db-0: blackholed
    assert result.verdict("app", "db", "tcp", 3306) == "unknown"  # db-1: a further hop
    assert any("not in what was read" in r and "10.0.22.0/24" in r
               for r in _reasons(network)), _reasons(network)
