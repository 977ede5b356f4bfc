"""R15 under review: cases where the firewall filter could answer wrong, each checked
against what AWS Network Firewall does. A domain list's generated rules are `$HOME_NET ->
$EXTERNAL_NET` only; under aws:drop_strict the handshake they need is dropped; a pass rule
with `flow:established` does not pass the handshake; a policy's `policy_variables`
HOME_NET replaces the VPC's. What the analyzer cannot tell stays unknown, never passed."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network

from tierform.analyze import analyze, query
from tierform.analyze.atoms import Space
from tierform.analyze.compile import Model
from tierform.analyze.firewall import firewall_verdict
from tierform.network.firewall_rules import parse_rule_string, policy_variables, rule_group
from tierform.network.model import (
    Firewall,
    FirewallPolicy,
    FirewallRuleGroup,
    Network,
    Route,
    RouteTable,
    StatefulRule,
    Subnet,
)
from unit.analyze.test_firewall import DROP_TELNET, PASS_443, _network

ALLOW = FirewallRuleGroup("group", domains=(".amazonaws.com",), domain_action="allow",
                          source="aws_networkfirewall_rule_group.domains")


def _strict(default: str, **more: object) -> FirewallPolicy:
    return FirewallPolicy("policy", stateful_groups=("group",), stateful_default=(default,),
                          strict_order=True, source="aws_networkfirewall_firewall_policy.this",
                          **more)  # type: ignore[arg-type]


def _verdict(network: Network, src: str, dst: str) -> tuple[str, str]:
    """(tcp passed, tcp unknown) by the firewall from subnet ``src`` to subnet ``dst``."""
    model = Model(network)
    hosts = {next(iter(h.subnets)) if h.subnets else h.endpoint: h for h in model.hosts}
    verdict = model.firewall("fw", hosts[src].key, hosts[dst].key)
    return str(verdict.passed[0]), str(verdict.unknown[0])


def test_an_allow_list_does_not_pass_traffic_inside_home_net() -> None:
    # East-west through the firewall: AWS's generated domain rules do not match (the
    # destination is not $EXTERNAL_NET), so the default aws:drop_established drops it.
    network = _network(group=ALLOW)
    assert _verdict(network, "app-0", "public-0") == ("none", "none")
    assert _verdict(network, "app-0", "internet")[0] == "all"  # the listed domains


def test_an_allow_list_under_drop_strict_is_unknown_not_reachable() -> None:
    # aws:drop_strict drops the SYN before TLS SNI / HTTP host is seen: AWS drops it all
    # unless some rule passes the handshake. Never "reachable for the listed domains".
    network = _network(group=ALLOW, policy=_strict("aws:drop_strict"))
    result = analyze(network)
    assert not result.ports("app", "internet", "tcp")
    assert result.unknown_ports("app", "internet", "tcp").is_full()
    assert any("aws:drop_strict" in r for r in result.incomplete_reasons)
    assert query(network, "app", "internet", "tcp", 443).verdict == "unknown"
    # drop_established lets the handshake through: the allow list decides.
    assert analyze(_network(group=ALLOW)).ports("app", "internet", "tcp").is_full()


def test_a_pass_rule_on_established_flows_does_not_pass_the_handshake() -> None:
    text = "pass tcp $HOME_NET any -> $EXTERNAL_NET 443 (flow:established, to_server; sid:1;)"
    rule = parse_rule_string(text)
    assert isinstance(rule, StatefulRule)
    assert rule.partial
    # Under drop_strict AWS drops the SYN: the analyzer must not answer reachable.
    answer = query(_network(rules=(rule,), policy=_strict("aws:drop_strict")),
                   "app", "internet", "tcp", 443)
    assert answer.verdict == "unknown"
    # A later drop rule drops the SYN the pass rule does not match, even in strict order.
    drop_443 = replace(DROP_TELNET, destination_ports=((443, 443),), text="drop 443")
    assert query(_network(rules=(rule, drop_443)), "app", "internet", "tcp",
                 443).verdict != "reachable"
    # to_server alone matches the whole connection; a drop on established flows is whole.
    plain = parse_rule_string("pass tcp $HOME_NET any -> $EXTERNAL_NET 443 (flow:to_server;"
                              " sid:2;)")
    assert isinstance(plain, StatefulRule)
    assert not plain.partial
    drop = parse_rule_string("drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (flow:established;"
                             " sid:3;)")
    assert isinstance(drop, StatefulRule)
    assert not drop.partial
    assert query(_network(rules=(drop, PASS_443)), "app", "internet", "tcp",
                 23).verdict == "blocked"


def test_terraform_rule_options_in_either_spelling() -> None:
    def five(options: list[dict[str, object]]) -> StatefulRule:
        values = {"type": "STATEFUL", "rule_group": [{"rules_source": [{"stateful_rule": [{
            "action": "PASS", "header": [{"protocol": "TCP", "source": "ANY",
                                          "source_port": "ANY", "direction": "FORWARD",
                                          "destination": "ANY", "destination_port": "443"}],
            "rule_option": options}]}]}]}
        [rule] = rule_group("g", values, "aws_networkfirewall_rule_group.g").rules
        return rule

    assert not five([{"keyword": "sid:1"}]).partial  # the label in the keyword itself
    assert not five([{"keyword": "sid", "settings": ["1"]}]).partial
    assert not five([{"keyword": "flow", "settings": ["to_server"]}]).partial
    assert five([{"keyword": "flow", "settings": ["established", "to_server"]}]).partial
    assert five([{"keyword": "content", "settings": ['"x"']}]).partial


def test_policy_variables_home_net_replaces_the_vpc() -> None:
    # HOME_NET is app-0 only (policy_variables): app-1's 443 falls to the default drop.
    policy = _strict("aws:drop_established", variables=(("HOME_NET", ("10.0.10.0/24",)),))
    network = _network(rules=(PASS_443,), policy=policy)
    assert _verdict(network, "app-0", "internet") == ("443", "none")
    assert _verdict(network, "app-1", "internet") == ("none", "none")
    # ...and $EXTERNAL_NET follows it: app-1 is external now.
    assert _verdict(network, "app-1", "app-0") == ("none", "none")
    assert _verdict(network, "app-0", "app-1") == ("443", "none")


def test_a_group_home_net_wins_over_the_policy_external_net_unknown_if_readings_differ(
        ) -> None:
    # AWS: policy variables serve the groups that do not define HOME_NET themselves; a
    # group redefining HOME_NET alone: its EXTERNAL_NET is unknown where !group and
    # !policy HOME_NET differ.
    policy = _strict("aws:drop_established", variables=(("HOME_NET", ("10.0.10.0/24",)),))
    group = FirewallRuleGroup("group", rules=(PASS_443,),
                              variables=(("HOME_NET", ("10.0.0.0/16",)),))
    network = _network(policy=policy, group=group)
    assert _verdict(network, "app-1", "internet") == ("443", "none")  # group's HOME_NET
    assert _verdict(network, "app-0", "app-1") == ("none", "443")  # external or not?
    both = replace(group, variables=(("HOME_NET", ("10.0.0.0/16",)),
                                     ("EXTERNAL_NET", ("!10.0.0.0/16",))))
    assert _verdict(_network(policy=policy, group=both), "app-0", "app-1") == ("none", "none")


def test_policy_variables_are_read_from_terraform() -> None:
    assert policy_variables({"rule_variables": [
        {"key": "HOME_NET", "ip_set": [{"definition": ["10.0.0.0/16", "10.1.0.0/16"]}]}]}) \
        == (("HOME_NET", ("10.0.0.0/16", "10.1.0.0/16")),)
    assert policy_variables({}) == ()


def test_an_ipv4_rule_does_not_make_ipv6_traffic_unknown() -> None:
    # AWS: a rule naming IPv4 CIDRs never matches an IPv6 packet; the rest is decided.
    v4_rule = StatefulRule("drop", "tcp", ("10.0.0.0/8",), (), ("any",), ((23, 23),),
                           text="drop tcp 10.0.0.0/8 any -> any 23")
    network = Network("plan", (IPv4Network("10.0.0.0/16"),),
                      firewalls={"fw": Firewall("fw", (), (), "policy")},
                      firewall_policies={"policy": FirewallPolicy(
                          "policy", stateful_groups=("group",), strict_order=True)},
                      firewall_rule_groups={"group": FirewallRuleGroup(
                          "group", rules=(v4_rule, PASS_443))})
    space = Space("ipv6")
    inside = frozenset(n for n in [space.net("::/0"), space.net("2001:db8::/56")] if n)
    outside = frozenset(n for n in [space.net("::/0")] if n)
    vpc = [n for n in [space.net("2001:db8::/56")] if n]
    verdict = firewall_verdict(network, network.firewalls["fw"], space.net, inside, outside,
                               vpc)
    assert verdict.passed[0].is_full()  # 23 too: the IPv4 rule is not this family's
    assert not verdict.unknown[0]
    v4 = Space("ipv4")
    app = frozenset(n for n in [v4.net("0.0.0.0/0"), v4.net("10.0.0.0/8"),
                                 v4.net("10.0.0.0/16")] if n)
    out4 = frozenset(n for n in [v4.net("0.0.0.0/0")] if n)
    home = [n for n in [v4.net("10.0.0.0/16")] if n]
    assert 23 not in firewall_verdict(network, network.firewalls["fw"], v4.net, app, out4,
                                      home).passed[0]


def _two_firewalls(second_exit: Route) -> Network:
    """The firewall subnet of az0 routes on to a second firewall's endpoint (vpce-z), whose
    own subnet's table has ``second_exit``."""
    network = _network()
    network.subnets["fw2-0"] = Subnet("fw2-0", IPv4Network("10.0.101.0/28"), "az0", None,
                                      source="aws_subnet.second")
    network.route_tables["rt-fw2-0"] = RouteTable("rt-fw2-0", (second_exit,),
                                                  frozenset({"fw2-0"}),
                                                  source="aws_route_table.second")
    network.firewalls["fw2"] = Firewall("fw2", (("az0", "fw2-0"),), (("az0", "vpce-z"),),
                                        "policy", source="aws_networkfirewall_firewall.second")
    for index in (0, 1):
        table = network.route_tables[f"rt-fw-{index}"]
        network.route_tables[table.id] = replace(table, routes=(
            Route("0.0.0.0/0", "gwlbe", "vpce-z"),))
    return network


