"""R15: Network Firewall rules as the readers read them: Suricata rule strings by their
header only (options that only label keep a rule whole; others make it partial), what
does not parse kept in words (unknown to the analyzer, never dropped), and a state's
firewall with its sync states, policy and groups."""

from __future__ import annotations

import pytest

from tierform.network.firewall_rules import parse_rule_string, parse_rules_string
from tierform.network.model import StatefulRule
from tierform.readers.state import network_from_state


@pytest.mark.parametrize(("line", "expect"), [
    ('drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (msg:"telnet"; sid:1; rev:1;)',
     ("drop", "tcp", ("$HOME_NET",), (), ("$EXTERNAL_NET",), ((23, 23),), "forward", False)),
    ("pass udp 10.0.0.0/16 any <> any [53,123] (sid:2;)",
     ("pass", "udp", ("10.0.0.0/16",), (), ("any",), ((53, 53), (123, 123)), "any", False)),
    ("reject tcp any 1024: -> 192.0.2.1 1:1023 (sid:3;)",
     ("reject", "tcp", ("any",), ((1024, 65535),), ("192.0.2.1/32",), ((1, 1023),), "forward",
      False)),
    ("alert http $HOME_NET any -> any any (flow:to_server,established; sid:4;)",
     ("alert", "http", ("$HOME_NET",), (), ("any",), (), "forward", False)),
    ('drop tls $HOME_NET any -> any any (tls.sni; content:"evil"; sid:5;)',
     ("drop", "tls", ("$HOME_NET",), (), ("any",), (), "forward", True)),
])
def test_a_rule_header_is_read(line: str, expect: tuple[object, ...]) -> None:
    rule = parse_rule_string(line)
    assert isinstance(rule, StatefulRule)
    assert (rule.action, rule.protocol, rule.sources, rule.source_ports, rule.destinations,
            rule.destination_ports, rule.direction, rule.partial) == expect


@pytest.mark.parametrize("line", [
    "drop tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)",  # port variable
    "drop tcp [10.0.0.0/8,!10.1.0.0/16] any -> any 80 (sid:1;)",  # negation in a list
    "drop tcp any any => any 80 (sid:1;)",  # not a direction
    "bypass tcp any any -> any 80 (sid:1;)",  # not an action of Network Firewall
    "drop tcp any any -> any 70000 (sid:1;)",
])
def test_what_does_not_parse_is_kept_in_words(line: str) -> None:
    got = parse_rule_string(line)
    assert isinstance(got, str)
    assert got.startswith("`")


def test_a_rules_string_skips_comments_and_blank_lines() -> None:
    rules, bad = parse_rules_string("# comment\n\npass ip any any -> any any (sid:1;)\nnope\n")
    assert [r.protocol for r in rules] == ["ip"]
    assert bad == ["`nope`"]


def _resource(address: str, kind: str, values: dict[str, object]) -> dict[str, object]:
    return {"address": address, "mode": "managed", "type": kind,
            "name": address.split(".")[1], "values": values}


def test_state_reads_the_firewall_and_its_vpce_routes() -> None:
    policy_arn = "arn:aws:network-firewall:us-east-1:1:firewall-policy/p"
    group_arn = "arn:aws:network-firewall:us-east-1:1:stateful-rulegroup/g"
    resources = [
        _resource("aws_vpc.this", "aws_vpc", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}),
        _resource("aws_subnet.app", "aws_subnet", {
            "id": "subnet-app", "vpc_id": "vpc-1", "cidr_block": "10.0.10.0/24",
            "availability_zone": "us-east-1a", "tags": {"Tier": "app"}}),
        _resource("aws_subnet.fw", "aws_subnet", {
            "id": "subnet-fw", "vpc_id": "vpc-1", "cidr_block": "10.0.100.0/28",
            "availability_zone": "us-east-1a"}),
        _resource("aws_route_table.app", "aws_route_table", {
            "id": "rtb-app", "vpc_id": "vpc-1", "route": [
                {"cidr_block": "0.0.0.0/0", "vpc_endpoint_id": "vpce-0a"}]}),
        _resource("aws_networkfirewall_firewall.this", "aws_networkfirewall_firewall", {
            "id": "arn:fw", "arn": "arn:fw", "vpc_id": "vpc-1",
            "firewall_policy_arn": policy_arn,
            "subnet_mapping": [{"subnet_id": "subnet-fw", "ip_address_type": "IPV4"}],
            "firewall_status": [{"status": "READY", "sync_states": [
                {"availability_zone": "us-east-1a", "attachment": [
                    {"endpoint_id": "vpce-0a", "subnet_id": "subnet-fw",
                     "status": "READY"}]}]}]}),
        _resource("aws_networkfirewall_firewall_policy.this",
                  "aws_networkfirewall_firewall_policy", {
                      "id": policy_arn, "arn": policy_arn, "firewall_policy": [{
                          "stateless_default_actions": ["aws:forward_to_sfe"],
                          "stateless_fragment_default_actions": ["aws:forward_to_sfe"],
                          "stateful_default_actions": [],
                          "stateful_rule_group_reference": [
                              {"resource_arn": group_arn, "priority": 0}],
                          "stateless_rule_group_reference": []}]}),
        _resource("aws_networkfirewall_rule_group.g", "aws_networkfirewall_rule_group", {
            "id": group_arn, "arn": group_arn, "type": "STATEFUL", "rules": "",
            "rule_group": [{"rules_source": [{
                "rules_string": "drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (sid:1;)",
                "rules_source_list": [], "stateful_rule": []}]}]}),
        _resource("aws_internet_gateway.this", "aws_internet_gateway",
                  {"id": "igw-1", "vpc_id": "vpc-1"}),
        _resource("aws_route_table.edge", "aws_route_table", {
            "id": "rtb-edge", "vpc_id": "vpc-1", "route": [
                {"cidr_block": "10.0.10.0/24", "vpc_endpoint_id": "vpce-0a"}]}),
        _resource("aws_route_table_association.edge", "aws_route_table_association", {
            "id": "rtbassoc-1", "gateway_id": "igw-1", "subnet_id": "",
            "route_table_id": "rtb-edge"}),
        _resource("aws_route_table_association.app", "aws_route_table_association", {
            "id": "rtbassoc-2", "gateway_id": "", "subnet_id": "subnet-app",
            "route_table_id": "rtb-app"}),
    ]
    network = network_from_state({"values": {"root_module": {"resources": resources}}})
    assert network.route_tables["rtb-edge"].gateway_ids == frozenset({"igw-1"})
    assert network.route_tables["rtb-edge"].subnet_ids == frozenset()
    assert network.route_tables["rtb-app"].subnet_ids == frozenset({"subnet-app"})
    assert not network.unresolved
    firewall = network.firewalls["arn:fw"]
    assert firewall.endpoints == (("us-east-1a", "vpce-0a"),)
    assert firewall.subnets == (("us-east-1a", "subnet-fw"),)
    assert network.firewall_of("vpce-0a") == (firewall, "us-east-1a")
    assert network.firewall_policies[policy_arn].stateful_groups == (group_arn,)
    [rule] = network.firewall_rule_groups[group_arn].rules
    assert rule.destination_ports == ((23, 23),)
    [route] = network.route_tables["rtb-app"].routes
    assert (route.kind, route.target) == ("gwlbe", "vpce-0a")
