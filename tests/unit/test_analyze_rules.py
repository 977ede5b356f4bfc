"""The analyzer against NETWORK_SEMANTICS.md, rule by rule, on small hand-written networks."""

from __future__ import annotations

from tierform.analyze.core import analyze, query
from tierform.network.model import NaclEntry, NatGateway, Route, SgRule
from tierform.network.synthetic import layered_network
from tierform.ports import PortSet

WEB, APP, DB = ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.11.0/24"], ["10.0.21.0/24"]
EPH = (1024, 65535)


def allow(number: int, cidr: str, ports: tuple[int, int] = (0, 65535), *, egress: bool = False,
          protocol: str = "6", action: str = "allow") -> NaclEntry:
    return NaclEntry(number, egress, protocol, action, cidr, ports[0], ports[1])  # type: ignore[arg-type]


def deny(number: int, cidr: str, ports: tuple[int, int] = (0, 65535), *,
         egress: bool = False, protocol: str = "6") -> NaclEntry:
    return allow(number, cidr, ports, egress=egress, protocol=protocol, action="deny")


def sg_in(ports: tuple[int, int], *, cidr: str | None = None, group: str | None = None,
          protocol: str = "6") -> SgRule:
    return SgRule(False, protocol, ports[0], ports[1], cidr=cidr, group=group)


def sg_out(ports: tuple[int, int], *, cidr: str | None = None, group: str | None = None,
           protocol: str = "6") -> SgRule:
    return SgRule(True, protocol, ports[0], ports[1], cidr=cidr, group=group)


IGW = Route("0.0.0.0/0", "igw", "igw", source="aws_route.web_default")
TO_NAT = Route("0.0.0.0/0", "nat", "nat-a", source="aws_route.app_default")
OPEN_SG = [sg_in((0, 65535), cidr="0.0.0.0/0", protocol="-1"),
           sg_out((0, 65535), cidr="0.0.0.0/0", protocol="-1")]


def reference(**overrides: object) -> dict[str, object]:
    """The three-tier reference network: internet->web 443, web->app 8080, app->db 3306,
    app->internet 443 through a NAT in web."""
    spec: dict[str, object] = {
        "routes": {"web": [IGW], "app": [TO_NAT]},
        "nats": {"nat-a": "web"},
        "nacls": {
            "web": [allow(100, "0.0.0.0/0", (443, 443)), allow(110, "10.0.11.0/24", EPH),
                    allow(120, "10.0.11.0/24", (443, 443)), allow(130, "0.0.0.0/0", EPH),
                    allow(100, "0.0.0.0/0", EPH, egress=True),
                    allow(110, "10.0.11.0/24", (8080, 8080), egress=True),
                    allow(120, "0.0.0.0/0", (443, 443), egress=True)],
            "app": [allow(100, "10.0.1.0/24", (8080, 8080)),
                    allow(105, "10.0.2.0/24", (8080, 8080)),
                    allow(110, "10.0.21.0/24", EPH), allow(120, "0.0.0.0/0", EPH),
                    allow(100, "10.0.1.0/24", EPH, egress=True),
                    allow(105, "10.0.2.0/24", EPH, egress=True),
                    allow(110, "10.0.21.0/24", (3306, 3306), egress=True),
                    allow(120, "0.0.0.0/0", (443, 443), egress=True)],
            "db": [allow(100, "10.0.11.0/24", (3306, 3306)),
                   allow(100, "10.0.11.0/24", EPH, egress=True)],
        },
        "groups": {
            "web": [sg_in((443, 443), cidr="0.0.0.0/0"), sg_out((8080, 8080), group="sg-app")],
            "app": [sg_in((8080, 8080), group="sg-web"), sg_out((3306, 3306), group="sg-db"),
                    sg_out((443, 443), cidr="0.0.0.0/0")],
            "db": [sg_in((3306, 3306), group="sg-app")],
        },
    }
    spec.update(overrides)
    return spec


def net(**overrides: object):  # type: ignore[no-untyped-def]
    return layered_network({"web": WEB, "app": APP, "db": DB}, **reference(**overrides))  # type: ignore[arg-type]


def flows(network) -> dict[tuple[str, str, str], str]:  # type: ignore[no-untyped-def]
    return {(f.src, f.dst, f.protocol): str(f.ports) for f in analyze(network).flows}


def test_reference_network_matches_intent() -> None:
    result = analyze(net())
    assert flows(net()) == {
        ("internet", "web", "tcp"): "443",
        ("web", "app", "tcp"): "8080",
        ("app", "db", "tcp"): "3306",
        ("app", "internet", "tcp"): "443",
        ("app", "web", "tcp"): "443",  # app's 0.0.0.0/0:443 egress matches web's addresses
    }
    assert {t: i.exposure for t, i in result.tiers.items()} == {
        "web": "public", "app": "private", "db": "isolated"}
    assert result.tiers["web"].subnets == WEB
    assert result.warnings == []
    assert any("placement" in a for a in result.assumptions)