def test_a_chain_of_two_firewalls_is_not_a_loop() -> None:
    # AWS forwards from one firewall to the other: not followed, so unknown, never blocked.
    network = _two_firewalls(Route("0.0.0.0/0", "igw", "igw"))
    answer = query(network, "app", "internet", "tcp", 443)
    assert answer.verdict == "unknown"
    assert "loop" not in " ".join(leg.detail for leg in answer.legs)
    assert not analyze(network).reachable("app", "internet", "tcp", 443)


def test_action_order_plain_pass_rules_come_before_an_allow_list() -> None:
    # Default action order: every pass rule first. A plain pass of all TCP passes it
    # unrestricted whatever group order: not "for the listed domains only".
    policy = FirewallPolicy("policy", stateful_groups=("group", "open"))
    network = _network(group=ALLOW, policy=policy)
    network.firewall_rule_groups["open"] = FirewallRuleGroup("open", rules=(replace(
        PASS_443, destination_ports=(), text="pass tcp $HOME_NET any -> $EXTERNAL_NET any"),))
    result = analyze(network)
    assert result.ports("app", "internet", "tcp").is_full()
    assert not any("listed domains only" in w for w in result.warnings)
    strict = replace(policy, strict_order=True)  # strict order: the allow list is first
    network.firewall_policies["policy"] = strict
    assert any("listed domains only" in w for w in analyze(network).warnings)


