"""compile.py against docs/network-semantics.md: which table and NACL a subnet uses, what
one layer alone decides (R1, R2, R5, A1, A2, S1, S3, S4), and how host classes are cut."""

from __future__ import annotations

from tierform.analyze import analyze, query
from tierform.network.model import Route
from tierform.network.synthetic import layered_network
from tierform.ports import PortSet
from unit.analyze.networks import APP, DB, IGW, TO_NAT, deny, net, reference, sg_in, sg_out

# -- routing -----------------------------------------------------------------------


def test_r1_unassociated_subnet_uses_main_table() -> None:
    network = net()
    table = network.route_tables["rt-web"]
    network.route_tables["rt-web"] = type(table)(table.id, table.routes, frozenset({"web-0"}),
                                                 tier="web", source=table.source)
    result = analyze(network)
    # web-1 falls back to the main table (local only): both subnets still count, web-0 public.
    assert result.tiers["web"].exposure == "public"
    assert any("mixes subnet exposures" in w for w in result.warnings)
    legs = query(network, "internet", "web", "tcp", 443)
    assert legs.reachable  # through web-0


def test_r2_longest_prefix_wins() -> None:
    # A more specific route sends one internet range to a blackhole: that range is cut off.
    routes = {"web": [IGW, Route("198.51.100.0/24", "blackhole", None, source="aws_route.bh")],
              "app": [TO_NAT]}
    network = net(routes=routes)
    assert analyze(network).reachable("internet", "web", "tcp", 443)  # other addresses
    network2 = net(routes={"web": [Route("198.51.100.0/24", "igw", "igw")], "app": [TO_NAT]})
    result = analyze(network2)
    assert result.tiers["web"].exposure == "public"
    assert result.reachable("internet", "web", "tcp", 443)


def test_r5_gateway_endpoint_is_not_the_internet() -> None:
    endpoint = Route("pl-63a5400a", "endpoint", "vpce-s3")
    network = net(routes={"web": [IGW], "app": [TO_NAT], "db": [endpoint]})
    result = analyze(network)
    assert result.tiers["db"].exposure == "isolated"
    assert not any(f.dst == "internet" and f.src == "db" for f in result.flows)


# -- network ACLs ------------------------------------------------------------------


def test_a1_default_nacl_allows_everything() -> None:
    nacls = dict(reference()["nacls"])  # type: ignore[call-overload]
    del nacls["db"]
    groups = {**reference()["groups"], "db": [sg_in((0, 65535), group="sg-app")]}  # type: ignore[dict-item]
    result = analyze(net(nacls=nacls, groups=groups))
    # app's own NACL and group still limit app -> db: 3306, and 443 (its 0.0.0.0/0 rules).
    assert result.ports("app", "db", "tcp") == PortSet.of(443, 3306)


def test_a2_lower_numbered_deny_shadows_allow() -> None:
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "db": [deny(50, "10.0.11.0/25", (3306, 3306)),
                    *reference()["nacls"]["db"]]}  # type: ignore[index]
    network = net(nacls=nacls)
    # Only half of app's subnet is denied: hosts in 10.0.11.128/25 still get through (atoms).
    assert analyze(network).reachable("app", "db", "tcp", 3306)
    nacls["db"] = [deny(50, "10.0.11.0/24", (3306, 3306)), *reference()["nacls"]["db"]]  # type: ignore[index]
    network = net(nacls=nacls)
    assert not analyze(network).reachable("app", "db", "tcp", 3306)
    why = query(network, "app", "db", "tcp", 3306)
    assert [(b.layer, b.resource) for b in why.blocking] == [
        ("nacls", "aws_network_acl.db rule 50 (deny)")]


def test_a2_higher_numbered_deny_does_not_shadow() -> None:
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "db": [*reference()["nacls"]["db"], deny(200, "10.0.11.0/24")]}  # type: ignore[index]
    assert analyze(net(nacls=nacls)).reachable("app", "db", "tcp", 3306)


# -- security groups ---------------------------------------------------------------


def test_s1_union_of_groups_and_protocol_all() -> None:
    network = net()
    extra = network.security_groups["sg-db"]
    network.security_groups["sg-db-extra"] = type(extra)(
        "sg-db-extra", (sg_in((0, 65535), group="sg-app", protocol="-1"),), tier="db")
    nacls_all = layered_network({"app": APP, "db": DB}, groups={
        "app": [sg_out((0, 65535), cidr="10.0.21.0/24", protocol="-1")],
        "db": [sg_in((3306, 3306), group="sg-app")]})
    nacls_all.security_groups["sg-db-extra"] = type(extra)(
        "sg-db-extra", (sg_in((0, 65535), group="sg-app", protocol="-1"),), tier="db")
    result = analyze(nacls_all)
    assert result.ports("app", "db", "tcp").is_full()
    assert result.ports("app", "db", "udp").is_full()
    assert result.reachable("app", "db", "icmp")
    assert next(f for f in result.flows if f.protocol == "icmp").ports is None


def test_s3_group_reference_matches_hosts_carrying_the_group() -> None:
    groups = {**reference()["groups"], "db": [sg_in((3306, 3306), group="sg-web")]}  # type: ignore[dict-item]
    result = analyze(net(groups=groups))
    assert not result.reachable("app", "db", "tcp", 3306)  # app does not carry sg-web
    why = query(net(groups=groups), "app", "db", "tcp", 3306)
    assert [b.resource for b in why.blocking] == ["aws_security_group.db"]


def test_s4_egress_is_exactly_the_configured_rules() -> None:
    groups = {**reference()["groups"],  # type: ignore[dict-item]
              "app": [sg_in((8080, 8080), group="sg-web")]}
    result = analyze(net(groups=groups))
    assert not result.reachable("app", "db", "tcp", 3306)
    assert not result.reachable("app", "internet", "tcp", 443)


def test_tier_without_group_is_unconstrained_and_reported() -> None:
    groups = dict(reference()["groups"])  # type: ignore[call-overload]
    del groups["db"]
    result = analyze(net(groups=groups))
    assert any("db has no security group" in w for w in result.warnings)
    assert not result.reachable("app", "db", "tcp", 3306)  # app's egress names sg-db: gone
    groups["app"] = [sg_out((3306, 3306), cidr="10.0.21.0/24")]
    assert analyze(net(groups=groups)).reachable("app", "db", "tcp", 3306)
