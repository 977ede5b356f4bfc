"""R15 live under review: a policy's PolicyVariables (HOME_NET) are read, and a firewall
whose configuration is not in sync enforces a policy revision not read: unknown; a
state's policy_variables too."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from tierform.readers.live_firewall import read_firewalls
from tierform.readers.state import network_from_state

ARN = "arn:aws:network-firewall:us-east-1:123456789012"
FIREWALL = f"{ARN}:firewall/inspected"
POLICY = f"{ARN}:firewall-policy/inspected"
UUID = "11111111-2222-3333-4444-555555555555"


def _read(summary: str) -> Any:
    client = boto3.client("network-firewall", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(client)
    stub.add_response("list_firewalls", {"Firewalls": [
        {"FirewallName": "inspected", "FirewallArn": FIREWALL}]}, {"VpcIds": ["vpc-1"]})
    stub.add_response("describe_firewall", {
        "UpdateToken": "t",
        "Firewall": {"FirewallName": "inspected", "FirewallArn": FIREWALL,
                     "FirewallPolicyArn": POLICY, "VpcId": "vpc-1", "FirewallId": UUID,
                     "SubnetMappings": [{"SubnetId": "subnet-fa"}]},
        "FirewallStatus": {"Status": "READY", "ConfigurationSyncStateSummary": summary,
                           "SyncStates": {"us-east-1a": {"Attachment": {
                               "SubnetId": "subnet-fa", "EndpointId": "vpce-0a",
                               "Status": "READY"}}}}},
        {"FirewallArn": FIREWALL})
    if summary == "IN_SYNC":
        stub.add_response("describe_firewall_policy", {
            "UpdateToken": "t",
            "FirewallPolicyResponse": {"FirewallPolicyName": "inspected",
                                       "FirewallPolicyArn": POLICY, "FirewallPolicyId": UUID},
            "FirewallPolicy": {
                "StatelessDefaultActions": ["aws:forward_to_sfe"],
                "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
                "PolicyVariables": {"RuleVariables": {
                    "HOME_NET": {"Definition": ["10.0.0.0/16", "10.1.0.0/16"]}}}}},
            {"FirewallPolicyArn": POLICY})
    with stub:
        found = read_firewalls(client, ["vpc-1"])
        stub.assert_no_pending_responses()
    return found


def test_policy_variables_are_read() -> None:
    _, policies, _ = _read("IN_SYNC")
    assert policies[POLICY].variables == (("HOME_NET", ("10.0.0.0/16", "10.1.0.0/16")),)


def test_a_firewall_not_in_sync_has_no_policy_read() -> None:
    firewalls, policies, _ = _read("PENDING")
    policy = firewalls[FIREWALL].policy
    assert policy is not None
    assert policy not in policies
    assert "PENDING, not IN_SYNC" in policy
    assert firewalls[FIREWALL].endpoints == (("us-east-1a", "vpce-0a"),)  # still a hop


def test_state_reads_policy_variables() -> None:
    policy = {"address": "aws_networkfirewall_firewall_policy.this", "mode": "managed",
              "type": "aws_networkfirewall_firewall_policy", "name": "this", "values": {
                  "id": POLICY, "arn": POLICY, "firewall_policy": [{
                      "stateless_default_actions": ["aws:forward_to_sfe"],
                      "stateless_fragment_default_actions": ["aws:forward_to_sfe"],
                      "policy_variables": [{"rule_variables": [{
                          "key": "HOME_NET",
                          "ip_set": [{"definition": ["10.0.0.0/8"]}]}]}]}]}}
    vpc = {"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this",
           "values": {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}}
    network = network_from_state({"values": {"root_module": {"resources": [vpc, policy]}}})
    [read] = network.firewall_policies.values()
    assert read.variables == (("HOME_NET", ("10.0.0.0/8",)),)