def test_an_alert_rule_never_makes_a_verdict_unknown() -> None:
    # `alert` logs and goes on: its options (tls.sni...) cannot change the outcome.
    alert = parse_rule_string('alert tls $HOME_NET any -> any any (tls.sni; content:"x"; '
                              'sid:9;)')
    assert isinstance(alert, StatefulRule)
    result = analyze(_network(rules=(alert, DROP_TELNET, PASS_443)))
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")


def _planned_group(rules_source: dict[str, object],
                   ip_sets: list[dict[str, object]] | None = None) -> FirewallRuleGroup:
    body: dict[str, object] = {"rules_source": [rules_source]}
    if ip_sets is not None:
        body["rule_variables"] = [{"ip_sets": ip_sets}]
    return rule_group("group", {"type": "STATEFUL", "rule_group": [body]},
                      "aws_networkfirewall_rule_group.planned")


def test_a_rules_string_unknown_at_plan_time_is_not_an_empty_group() -> None:
    # A plan omits values known after apply: no rules source read is not "no rules".
    group = _planned_group({"stateful_rule": [], "rules_source_list": []})
    assert group.unparsed
    result = analyze(_network(group=group, policy=_strict("aws:drop_established")))
    assert result.unknown_ports("app", "internet", "tcp").is_full()
    policy = FirewallPolicy("policy", stateful_groups=("group",), strict_order=True)
    assert not analyze(_network(group=group, policy=policy)).ports("app", "internet", "tcp")


def test_an_ip_set_unknown_at_plan_time_is_not_read() -> None:
    text = "drop tcp $APP any -> $EXTERNAL_NET 23 (sid:1;)\n" \
           "pass tcp $HOME_NET any -> $EXTERNAL_NET 443 (sid:2;)"
    for definition in ([], [None], ["10.0.11.0/24", None]):
        group = _planned_group({"rules_string": text}, [
            {"key": "APP", "ip_set": [{"definition": definition}]}])
        network = _network(group=group)
        assert _verdict(network, "app-0", "internet") == ("443", "23")
    known = _planned_group({"rules_string": text}, [
        {"key": "APP", "ip_set": [{"definition": ["10.0.11.0/24"]}]}])
    assert _verdict(_network(group=known), "app-0", "internet") == ("443", "none")
    assert _verdict(_network(group=known), "app-1", "internet") == ("443", "none")


def test_drop_established_lets_a_udp_flows_first_datagrams_through() -> None:
    # aws:drop_established drops a UDP flow only once packets went both ways: the first
    # datagrams are delivered, so "blocked" would be a proof that can be wrong. Unknown,
    # with the reason; aws:drop_strict drops them (blocked, naming the default).
    result = analyze(_network())
    assert not result.ports("app", "internet", "udp")
    assert result.unknown_ports("app", "internet", "udp").is_full()
    assert any("first datagrams" in r for r in result.incomplete_reasons)
    assert query(_network(), "app", "internet", "udp", 53).verdict == "unknown"
    strict = _network(policy=_strict("aws:drop_strict"))
    assert query(strict, "app", "internet", "udp", 53).verdict == "blocked"
    assert query(strict, "app", "internet", "tcp", 443).verdict == "reachable"
