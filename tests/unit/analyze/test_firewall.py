"""R15: a route to a Network Firewall endpoint is a firewall hop: the firewall subnet's NACL,
the firewall's rules as a filter (both addresses), then the firewall subnet's table, on
through the NAT gateway (the egress chain tier -> firewall -> NAT -> internet). The reply
must come back through the same endpoint. What was not read or is not modelled is unknown
with the reason, never blocked; a rule that was read and drops, blocks, naming it."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network

import pytest

from tierform.analyze import Layer, analyze, query
from tierform.analyze.compile import Model
from tierform.network.model import (
    Firewall,
    FirewallPolicy,
    FirewallRuleGroup,
    NatGateway,
    Network,
    Route,
    RouteTable,
    StatefulRule,
    Subnet,
    Vpc,
)
from tierform.network.synthetic import layered_network
from tierform.ports import PortSet
from tierform.report import single_layer_table
from tierform.verify import Intent, inspection_findings, verify
from unit.analyze.networks import sg_out
from unit.analyze.test_matrix_reference import as_dict, reference

EP = {"az0": "vpce-a", "az1": "vpce-b"}
DROP_TELNET = StatefulRule("drop", "tcp", ("$HOME_NET",), (), ("$EXTERNAL_NET",), ((23, 23),),
                           text="drop tcp $HOME_NET any -> $EXTERNAL_NET 23")
PASS_443 = StatefulRule("pass", "tcp", ("$HOME_NET",), (), ("$EXTERNAL_NET",), ((443, 443),),
                        text="pass tcp $HOME_NET any -> $EXTERNAL_NET 443")


def _network(*, rules: tuple[StatefulRule, ...] = (DROP_TELNET, PASS_443),
             policy: FirewallPolicy | None = None, app_route: dict[str, str] | None = None,
             nat_back: dict[str, str | None] | None = None,
             group: FirewallRuleGroup | None = None) -> Network:
    """public (NAT per AZ), app (0.0.0.0/0 -> its AZ's endpoint), firewall subnets
    (0.0.0.0/0 -> the NAT of the AZ); the public tables route app's CIDR back through the
    endpoint of the same AZ. Every NACL is AWS's default (allow all); app's group lets all
    out. The policy: strict order, 23 dropped, 443 passed, default drop."""
    network = layered_network({"public": ["10.0.0.0/24", "10.0.1.0/24"],
                               "app": ["10.0.10.0/24", "10.0.11.0/24"]},
                              groups={"app": [sg_out((0, 65535), cidr="0.0.0.0/0",
                                                     protocol="-1")]})
    for name in ("rt-public", "rt-app"):
        del network.route_tables[name]
    routes = app_route or EP
    back = nat_back if nat_back is not None else EP
    for index, az in enumerate(("az0", "az1")):
        fw = Subnet(f"fw-{index}", IPv4Network(f"10.0.100.{16 * index}/28"), az, None,
                    source=f"aws_subnet.firewall[{index}]")
        network.subnets[fw.id] = fw
        network.nat_gateways[f"nat-{index}"] = NatGateway(f"nat-{index}", f"public-{index}",
                                                          source=f"aws_nat_gateway.this[{index}]")
        app_cidr = f"10.0.1{index}.0/24"
        public_routes = [Route("0.0.0.0/0", "igw", "igw")]
        if back.get(az) is not None:
            public_routes.append(Route(app_cidr, "gwlbe", back[az]))
        network.route_tables[f"rt-public-{index}"] = RouteTable(
            f"rt-public-{index}", tuple(public_routes), frozenset({f"public-{index}"}),
            tier="public", source=f"aws_route_table.public[{index}]")
        network.route_tables[f"rt-app-{index}"] = RouteTable(
            f"rt-app-{index}", (Route("0.0.0.0/0", "gwlbe", routes[az]),),
            frozenset({f"app-{index}"}), tier="app", source=f"aws_route_table.app[{index}]")
        network.route_tables[f"rt-fw-{index}"] = RouteTable(
            f"rt-fw-{index}", (Route("0.0.0.0/0", "nat", f"nat-{index}"),),
            frozenset({fw.id}), source=f"aws_route_table.firewall[{index}]")
    network.firewalls["fw"] = Firewall(
        "fw", (("az0", "fw-0"), ("az1", "fw-1")), tuple(EP.items()), "policy",
        source="aws_networkfirewall_firewall.this")
    network.firewall_policies["policy"] = policy or FirewallPolicy(
        "policy", stateful_groups=("group",), stateful_default=("aws:drop_established",),
        strict_order=True, source="aws_networkfirewall_firewall_policy.this")
    network.firewall_rule_groups["group"] = group or FirewallRuleGroup(
        "group", rules=rules, strict_order=True, source="aws_networkfirewall_rule_group.five")
    return network


def test_r15_egress_goes_through_the_firewall_then_the_nat() -> None:
    result = analyze(_network())
    assert str(result.ports("app", "internet", "tcp")) == "443"  # 23 dropped, rest by default
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"
    answer = query(_network(), "app", "internet", "tcp", 443)
    assert answer.verdict == "reachable"
    assert any("firewall aws_networkfirewall_firewall.this in az0" in leg.detail
               or "in az1" in leg.detail for leg in answer.legs if leg.layer == "routes")


def test_r15_a_firewall_rule_that_drops_blocks_and_is_named() -> None:
    answer = query(_network(), "app", "internet", "tcp", 23)
    assert answer.verdict == "blocked"
    [leg] = list(answer.blocking)
    assert leg.layer == "firewall"
    assert "drop tcp $HOME_NET any -> $EXTERNAL_NET 23" in leg.detail


def test_r15_without_a_drop_default_the_rest_passes() -> None:
    policy = FirewallPolicy("policy", stateful_groups=("group",), strict_order=True)
    result = analyze(_network(policy=policy))
    assert str(result.ports("app", "internet", "tcp")) == "0-22,24-65535"


def test_r15_the_policy_not_read_is_unknown_never_blocked() -> None:
    network = _network()
    network.firewall_policies.clear()
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert result.unknown_ports("app", "internet", "tcp").is_full()
    assert any("policy policy is not in the input" in r for r in result.incomplete_reasons)


def test_r15_a_rule_group_not_read_is_unknown() -> None:
    network = _network()
    network.firewall_rule_groups.clear()
    result = analyze(network)
    assert result.unknown_ports("app", "internet", "tcp").is_full()


def test_r15_an_unparsed_rule_string_makes_what_it_could_match_unknown() -> None:
    group = FirewallRuleGroup("group", rules=(DROP_TELNET,),
                              unparsed=("`drop tls ... (tls.sni; content:...)`",),
                              source="aws_networkfirewall_rule_group.suricata")
    result = analyze(_network(group=group))
    assert not result.ports("app", "internet", "tcp")  # 23 dropped before: known
    assert str(result.unknown_ports("app", "internet", "tcp")) == "0-22,24-65535"
    assert query(_network(group=group), "app", "internet", "tcp", 23).verdict == "blocked"
    assert query(_network(group=group), "app", "internet", "tcp", 443).verdict == "unknown"


def test_r15_an_application_protocol_rule_is_unknown() -> None:
    tls = StatefulRule("drop", "tls", ("$HOME_NET",), (), ("any",), (), text="drop tls")
    result = analyze(_network(rules=(tls, PASS_443)))
    assert result.unknown_ports("app", "internet", "tcp").is_full()
    assert not result.unknown_ports("app", "internet", "icmp")  # tls is never icmp


def test_r15_a_domain_allow_list_reaches_the_listed_domains_only() -> None:
    group = FirewallRuleGroup("group", domains=(".amazonaws.com",), domain_action="allow",
                              source="aws_networkfirewall_rule_group.domains")
    result = analyze(_network(group=group))
    assert result.ports("app", "internet", "tcp").is_full()  # never blocked for all
    assert any("for the listed domains only (.amazonaws.com" in w for w in result.warnings)
    answer = query(_network(group=group), "app", "internet", "tcp", 443)
    assert any("listed domains only" in leg.detail for leg in answer.legs)


def test_r15_action_order_puts_pass_rules_first() -> None:
    policy = FirewallPolicy("policy", stateful_groups=("group",))
    drop_all = StatefulRule("drop", "ip", ("any",), (), ("any",), (), text="drop ip any")
    result = analyze(_network(policy=policy, rules=(drop_all, PASS_443)))
    assert str(result.ports("app", "internet", "tcp")) == "443"


def test_r15_stateless_defaults() -> None:
    passing = FirewallPolicy("policy", stateless_default=("aws:pass",))
    assert analyze(_network(policy=passing)).ports("app", "internet", "tcp").is_full()
    dropping = FirewallPolicy("policy", stateless_default=("aws:drop",))
    result = analyze(_network(policy=dropping))
    assert not result.ports("app", "internet", "tcp")
    assert not result.unknown_ports("app", "internet", "tcp")
    stateless = FirewallPolicy("policy", stateless_groups=("sl",))
    assert analyze(_network(policy=stateless)).unknown_ports("app", "internet", "tcp").is_full()


def test_r15_an_asymmetric_return_is_unknown_with_the_reason() -> None:
    network = _network(nat_back={"az0": None, "az1": None})
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert 443 in result.unknown_ports("app", "internet", "tcp")
    assert any("asymmetric" in r for r in result.incomplete_reasons)


def test_r15_a_route_to_the_other_az_endpoint_still_goes_through_the_firewall() -> None:
    # AWS delivers it (the finding is verify's cross-AZ); the reply comes back by the
    # NAT subnet of the other AZ... here through its own endpoint, so the path is known.
    network = _network(app_route={"az0": "vpce-b", "az1": "vpce-b"},
                       nat_back={"az0": "vpce-b", "az1": "vpce-b"})
    assert str(analyze(network).ports("app", "internet", "tcp")) == "443"


def test_r15_an_endpoint_not_known_to_be_a_firewall_stays_unknown() -> None:
    network = _network()
    network.firewalls.clear()
    result = analyze(network)
    assert result.unknown_ports("app", "internet", "tcp").is_full()
    assert any("Gateway Load Balancer endpoint" in r for r in result.incomplete_reasons)


def test_r15_a_route_back_to_a_firewall_endpoint_is_a_loop() -> None:
    network = _network()
    for index, endpoint in enumerate(("vpce-a", "vpce-b")):
        table = network.route_tables[f"rt-fw-{index}"]
        network.route_tables[table.id] = replace(table, routes=(
            Route("0.0.0.0/0", "gwlbe", endpoint),))
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.verdict == "blocked"
    assert "a loop" in " ".join(leg.detail for leg in answer.legs)


@pytest.mark.parametrize("layer", ["firewall"])
def test_r15_the_firewall_failed_open_passes_everything(layer: str) -> None:
    result = analyze(_network(), failed_open=layer)  # type: ignore[arg-type]
    assert result.ports("app", "internet", "tcp").is_full()


# -- verify's inspection findings (R15) -------------------------------------------------

def _kinds(network: Network) -> list[str]:
    return sorted(f.message.split(":")[0] for f in
                  inspection_findings(network, [("app", "internet")]))


def test_inspection_an_inspected_network_has_no_finding() -> None:
    assert _kinds(_network()) == []


def test_inspection_a_route_straight_to_the_nat_is_a_bypass() -> None:
    network = _network()
    table = network.route_tables["rt-app-0"]
    network.route_tables[table.id] = replace(table, routes=(Route("0.0.0.0/0", "nat", "nat-0"),))
    assert _kinds(network) == ["bypass"]


def test_inspection_the_other_az_endpoint_is_cross_az_and_asymmetric() -> None:
    assert _kinds(_network(app_route={"az0": "vpce-b", "az1": "vpce-b"})) == [
        "asymmetric", "cross-AZ"]


def test_inspection_a_return_route_not_through_the_endpoint_is_asymmetric() -> None:
    assert _kinds(_network(nat_back={"az0": "vpce-a", "az1": None})) == ["asymmetric"]


def test_inspection_pairs_not_asked_are_not_judged() -> None:
    network = _network()
    table = network.route_tables["rt-app-0"]
    network.route_tables[table.id] = replace(table, routes=(Route("0.0.0.0/0", "nat", "nat-0"),))
    assert inspection_findings(network, []) == []


def test_verify_reports_inspection_and_the_firewall_row() -> None:
    intent = Intent("app", "internet", "tcp", PortSet.of(443), "app -> internet", ("flows", 0))
    clean = verify([intent], _network(), declared_exposure={"app": "private"},
                   inspected=[("app", "internet")])
    assert not [f for f in clean.findings if f.kind == "inspection"]
    # The firewall alone holds back everything but 443 (its groups let all out): its row.
    rows = [(f.src, f.dst, f.protocol, str(f.ports)) for f in clean.single_layer["firewall"]]
    assert ("app", "internet", "tcp", "0-442,444-65535") in rows
    assert "firewall" in single_layer_table(clean)
    network = _network()
    table = network.route_tables["rt-app-0"]
    network.route_tables[table.id] = replace(table, routes=(Route("0.0.0.0/0", "nat", "nat-0"),))
    report = verify([intent], network, declared_exposure={"app": "private"},
                    inspected=[("app", "internet")])
    assert [f.message.split(":")[0] for f in report.findings if f.kind == "inspection"] == [
        "bypass"]
    assert not report.ok


def test_verify_without_firewalls_has_no_firewall_row() -> None:
    network = _network()
    network.firewalls.clear()
    report = verify([], network, declared_exposure={})
    assert "firewall" not in report.single_layer


def _public_through_firewall(edge_target: str | None) -> Network:
    """web in az0: 0.0.0.0/0 -> the firewall endpoint, the firewall subnet on to the
    internet gateway; the gateway's edge table sends web's CIDR to ``edge_target``."""
    network = _network()
    network.subnets["web-0"] = Subnet("web-0", IPv4Network("10.0.20.0/24"), "az0", "web")
    network.route_tables["rt-web"] = RouteTable(
        "rt-web", (Route("0.0.0.0/0", "gwlbe", "vpce-a"),), frozenset({"web-0"}), tier="web")
    fw = network.route_tables["rt-fw-0"]
    network.route_tables[fw.id] = replace(fw, routes=(Route("0.0.0.0/0", "igw", "igw"),))
    if edge_target is not None:
        network.route_tables["rt-edge"] = RouteTable(
            "rt-edge", (Route("10.0.20.0/24", "gwlbe", edge_target),), frozenset(),
            gateway_ids=frozenset({"igw"}), source="aws_route_table.edge")
    return network


def test_r15_public_egress_through_the_firewall_needs_the_edge_route_back() -> None:
    result = analyze(_public_through_firewall("vpce-a"))
    assert str(result.ports("web", "internet", "tcp")) == "443"
    assert not result.unknown_ports("web", "internet", "tcp")
    assert result.tiers["web"].exposure == "public"  # firewall then internet gateway
    for target in (None, "vpce-b"):
        result = analyze(_public_through_firewall(target))
        assert not result.ports("web", "internet", "tcp")
        assert 443 in result.unknown_ports("web", "internet", "tcp")
        assert any("edge route table" in r or "asymmetric" in r
                   for r in result.incomplete_reasons)


WEB_443 = StatefulRule("pass", "tcp", ("any",), (), ("10.0.20.0/24",), ((443, 443),),
                      text="pass tcp any any -> 10.0.20.0/24 443")


def test_r15_ingress_through_the_firewall_by_the_edge_table() -> None:
    network = _public_through_firewall("vpce-a")
    network.firewall_rule_groups["group"] = FirewallRuleGroup(
        "group", rules=(DROP_TELNET, WEB_443, PASS_443), strict_order=True)
    result = analyze(network)
    assert str(result.ports("internet", "web", "tcp")) == "443"  # the rest: default drop
    assert not result.unknown_ports("internet", "web", "tcp")
    blocked = query(network, "internet", "web", "tcp", 80)
    assert [leg.layer for leg in blocked.blocking] == ["firewall"]
    assert query(network, "internet", "web", "tcp", 443).verdict == "reachable"


def test_r15_ingress_not_back_by_the_edge_table_is_unknown_not_blocked() -> None:
    for target in (None, "vpce-b"):
        network = _public_through_firewall(target)
        network.firewall_rule_groups["group"] = FirewallRuleGroup(
            "group", rules=(WEB_443,), strict_order=True)
        result = analyze(network)
        assert not result.ports("internet", "web", "tcp")
        assert 443 in result.unknown_ports("internet", "web", "tcp")
        assert 80 not in result.unknown_ports("internet", "web", "tcp")  # the rules drop it
        assert any("asymmetric" in r for r in result.incomplete_reasons)


def test_r15_ingress_to_a_tier_whose_subnets_the_firewall_tells_apart_is_unknown() -> None:
    network = _public_through_firewall("vpce-a")
    network.subnets["web-1"] = Subnet("web-1", IPv4Network("10.0.21.0/24"), "az0", "web")
    table = network.route_tables["rt-web"]
    network.route_tables[table.id] = replace(table, subnet_ids=frozenset({"web-0", "web-1"}))
    edge = network.route_tables["rt-edge"]
    network.route_tables[edge.id] = replace(edge, routes=(
        Route("10.0.20.0/23", "gwlbe", "vpce-a"),))
    network.firewall_rule_groups["group"] = FirewallRuleGroup(
        "group", rules=(WEB_443,), strict_order=True)
    result = analyze(network)
    assert 443 in result.unknown_ports("internet", "web", "tcp")
    assert any("apart" in r for r in result.incomplete_reasons)


@pytest.mark.parametrize("variant", ["inspected", "asymmetric", "unparsed", "public",
                                     "public-asymmetric",
                                     "nat-first", "nat-first-asymmetric"])
def test_r15_the_matrix_and_query_agree(variant: str) -> None:
    network = {"inspected": _network,
               "asymmetric": lambda: _network(nat_back={"az0": "vpce-a", "az1": None}),
               "unparsed": lambda: _network(group=FirewallRuleGroup(
                   "group", rules=(DROP_TELNET,), unparsed=("`x`",))),
               "public": lambda: _public_through_firewall("vpce-a"),
               "public-asymmetric": lambda: _public_through_firewall("vpce-b"),
               "nat-first": lambda: _nat_first(),
               "nat-first-asymmetric": lambda: _nat_first(edge={"az0": "vpce-a"})}[variant]()
    result = analyze(network)
    for src in [*network.tiers, "internet"]:
        for dst in [*network.tiers, "internet"]:
            if src == dst:
                continue
            for port in (22, 23, 443, 8080):
                assert query(network, src, dst, "tcp", port).verdict == result.verdict(
                    src, dst, "tcp", port), (src, dst, port)


def test_r15_through_the_firewall_to_a_transit_gateway_the_reply_path_is_unknown() -> None:
    network = _network()
    network.named_networks["corp"] = (IPv4Network("172.16.0.0/12"),)
    for index in (0, 1):
        fw = network.route_tables[f"rt-fw-{index}"]
        network.route_tables[fw.id] = replace(fw, routes=(
            *fw.routes, Route("172.16.0.0/12", "tgw", "tgw-1")))
    result = analyze(network)
    assert not result.ports("app", "corp", "tcp")
    assert 443 in result.unknown_ports("app", "corp", "tcp")
    assert any("tgw tgw-1" in r and "not in the input" in r for r in result.incomplete_reasons)


def _nat_first(*, edge: dict[str, str] | None = None,
               public_to: dict[str, str] | None = None) -> Network:
    """AWS's combined design: app -> its AZ's NAT gateway; the public (NAT) subnets'
    0.0.0.0/0 -> their AZ's endpoint; the firewall subnets' 0.0.0.0/0 -> the internet
    gateway; the gateway's edge table routes each public CIDR back through its endpoint."""
    network = _network()
    for index, az in enumerate(("az0", "az1")):
        app = network.route_tables[f"rt-app-{index}"]
        network.route_tables[app.id] = replace(app, routes=(
            Route("0.0.0.0/0", "nat", f"nat-{index}"),))
        public = network.route_tables[f"rt-public-{index}"]
        network.route_tables[public.id] = replace(public, routes=(
            Route("0.0.0.0/0", "gwlbe", (public_to or EP)[az]),))
        fw = network.route_tables[f"rt-fw-{index}"]
        network.route_tables[fw.id] = replace(fw, routes=(Route("0.0.0.0/0", "igw", "igw"),))
    routes = tuple(Route(f"10.0.{i}.0/24", "gwlbe", (edge or EP)[az])
                   for i, az in enumerate(("az0", "az1")) if (edge or EP).get(az))
    network.route_tables["rt-edge"] = RouteTable("rt-edge", routes, frozenset(),
                                                 gateway_ids=frozenset({"igw"}),
                                                 source="aws_route_table.edge")
    return network


def test_r15_nat_then_firewall_then_the_internet_gateway() -> None:
    result = analyze(_nat_first())
    assert str(result.ports("app", "internet", "tcp")) == "443"  # the NAT's address: $HOME_NET
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"
    assert _kinds(_nat_first()) == []
    assert query(_nat_first(), "app", "internet", "tcp", 23).blocking[0].layer == "firewall"


def test_r15_nat_then_firewall_mutants() -> None:
    asymmetric = _nat_first(edge={"az0": "vpce-a"})  # az1's NAT replies come in directly
    assert _kinds(asymmetric) == ["asymmetric"]
    assert analyze(asymmetric).reachable("app", "internet", "tcp", 443)  # through az0
    neither = _nat_first(edge={"az0": "vpce-b", "az1": "vpce-a"})
    result = analyze(neither)
    assert not result.ports("app", "internet", "tcp")
    assert 443 in result.unknown_ports("app", "internet", "tcp")
    assert any("asymmetric" in r for r in result.incomplete_reasons)
    crossed = _nat_first(public_to={"az0": "vpce-b", "az1": "vpce-b"},
                         edge={"az0": "vpce-b", "az1": "vpce-b"})
    assert _kinds(crossed) == ["cross-AZ"]
    assert str(analyze(crossed).ports("app", "internet", "tcp")) == "443"


def test_inspection_ingress_needs_the_edge_route_through_the_same_endpoint() -> None:
    pairs = [("internet", "web"), ("web", "internet")]
    assert inspection_findings(_public_through_firewall("vpce-a"), pairs) == []
    for target in (None, "vpce-b"):
        found = inspection_findings(_public_through_firewall(target), pairs)
        assert {f.message.split(":")[0] for f in found} == {"asymmetric"}


def test_r15_a_negated_cidr_splits_the_internet() -> None:
    policy = FirewallPolicy("policy", stateful_groups=("group",), strict_order=True)
    not_doc = StatefulRule("drop", "tcp", ("$HOME_NET",), (), ("!192.0.2.0/24",), ((23, 23),),
                           text="drop tcp $HOME_NET any -> !192.0.2.0/24 23")
    everywhere = analyze(_network(policy=policy, rules=(replace(
        not_doc, destinations=("any",)),)))
    assert not everywhere.reachable("app", "internet", "tcp", 23)
    result = analyze(_network(policy=policy, rules=(not_doc,)))
    assert result.reachable("app", "internet", "tcp", 23)  # to 192.0.2.0/24 only
    assert not result.unknown_ports("app", "internet", "tcp")


def test_r15_a_two_way_rule_matches_the_connection_reversed() -> None:
    policy = FirewallPolicy("policy", stateful_groups=("group",), strict_order=True)
    both = StatefulRule("drop", "tcp", ("$EXTERNAL_NET",), (), ("$HOME_NET",), (),
                        direction="any", text="drop tcp $EXTERNAL_NET any <> $HOME_NET any")
    one_way = replace(both, direction="forward")
    assert not analyze(_network(policy=policy, rules=(both,))).ports("app", "internet", "tcp")
    assert analyze(_network(policy=policy, rules=(one_way,))).ports(
        "app", "internet", "tcp").is_full()


def test_r15_home_net_is_the_firewall_vpc_of_several() -> None:
    network = Network("plan", (IPv4Network("10.0.0.0/16"), IPv4Network("10.1.0.0/16")))
    network.vpcs = {"a": Vpc("a", (IPv4Network("10.0.0.0/16"),), "a"),
                    "b": Vpc("b", (IPv4Network("10.1.0.0/16"),), "b")}
    network.subnets = {"a-0": Subnet("a-0", IPv4Network("10.0.1.0/24"), "az0", "a", vpc="a"),
                       "b-0": Subnet("b-0", IPv4Network("10.1.1.0/24"), "az0", "b", vpc="b")}
    network.firewalls["fw"] = Firewall("fw", (), (), "policy", vpc="a")
    network.firewall_policies["policy"] = FirewallPolicy(
        "policy", stateful_groups=("group",), stateful_default=("aws:drop_strict",),
        strict_order=True)
    network.firewall_rule_groups["group"] = FirewallRuleGroup("group", rules=(PASS_443,))
    model = Model(network)
    [a] = [h for h in model.hosts if h.endpoint == "a"]
    [b] = [h for h in model.hosts if h.endpoint == "b"]
    assert str(model.firewall("fw", a.key, b.key).passed[0]) == "443"  # b is external to a
    assert not model.firewall("fw", b.key, a.key).passed[0]  # b is not a's $HOME_NET


def _two_web_subnets() -> Network:
    """Two web subnets in one profile (one table, one NACL) that the rules tell apart."""
    network = _public_through_firewall("vpce-a")
    network.subnets["web-1"] = Subnet("web-1", IPv4Network("10.0.21.0/24"), "az0", "web")
    table = network.route_tables["rt-web"]
    network.route_tables[table.id] = replace(table, subnet_ids=frozenset({"web-0", "web-1"}))
    network.firewall_rule_groups["group"] = FirewallRuleGroup(
        "group", rules=(WEB_443, DROP_TELNET, PASS_443), strict_order=True)
    return network


@pytest.mark.parametrize("variant", ["inspected", "nat-first", "public", "two-web",
                                     "ingress"])
@pytest.mark.parametrize("failed_open", [None, "firewall", "nacls"])
def test_r15_the_matrix_equals_the_pairwise_reference(variant: str,
                                                      failed_open: Layer | None) -> None:
    ingress = _public_through_firewall("vpce-a")
    ingress.firewall_rule_groups["group"] = FirewallRuleGroup(
        "group", rules=(WEB_443, DROP_TELNET, PASS_443), strict_order=True)
    network = {"inspected": _network(), "nat-first": _nat_first(),
               "public": _public_through_firewall("vpce-a"), "two-web": _two_web_subnets(),
               "ingress": ingress}[variant]
    expected, _ = reference(network, failed_open)
    assert as_dict(analyze(network, failed_open=failed_open)) == expected
