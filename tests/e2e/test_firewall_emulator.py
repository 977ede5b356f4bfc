"""AWS Network Firewall on the local emulator: the hand-written inspected VPC applies, plans
empty a second time, routes each AZ to its own firewall endpoint, and destroys whole.

What moto lacks for it is added by Tierform's emulator fixes (tierform.localaws.motoserver:
rule groups, policies, endpoints in sync_states, DeleteFirewall, protection defaults, tags);
the tests apply through Tierform's own apply machinery (``tierform.apply``), the
provider block it writes included (Network Firewall must go to the emulator, not to AWS).
The tests run in file order on one worker (the last one destroys).
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
from tierform.readers.state import network_from_state
from tierform.terraform.runner import Runner, module_files

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "emulator"
MODULE = FIXTURES / "firewall"
SAVED_STATE = FIXTURES / "firewall.state.json"
REGION = "us-east-1"  # the fixture's availability zones name it
ZONES = ("us-east-1a", "us-east-1b")
PUBLIC = {"us-east-1a": "10.20.1.0/24", "us-east-1b": "10.20.2.0/24"}


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
    done.state = Runner(done.workdir).show()
    return done


def test_the_second_plan_is_empty(applied: Applied) -> None:
    runner = Runner(applied.workdir)
    plan = runner.show(runner.plan())
    assert pending_changes(plan) == []
    # Not vacuous: the plan refreshed every Network Firewall resource the fixture has.
    assert sorted(c["type"] for c in plan["resource_changes"]
                  if c["type"].startswith("aws_networkfirewall_")) == [
        "aws_networkfirewall_firewall", "aws_networkfirewall_firewall_policy",
        "aws_networkfirewall_logging_configuration", *["aws_networkfirewall_rule_group"] * 4]



def test_rules_and_tags_change_in_place(applied: Applied) -> None:
    """Editing a domain list and the tags updates in place (UpdateRuleGroup with the update
    token, TagResource), and the plan after it is empty again."""
    changed = {"egress_domains": [".amazonaws.com"], "tags": {"Team": "network"}}
    runner = Runner(applied.workdir)
    runner.apply(variables=changed)
    assert pending_changes(runner.show(runner.plan(variables=changed))) == []
    group = applied.nfw.describe_rule_group(RuleGroupName="inspected-egress-domains",
                                            Type="STATEFUL")
    assert group["RuleGroup"]["RulesSource"]["RulesSourceList"]["Targets"] == [
        ".amazonaws.com"]
    assert {"Key": "Team", "Value": "network"} in group["RuleGroupResponse"]["Tags"]
    firewall = applied.nfw.describe_firewall(FirewallName="inspected")["Firewall"]
    assert {"Key": "Team", "Value": "network"} in firewall["Tags"]

def test_each_route_takes_the_firewall_endpoint_of_its_own_zone(applied: Applied) -> None:
    endpoints = applied.endpoints()
    assert sorted(endpoints) == list(ZONES)
    assert len(set(endpoints.values())) == len(ZONES)
    subnets = {v["availability_zone"]: v["id"] for a, v in applied.values("aws_subnet").items()
               if a.startswith("aws_subnet.firewall[")}
    found = applied.ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))
    assert {e["VpcEndpointId"]: (e["VpcEndpointType"], e["SubnetIds"])
            for e in found["VpcEndpoints"]} == {
        endpoints[zone]: ("GatewayLoadBalancer", [subnets[zone]]) for zone in ZONES}

    def routes(name: str) -> dict[str, str]:
        table = applied.ec2.describe_route_tables(Filters=[
            {"Name": "tag:Name", "Values": [name]}])["RouteTables"]
        assert len(table) == 1, name
        return {r["DestinationCidrBlock"]: r.get("GatewayId") or r.get("NatGatewayId", "")
                for r in table[0]["Routes"] if "DestinationCidrBlock" in r}

    for zone in ZONES:
        # Public subnets leave by the firewall of their AZ ...
        assert routes(f"inspected-public-{zone}")["0.0.0.0/0"] == endpoints[zone]
        # ... the firewall subnets by the internet gateway.
        assert routes(f"inspected-firewall-{zone}")["0.0.0.0/0"].startswith("igw-")
    # Ingress: the edge table sends each public subnet to the endpoint of its own AZ.
    edge = routes("inspected-edge")
    assert {cidr: edge[cidr] for cidr in PUBLIC.values()} == {
        PUBLIC[zone]: endpoints[zone] for zone in ZONES}
    # The state records the same endpoints the routes took.
    assert {a: v["vpc_endpoint_id"] for a, v in applied.values("aws_route").items()
            if v.get("vpc_endpoint_id")} == {
        **{f'aws_route.public_internet["{z}"]': endpoints[z] for z in ZONES},
        **{f'aws_route.edge_to_public["{z}"]': endpoints[z] for z in ZONES}}


def test_the_state_reader_reads_the_applied_state(applied: Applied) -> None:
    """The state reader takes the applied firewall VPC (its tiers by the Tier tag); the
    saved copy (for offline reader tests) has the same resources as a fresh apply."""
    network = network_from_state(applied.state)
    assert network.source == "state"
    tiers = {s.tier for s in network.subnets.values()}
    assert tiers == {"firewall", "public", "private"}
    saved = json.loads(SAVED_STATE.read_text())
    assert sorted(r["address"] for r in saved["values"]["root_module"]["resources"]) == sorted(
        r["address"] for r in applied.state["values"]["root_module"]["resources"])


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
