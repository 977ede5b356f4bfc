"""The live reader (readers/live.py) on IPv6, against Tierform's emulator (moto server
mode): the VPC's and subnets' associated IPv6 blocks, egress-only routes, IPv6 rules."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from tierform.analyze import analyze
from tierform.localaws import LocalAWS
from tierform.localaws.provider import client
from tierform.readers.live import network_from_live


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAWS]:
    with LocalAWS() as aws:
        yield aws


def test_live_read_of_a_dual_stack_vpc(server: LocalAWS) -> None:
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    vid = vpc["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
        "Ipv6CidrBlock"]
    sub6 = str(next(ipaddress.ip_network(block).subnets(new_prefix=64)))
    subnet = ec2.create_subnet(VpcId=vid, CidrBlock="10.5.1.0/24", Ipv6CidrBlock=sub6,
                               TagSpecifications=[{"ResourceType": "subnet", "Tags": [
                                   {"Key": "Tier", "Value": "app"}]}])["Subnet"]["SubnetId"]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vid)[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    table = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw)
    group = ec2.create_security_group(VpcId=vid, GroupName="app", Description="app",
                                      TagSpecifications=[{"ResourceType": "security-group",
                                                          "Tags": [{"Key": "Tier",
                                                                    "Value": "app"}]}])
    ec2.authorize_security_group_egress(GroupId=group["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    network = network_from_live(ec2, vpc_id=vid)
    assert network.vpc_ipv6_cidrs == (block,)
    assert network.subnets[subnet].ipv6_cidr == sub6
    routes = {(r.destination, r.kind) for r in network.route_tables[table].routes}
    assert ("::/0", "eigw") in routes
    reach = analyze(network)
    # moto's default NACL has no IPv6 rule (AWS's has rule 101 for ::/0, A7): IPv6 is
    # denied, and the reader says so, as the API answers.
    assert reach.verdict("app", "internet", "tcp", 443, "ipv6") == "blocked"
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vid]}])[
        "NetworkAcls"][0]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=101, Protocol="-1",
                                     RuleAction="allow", Egress=egress, Ipv6CidrBlock="::/0")
    network = network_from_live(ec2, vpc_id=vid)
    assert {(e.rule_number, e.cidr) for e in network.nacls[acl].entries} == {
        (100, "0.0.0.0/0"), (101, "::/0")}
    reach = analyze(network)
    assert reach.verdict("app", "internet", "tcp", 443, "ipv6") == "reachable"
    assert reach.verdict("internet", "app", "tcp", 443, "ipv6") == "blocked"
    assert reach.tiers["app"].exposure_ipv6 == "private"