# -- routing -------------------------------------------------------------------------


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


def test_r4_private_nat_gateway() -> None:
    network = net()
    network.nat_gateways["nat-a"] = NatGateway("nat-a", "web-0", public=False)
    assert not analyze(network).reachable("app", "internet", "tcp", 443)


def test_r5_gateway_endpoint_is_not_the_internet() -> None:
    endpoint = Route("pl-63a5400a", "endpoint", "vpce-s3")
    network = net(routes={"web": [IGW], "app": [TO_NAT], "db": [endpoint]})
    result = analyze(network)
    assert result.tiers["db"].exposure == "isolated"
    assert not any(f.dst == "internet" and f.src == "db" for f in result.flows)


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
                 routes={"web": [IGW], "app": [TO_NAT, Route(corp, "other", "vgw-1")]})
    result = analyze(linked)
    assert result.reachable("corp", "app", "tcp", 22)
    assert not result.reachable("internet", "app", "tcp", 22)


# -- network ACLs --------------------------------------------------------------------


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


def test_a3_missing_return_leg_blocks() -> None:
    nacls = {**reference()["nacls"], "db": [allow(100, "10.0.11.0/24", (3306, 3306))]}  # type: ignore[dict-item]
    network = net(nacls=nacls)
    assert not analyze(network).reachable("app", "db", "tcp", 3306)
    why = query(network, "app", "db", "tcp", 3306)
    assert [(b.leg, b.layer) for b in why.blocking] == [("return", "nacls")]
    assert "implicit deny" in why.blocking[0].resource


def test_a3_partial_ephemeral_return_is_a_warning() -> None:
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "db": [allow(100, "10.0.11.0/24", (3306, 3306)),
                    allow(100, "10.0.11.0/24", (32768, 60999), egress=True)]}
    result = analyze(net(nacls=nacls))
    assert result.reachable("app", "db", "tcp", 3306)
    assert any("allows only 32768-60999" in w and "app -> db tcp" in w for w in result.warnings)
    wide = analyze(net(nacls=nacls), ephemeral=(32768, 60999))
    assert not any("allows only" in w for w in wide.warnings)


def test_a4_same_subnet_skips_nacls_but_other_subnets_do_not() -> None:
    groups = {**reference()["groups"],  # type: ignore[dict-item]
              "web": [*reference()["groups"]["web"], sg_in((9000, 9000), group="sg-web"),  # type: ignore[index]
                      sg_out((9000, 9000), group="sg-web")]}
    result = analyze(net(groups=groups))
    # web-0 -> web-0 passes (no NACL inside a subnet); web-0 -> web-1 is denied by web's NACL.
    assert result.reachable("web", "web", "tcp", 9000)
    network = layered_network({"web": ["10.0.1.0/24", "10.0.2.0/24"]}, routes={"web": [IGW]},
                              nacls={"web": []}, groups={"web": groups["web"]})
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


# -- security groups -----------------------------------------------------------------


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


def test_s2_replies_pass_whatever_the_rules_say() -> None:
    # db has no egress rules at all, yet app -> db works: the reply is stateful.
    assert analyze(net()).reachable("app", "db", "tcp", 3306)
    assert not analyze(net()).reachable("db", "app", "tcp", 8080)


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


def test_udp_flow() -> None:
    network = layered_network(
        {"app": APP, "dns": ["10.0.31.0/24"]},
        nacls={"app": [allow(100, "10.0.31.0/24", (53, 53), egress=True, protocol="17"),
                       allow(100, "10.0.31.0/24", EPH, protocol="17")],
               "dns": [allow(100, "10.0.11.0/24", (53, 53), protocol="17"),
                       allow(100, "10.0.11.0/24", EPH, egress=True, protocol="17")]},
        groups={"app": [sg_out((53, 53), group="sg-dns", protocol="17")],
                "dns": [sg_in((53, 53), group="sg-app", protocol="17")]})
    result = analyze(network)
    assert result.ports("app", "dns", "udp") == PortSet.of(53)
    assert result.ports("app", "dns", "tcp") == PortSet.empty()


def test_failed_open_layers() -> None:
    network = net()
    assert not analyze(network).reachable("web", "db", "tcp", 3306)
    assert not analyze(network, failed_open="nacls").reachable("web", "db", "tcp", 3306)
    opened = analyze(network, failed_open="routes")
    assert opened.reachable("app", "internet", "tcp", 443)
    assert opened.failed_open == "routes"
    groups_open = analyze(network, failed_open="security_groups")
    assert groups_open.reachable("web", "app", "tcp", 8080)
    assert not groups_open.reachable("web", "db", "tcp", 3306)  # NACLs still hold
