"""AWS Network Firewall on the local emulator: the hand-written inspected VPC applies, plans
empty a second time, routes each AZ to its own firewall endpoint, and destroys whole.

What moto lacks for it is added by Tierform's emulator fixes (tierform.localaws.motoserver:
rule groups, policies, endpoints in sync_states, DeleteFirewall, protection defaults, tags);
the tests apply through Tierform's own apply machinery (``tierform.apply``), the
provider block it writes included (Network Firewall must go to the emulator, not to AWS).
The tests run in file order on one worker (the last one destroys). What Tierform renders
for inspection has modules of its own (test_firewall_rendered.py, test_firewall_upgrade.py):
``--dist loadscope`` keeps a module on one worker, so three modules apply on three workers
at once instead of one after the other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from e2e_support import pending_changes

from tierform.apply import apply_module, destroy_module
from tierform.localaws import LocalAWS, client
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.terraform.reattach import ReattachedRunner
from tierform.terraform.runner import module_files

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "emulator"
MODULE = FIXTURES / "firewall"
SAVED_STATE = FIXTURES / "firewall.state.json"
REGION = "us-east-1"  # the fixture's availability zones name it
ZONES = {  # the fixture's two zones, and a third one the change test adds
    "us-east-1a": {"firewall": "10.20.0.0/28", "public": "10.20.1.0/24",
                   "private": "10.20.11.0/24"},
    "us-east-1b": {"firewall": "10.20.0.16/28", "public": "10.20.2.0/24",
                   "private": "10.20.12.0/24"},
    "us-east-1c": {"firewall": "10.20.0.32/28", "public": "10.20.3.0/24",
                   "private": "10.20.13.0/24"}}
CHANGED = {"egress_domains": [".amazonaws.com"], "tags": {"Team": "network"}, "zones": ZONES}


class Applied:
    """The applied fixture: its work directory, state and boto3 clients."""

    def __init__(self, aws: LocalAWS, workdir: Path) -> None:
        self.aws = aws
        self.workdir = workdir
        self.files = module_files(MODULE)
        self.ec2 = client("ec2", aws.endpoint, REGION)
        self.nfw = client("network-firewall", aws.endpoint, REGION)
        self.state: dict[str, Any] = {}

    def values(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Address -> values of every state resource of ``resource_type``."""
        return {r["address"]: r["values"] for r in self.state["values"]["root_module"][
            "resources"] if r["type"] == resource_type}

    def endpoints(self) -> dict[str, str]:
        """AZ -> firewall endpoint id, as the emulator answers DescribeFirewall."""
        status = self.nfw.describe_firewall(FirewallName="inspected")["FirewallStatus"]
        return {zone: state["Attachment"]["EndpointId"]
                for zone, state in status["SyncStates"].items()}


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    done = Applied(local_aws, tmp_path_factory.mktemp("apply-firewall") / "work")
    apply_module(done.files, name="inspected", region=REGION, workdir=done.workdir,
                 endpoint=local_aws.endpoint)
    done.state = ReattachedRunner(done.workdir).show()
    return done


def test_the_second_plan_is_empty(applied: Applied) -> None:
    runner = ReattachedRunner(applied.workdir)
    plan = runner.show(runner.plan())
    assert pending_changes(plan) == []
    # Not vacuous: the plan refreshed every Network Firewall resource the fixture has.
    assert sorted(c["type"] for c in plan["resource_changes"]
                  if c["type"].startswith("aws_networkfirewall_")) == [
        "aws_networkfirewall_firewall", "aws_networkfirewall_firewall_policy",
        "aws_networkfirewall_logging_configuration", *["aws_networkfirewall_rule_group"] * 4]



def test_a_zone_rules_and_tags_change_in_place(applied: Applied) -> None:
    """A third zone maps one more firewall subnet (AssociateSubnets: its endpoint, routed
    by the new zone's tables), a domain-list and tag edit updates in place (UpdateRuleGroup
    with the update token, TagResource); the plan after it is empty again."""
    runner = ReattachedRunner(applied.workdir)
    runner.apply(variables=CHANGED)
    assert pending_changes(runner.show(runner.plan(variables=CHANGED))) == []
    assert sorted(applied.endpoints()) == sorted(ZONES)
    applied.state = runner.show()  # what the next tests check: three zones
    group = applied.nfw.describe_rule_group(RuleGroupName="inspected-egress-domains",
                                            Type="STATEFUL")
    assert group["RuleGroup"]["RulesSource"]["RulesSourceList"]["Targets"] == [
        ".amazonaws.com"]
    assert {"Key": "Team", "Value": "network"} in group["RuleGroupResponse"]["Tags"]
    firewall = applied.nfw.describe_firewall(FirewallName="inspected")["Firewall"]
    assert {"Key": "Team", "Value": "network"} in firewall["Tags"]

