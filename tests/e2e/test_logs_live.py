"""`logs check --live` against a real emulator: the NAT gateway's private address and the
Amazon-provided IPv6 blocks come from DescribeNatGateways, DescribeVpcs and
DescribeSubnets of the VPC tagged with the blueprint's name, and place the records."""

from __future__ import annotations

import json
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from pathlib import Path
from typing import Any

import pytest

from cli_support import failed, tierform
from tierform import workflow
from tierform.localaws import LocalAWS, client

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parents[2]
BP = ROOT / "blueprints" / "dual-stack.yaml"


def _tags(resource: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource,
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def test_live_read_places_nat_and_ipv6_records(local_aws: LocalAWS, tmp_path: Path) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                         TagSpecifications=_tags("vpc", Name="dual-stack"))["Vpc"]
    described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    block56 = IPv6Network(described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    sixes = list(block56.subnets(new_prefix=64))
    subnets = {}
    for n, (tier, cidr) in enumerate((("web", "10.0.1.0/24"), ("app", "10.0.11.0/24"))):
        subnets[tier] = ec2.create_subnet(
            VpcId=vpc["VpcId"], CidrBlock=cidr, Ipv6CidrBlock=str(sixes[n + 1]),
            AvailabilityZone="us-east-1a",
            TagSpecifications=_tags("subnet", Name=f"dual-stack-{tier}", Tier=tier))["Subnet"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets["web"]["SubnetId"], AllocationId=eip)
    private = nat["NatGateway"]["NatGatewayAddresses"][0]["PrivateIp"]
    web6, app6 = (str(sixes[i][0x10]) for i in (1, 2))
    fields = workflow.load(BP).blueprint.flow_logs.fields  # type: ignore[union-attr]
    rows = [("198.51.100.7", "10.0.1.10", 50000, 443, "ACCEPT"),   # intended
            ("10.0.11.20", private, 43000, 443, "ACCEPT"),         # app -> its NAT
            (private, "203.0.113.9", 43000, 443, "ACCEPT"),        # NAT -> internet
            ("2001:db8:1::7", web6, 50001, 443, "ACCEPT"),         # intended, IPv6
            (app6, "2606:4700::1111", 43001, 443, "ACCEPT"),       # egress-only, IPv6
            ("2001:db8::5", app6, 44000, 8080, "ACCEPT")]          # finding, IPv6
    lines = [" ".join(fields)]
    for n, (src, dst, sport, dport, action) in enumerate(rows):
        values = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
                  "protocol": 6, "packets": 3, "bytes": 300, "start": 1000 + n,
                  "end": 1060 + n, "action": action, "log-status": "OK"}
        lines.append(" ".join(str(values.get(f, "-")) for f in fields))
    records = tmp_path / "live.log"
    records.write_text("\n".join(lines) + "\n")

    done = tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--format", "json", quiet=True)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["classes"] == {"intended_accept": 5, "unintended_accept": 1,
                              "rejected_intended": 0, "expected_reject": 0, "unmapped": 0}
    assert not any("--live" in n for n in doc["notes"])
    # Without the live read every IPv6 record is unmapped, and the NAT's address is only an
    # address of the web tier's subnet: AWS (and the emulator, motoserver.py) gives a NAT
    # gateway one of its own subnet's addresses, so both of its legs are placed as web's.
    done = tierform("logs", "check", str(BP), str(records), "--format", "json", quiet=True)
    unmapped = json.loads(done.stdout)["unmapped"]
    assert unmapped.pop("IPv6, the VPC's IPv6 blocks not known (give --state or --live)") == 3
    assert IPv4Address(private) in IPv4Network(subnets["web"]["CidrBlock"]), private
    assert unmapped == {}
    # A VPC the read cannot find is said so, exit 2.
    failed(tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--vpc-id", "vpc-00000000000000000", quiet=True), 2,
           "describe_vpcs")
    failed(tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--region", "eu-west-1", quiet=True), 2,
           "no VPC tagged Name=dual-stack")
