"""network_from_live against a real emulator: a small layered VPC built with boto3."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

import pytest

from tierform.errors import ReadError
from tierform.localaws import LocalAWS, client
from tierform.readers.live import network_from_live

pytestmark = pytest.mark.e2e

REGION = "us-east-1"


def _tags(resource: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource,
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@dataclass(frozen=True)
class Built:
    vpc: str
    other_vpc: str
    subnets: dict[str, str]
    igw: str
    nat: str
    tables: dict[str, str]
    main_table: str
    web_nacl: str
    default_nacl: str
    groups: dict[str, str]
    s3_endpoint: str


@pytest.fixture(scope="module")
def built(local_aws: LocalAWS) -> Built:
    """web (public, IGW) / app (private, NAT) / db (isolated, main table + S3 endpoint)."""
    ec2 = client("ec2", local_aws.endpoint, REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16",
                         TagSpecifications=_tags("vpc", Name="livetest-main"))["Vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16",
                           TagSpecifications=_tags("vpc", Name="livetest-other"))["Vpc"]["VpcId"]
    subnets = {}
    for tier, cidr in (("web", "10.20.1.0/24"), ("app", "10.20.11.0/24"),
                       ("db", "10.20.21.0/24")):
        subnets[tier] = ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr, AvailabilityZone="us-east-1a",
            TagSpecifications=_tags("subnet", Name=f"livetest-{tier}-a", Tier=tier),
        )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets["web"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    tables = {}
    for tier in ("web", "app"):
        table = ec2.create_route_table(
            VpcId=vpc, TagSpecifications=_tags("route-table", Name=f"livetest-{tier}", Tier=tier),
        )["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[tier])
        tables[tier] = table
    ec2.create_route(RouteTableId=tables["web"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)
    ec2.create_route(RouteTableId=tables["app"], DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat)
    main_table = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]},
    ])["RouteTables"][0]["RouteTableId"]
    s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
                                 VpcEndpointType="Gateway", RouteTableIds=[main_table],
                                 )["VpcEndpoint"]["VpcEndpointId"]
    # web NACL: https in, ephemeral out; db stays on the default NACL (AWS: allow all).
    web_nacl = ec2.create_network_acl(
        VpcId=vpc, TagSpecifications=_tags("network-acl", Name="livetest-web", Tier="web"),
    )["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=web_nacl, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=web_nacl, RuleNumber=110, Protocol="1",
                                 RuleAction="deny", Egress=False, CidrBlock="10.99.0.0/16",
                                 IcmpTypeCode={"Type": 8, "Code": 0})
    ec2.create_network_acl_entry(NetworkAclId=web_nacl, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 1024, "To": 65535})
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    default_nacl = next(a for a in acls["NetworkAcls"] if a["IsDefault"])
    web_assoc = next(a["NetworkAclAssociationId"] for a in default_nacl["Associations"]
                     if a["SubnetId"] == subnets["web"])
    ec2.replace_network_acl_association(AssociationId=web_assoc, NetworkAclId=web_nacl)
    groups = {}
    for tier in ("web", "db"):
        groups[tier] = ec2.create_security_group(
            VpcId=vpc, GroupName=f"livetest-{tier}", Description=f"{tier} tier",
            TagSpecifications=_tags("security-group", Name=f"livetest-{tier}", Tier=tier),
        )["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=groups["web"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "internet to web"}]}])
    ec2.authorize_security_group_ingress(GroupId=groups["db"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
         "UserIdGroupPairs": [{"GroupId": groups["web"]}]}])
    # Like Terraform: no default allow-all egress on the db group.
    ec2.revoke_security_group_egress(GroupId=groups["db"], IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return Built(vpc, other, subnets, igw, nat, tables, main_table, web_nacl,
                 default_nacl["NetworkAclId"], groups, s3)


def test_reads_subnets_tiers_and_vpc(local_aws: LocalAWS, built: Built) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    net = network_from_live(ec2, vpc_id=built.vpc, named_networks={"corp": "192.168.0.0/16"})
    assert net.source == "live"
    assert net.vpc_id == built.vpc
    assert net.vpc_cidrs == (IPv4Network("10.20.0.0/16"),)
    assert net.named_networks == {"corp": (IPv4Network("192.168.0.0/16"),)}
    assert net.tiers == ["web", "app", "db"]
    assert {t: [str(s.cidr) for s in net.subnets_of(t)] for t in net.tiers} == {
        "web": ["10.20.1.0/24"], "app": ["10.20.11.0/24"], "db": ["10.20.21.0/24"]}
    web = net.subnets[built.subnets["web"]]
    assert (web.az, web.name) == ("us-east-1a", "livetest-web-a")
    assert web.source == f"{web.id} (livetest-web-a)"
    assert set(net.internet_gateways) == {built.igw}
    assert net.nat_gateways[built.nat].subnet_id == built.subnets["web"]


def test_reads_routes_per_subnet(local_aws: LocalAWS, built: Built) -> None:
    net = network_from_live(client("ec2", local_aws.endpoint, REGION), vpc_id=built.vpc)
    web = net.route_table_of(built.subnets["web"])
    app = net.route_table_of(built.subnets["app"])
    db = net.route_table_of(built.subnets["db"])
    assert web is not None
    assert app is not None
    assert db is not None
    assert [(r.destination, r.kind, r.target) for r in web.routes] == [
        ("0.0.0.0/0", "igw", built.igw)]
    assert [(r.destination, r.kind, r.target) for r in app.routes] == [
        ("0.0.0.0/0", "nat", built.nat)]
    # db has no association: the main table (real, with its AWS id), routed to S3 only.
    assert (db.id, db.is_main, db.subnet_ids) == (built.main_table, True, frozenset())
    assert [(r.destination, r.kind, r.target) for r in db.routes] == [
        (f"com.amazonaws.{REGION}.s3", "endpoint", built.s3_endpoint)]
    assert net.endpoints[built.s3_endpoint].route_table_ids == {built.main_table}
    assert web.tier == "web"


def test_reads_nacls_with_the_real_default(local_aws: LocalAWS, built: Built) -> None:
    net = network_from_live(client("ec2", local_aws.endpoint, REGION), vpc_id=built.vpc)
    web = net.nacl_of(built.subnets["web"])
    db = net.nacl_of(built.subnets["db"])
    assert web is not None
    assert db is not None
    assert (web.id, web.tier, web.is_default) == (built.web_nacl, "web", False)
    assert [(e.rule_number, e.egress, e.protocol, e.action, e.cidr, e.from_port, e.to_port,
             e.icmp_type is None) for e in web.entries] == [
        (100, False, "6", "allow", "0.0.0.0/0", 443, 443, True),
        (110, False, "1", "deny", "10.99.0.0/16", 0, 65535, False),
        (100, True, "6", "allow", "0.0.0.0/0", 1024, 65535, True)]
    # AWS returns IcmpTypeCode {8, 0} here; moto 5.2 omits it, which reads as "any" (-1).
    assert (web.entries[1].icmp_type, web.entries[1].icmp_code) in ((8, 0), (-1, -1))
    # The default NACL is AWS's real one: allow all at 100; the 32767 "*" rules are implied.
    assert (db.id, db.is_default) == (built.default_nacl, True)
    assert {(e.rule_number, e.egress, e.protocol, e.action) for e in db.entries} == {
        (100, False, "-1", "allow"), (100, True, "-1", "allow")}
    assert built.subnets["web"] not in db.subnet_ids


def test_reads_security_groups_one_rule_per_peer(local_aws: LocalAWS, built: Built) -> None:
    net = network_from_live(client("ec2", local_aws.endpoint, REGION), vpc_id=built.vpc)
    web, db = net.groups_of("web"), net.groups_of("db")
    assert [g.id for g in web] == [built.groups["web"]]
    assert [g.id for g in db] == [built.groups["db"]]
    assert {(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group, r.description)
            for r in web[0].rules} == {
        (False, "6", 443, 443, "0.0.0.0/0", None, "internet to web"),
        (True, "-1", 0, 65535, "0.0.0.0/0", None, "")}  # AWS's default egress, kept
    assert [(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group)
            for r in db[0].rules] == [(False, "6", 3306, 3306, None, built.groups["web"])]
    defaults = [g for g in net.security_groups.values() if g.is_default]
    assert len(defaults) == 1
    assert defaults[0].name == "default"


def test_chooses_the_vpc_by_tag_and_refuses_ambiguity(local_aws: LocalAWS, built: Built) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    assert network_from_live(ec2, tag_filters={"Name": "livetest-m*"}).vpc_id == built.vpc
    with pytest.raises(ReadError, match=r"2 VPCs match Name=livetest-\*.*--vpc-id"):
        network_from_live(ec2, tag_filters={"Name": "livetest-*"})
    with pytest.raises(ReadError, match="no VPC matches Name=nothing"):
        network_from_live(ec2, tag_filters={"Name": "nothing"})
    with pytest.raises(ReadError, match="does not exist"):
        network_from_live(ec2, vpc_id="vpc-0123456789abcdef0")


def test_unreachable_endpoint_is_a_read_error() -> None:
    from tierform.localaws import free_port

    ec2 = client("ec2", f"http://127.0.0.1:{free_port()}", REGION)
    with pytest.raises(ReadError, match="cannot reach AWS"):
        network_from_live(ec2, vpc_id="vpc-1")
