"""R15 live: Network Firewall answers, recorded in the shapes AWS documents for
ListFirewalls, DescribeFirewall, DescribeFirewallPolicy and DescribeRuleGroup, served by
botocore's Stubber (which checks each answer against the service model), read into the
model and analyzed. The emulator cannot serve them until its firewall fixes land."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tierform.analyze.atoms import Space
from tierform.analyze.firewall import firewall_verdict
from tierform.network.model import Network
from tierform.readers.live_firewall import read_firewalls

ARN = "arn:aws:network-firewall:us-east-1:123456789012"
FIREWALL = f"{ARN}:firewall/inspected"
POLICY = f"{ARN}:firewall-policy/inspected"
FIVE = f"{ARN}:stateful-rulegroup/five-tuple"
SURICATA = f"{ARN}:stateful-rulegroup/suricata"
MISSING = f"{ARN}:stateful-rulegroup/gone"
UUID = "11111111-2222-3333-4444-555555555555"


def _group_response(arn: str, name: str) -> dict[str, Any]:
    return {"RuleGroupArn": arn, "RuleGroupName": name, "RuleGroupId": f"{name:0<36}"[:36],
            "Type": "STATEFUL", "Capacity": 100}


def _client() -> tuple[Any, Stubber]:
    client = boto3.client("network-firewall", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(client)
    stub.add_response("list_firewalls", {"Firewalls": [
        {"FirewallName": "inspected", "FirewallArn": FIREWALL}]}, {"VpcIds": ["vpc-1"]})
    stub.add_response("describe_firewall", {
        "UpdateToken": "t",
        "Firewall": {"FirewallName": "inspected", "FirewallArn": FIREWALL,
                     "FirewallPolicyArn": POLICY, "VpcId": "vpc-1", "FirewallId": UUID,
                     "SubnetMappings": [{"SubnetId": "subnet-fa"}, {"SubnetId": "subnet-fb"}]},
        "FirewallStatus": {"Status": "READY", "ConfigurationSyncStateSummary": "IN_SYNC",
                           "SyncStates": {
                               "us-east-1a": {"Attachment": {"SubnetId": "subnet-fa",
                                                             "EndpointId": "vpce-0a",
                                                             "Status": "READY"}},
                               "us-east-1b": {"Attachment": {"SubnetId": "subnet-fb",
                                                             "EndpointId": "vpce-0b",
                                                             "Status": "READY"}}}}},
        {"FirewallArn": FIREWALL})
    stub.add_response("describe_firewall_policy", {
        "UpdateToken": "t",
        "FirewallPolicyResponse": {"FirewallPolicyName": "inspected",
                                   "FirewallPolicyArn": POLICY, "FirewallPolicyId": UUID},
        "FirewallPolicy": {
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            "StatefulDefaultActions": ["aws:drop_established"],
            "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
            "StatefulRuleGroupReferences": [{"ResourceArn": SURICATA, "Priority": 20},
                                            {"ResourceArn": FIVE, "Priority": 10},
                                            {"ResourceArn": MISSING, "Priority": 30}]}},
        {"FirewallPolicyArn": POLICY})
    stub.add_response("describe_rule_group", {
        "UpdateToken": "t", "RuleGroupResponse": _group_response(FIVE, "five-tuple"),
        "RuleGroup": {
            "RuleVariables": {"IPSets": {"APP": {"Definition": ["10.0.10.0/24"]}}},
            "StatefulRuleOptions": {"RuleOrder": "STRICT_ORDER"},
            "RulesSource": {"StatefulRules": [
                {"Action": "PASS", "Header": {"Protocol": "TCP", "Source": "$APP",
                                              "SourcePort": "ANY", "Direction": "FORWARD",
                                              "Destination": "$EXTERNAL_NET",
                                              "DestinationPort": "443"},
                 "RuleOptions": [{"Keyword": "sid", "Settings": ["1"]}]}]}}},
        {"RuleGroupArn": FIVE})
    stub.add_response("describe_rule_group", {
        "UpdateToken": "t", "RuleGroupResponse": _group_response(SURICATA, "suricata"),
        "RuleGroup": {"RulesSource": {"RulesString": (
            'drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (msg:"no telnet"; sid:2; rev:1;)\n'
            'drop tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"bad"; sid:3;)\n'
            "this is not a rule\n")}}},
        {"RuleGroupArn": SURICATA})
    stub.add_client_error("describe_rule_group", "ResourceNotFoundException",
                          expected_params={"RuleGroupArn": MISSING})
    return client, stub


@pytest.fixture
def read() -> Any:
    client, stub = _client()
    with stub:
        found = read_firewalls(client, ["vpc-1"])
        stub.assert_no_pending_responses()
    return found


def test_the_firewall_its_endpoints_per_az_and_policy(read: Any) -> None:
    firewalls, policies, _ = read
    firewall = firewalls[FIREWALL]
    assert firewall.endpoints == (("us-east-1a", "vpce-0a"), ("us-east-1b", "vpce-0b"))
    assert firewall.subnets == (("us-east-1a", "subnet-fa"), ("us-east-1b", "subnet-fb"))
    policy = policies[POLICY]
    assert policy.stateful_groups == (FIVE, SURICATA, MISSING)  # by priority
    assert policy.strict_order
    assert policy.stateful_default == ("aws:drop_established",)


def test_rule_groups_5_tuple_variables_and_rule_strings(read: Any) -> None:
    _, _, groups = read
    five = groups[FIVE]
    assert [(r.action, r.sources, r.destination_ports) for r in five.rules] == [
        ("pass", ("$APP",), ((443, 443),))]
    assert five.variables == (("APP", ("10.0.10.0/24",)),)
    suricata = groups[SURICATA]
    assert [(r.action, r.protocol, r.partial) for r in suricata.rules] == [
        ("drop", "tcp", False), ("drop", "tls", True)]
    assert suricata.unparsed == ("`this is not a rule`",)
    assert MISSING not in groups  # refused: left out, so unknown to the analyzer


def test_the_recorded_firewall_is_a_filter_with_unknowns(read: Any) -> None:
    firewalls, policies, groups = read
    network = Network("live", (IPv4Network("10.0.0.0/16"),), firewalls=firewalls,
                      firewall_policies=policies, firewall_rule_groups=groups)
    space = Space("ipv4")
    vpc = [n for n in [space.net("10.0.0.0/16")] if n is not None]
    app = frozenset(n for n in (space.net(c) for c in ("10.0.0.0/16", "10.0.10.0/24"))
                    if n is not None)
    internet = frozenset(n for n in [space.net("0.0.0.0/0")] if n is not None)
    verdict = firewall_verdict(network, firewalls[FIREWALL], space.net, app, internet, vpc)
    assert str(verdict.passed[0]) == "443"  # $APP -> 443 passed first (strict order)
    assert 23 not in verdict.passed[0]
    assert 23 not in verdict.unknown[0]  # dropped by the rule string's header
    assert 8080 in verdict.unknown[0]  # the tls rule with options: unknown
    assert any("does not parse" in r or "not known" in r for r in verdict.reasons)