def test_each_route_takes_the_firewall_endpoint_of_its_own_zone(applied: Applied) -> None:
    endpoints = applied.endpoints()
    zones = sorted(v["availability_zone"] for a, v in applied.values("aws_subnet").items()
                   if a.startswith("aws_subnet.firewall["))
    assert sorted(endpoints) == zones
    assert len(zones) >= 2
    assert len(set(endpoints.values())) == len(zones)
    subnets = {v["availability_zone"]: v["id"] for a, v in applied.values("aws_subnet").items()
               if a.startswith("aws_subnet.firewall[")}
    found = applied.ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))
    assert {e["VpcEndpointId"]: (e["VpcEndpointType"], e["SubnetIds"])
            for e in found["VpcEndpoints"]} == {
        endpoints[zone]: ("GatewayLoadBalancer", [subnets[zone]]) for zone in zones}

    def routes(name: str) -> dict[str, str]:
        table = applied.ec2.describe_route_tables(Filters=[
            {"Name": "tag:Name", "Values": [name]}])["RouteTables"]
        assert len(table) == 1, name
        return {r["DestinationCidrBlock"]: r.get("GatewayId") or r.get("NatGatewayId", "")
                for r in table[0]["Routes"] if "DestinationCidrBlock" in r}

    for zone in zones:
        # Public subnets leave by the firewall of their AZ ...
        assert routes(f"inspected-public-{zone}")["0.0.0.0/0"] == endpoints[zone]
        # ... the firewall subnets by the internet gateway.
        assert routes(f"inspected-firewall-{zone}")["0.0.0.0/0"].startswith("igw-")
    # Ingress: the edge table sends each public subnet to the endpoint of its own AZ.
    edge = routes("inspected-edge")
    assert {cidr: edge[cidr] for cidr in edge if cidr != "10.20.0.0/16"} == {
        ZONES[zone]["public"]: endpoints[zone] for zone in zones}
    # The state records the same endpoints the routes took.
    assert {a: v["vpc_endpoint_id"] for a, v in applied.values("aws_route").items()
            if v.get("vpc_endpoint_id")} == {
        **{f'aws_route.public_internet["{z}"]': endpoints[z] for z in zones},
        **{f'aws_route.edge_to_public["{z}"]': endpoints[z] for z in zones}}


def test_the_state_reader_reads_the_applied_state(applied: Applied) -> None:
    """The state reader takes the applied firewall VPC (its tiers by the Tier tag); the
    saved copy (for offline reader tests: the fixture's two zones) has the resources of an
    apply, one zone's fewer than now."""
    network = network_from_state(applied.state)
    assert network.source == "state"
    assert {s.tier for s in network.subnets.values()} == {"firewall", "public", "private"}
    # R15 from the state: the firewall's endpoints are the emulator's, its policy in order.
    assert [sorted(f.endpoints) for f in network.firewalls.values()] == [
        sorted(applied.endpoints().items())]
    (policy,) = network.firewall_policies.values()
    assert policy.strict_order is True
    assert [g.rsplit("/", 1)[1] for g in policy.stateful_groups] == [
        "inspected-five-tuple", "inspected-egress-domains", "inspected-suricata"]
    # The live reader (DescribeFirewall and friends on the emulator) reads the same.
    vpc = next(v["id"] for v in applied.values("aws_vpc").values())
    live = network_from_live(applied.ec2, vpc_id=vpc, firewall_client=applied.nfw)
    assert {k: sorted(f.endpoints) for k, f in live.firewalls.items()} == {
        k: sorted(f.endpoints) for k, f in network.firewalls.items()}
    assert [p.stateful_groups for p in live.firewall_policies.values()] == [
        policy.stateful_groups]
    assert sorted(live.firewall_rule_groups) == sorted(network.firewall_rule_groups)
    saved = json.loads(SAVED_STATE.read_text())
    assert sorted(r["address"] for r in saved["values"]["root_module"]["resources"]) == sorted(
        r["address"] for r in applied.state["values"]["root_module"]["resources"]
        if '"us-east-1c"' not in r["address"])


def test_destroy_leaves_no_firewall_policy_rule_group_or_endpoint(applied: Applied) -> None:
    endpoints = applied.endpoints()
    policies = [v["arn"] for v in applied.values("aws_networkfirewall_firewall_policy").values()]
    groups = [v["arn"] for v in applied.values("aws_networkfirewall_rule_group").values()]
    assert len(policies) == 1
    assert len(groups) == 4
    destroy_module(applied.files, name="inspected", region=REGION, workdir=applied.workdir,
                   endpoint=applied.aws.endpoint)
    assert applied.nfw.list_firewalls()["Firewalls"] == []
    for describe, key, arns in ((applied.nfw.describe_firewall_policy, "FirewallPolicyArn",
                                 policies),
                                (applied.nfw.describe_rule_group, "RuleGroupArn", groups)):
        for arn in arns:
            with pytest.raises(ClientError) as caught:
                describe(**{key: arn})
            assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    left = applied.ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))
    assert {e["State"] for e in left["VpcEndpoints"]} == {"deleted"}
    assert applied.ec2.describe_vpcs(Filters=[{"Name": "tag:Name",
                                               "Values": ["inspected"]}])["Vpcs"] == []
