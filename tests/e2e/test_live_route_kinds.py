"""Every route kind the readers know, created with boto3 on the emulator and read back by
the live reader (readers/live.py); the same routes written as Terraform's state records
them read the same through the state reader: one table (network/routes.py) for both.

moto accepts a route to every kind here. Where it answers differently from AWS the
emulator is fixed (localaws/motoserver.py): it dropped local-gateway and core-network
targets (the route read back with no target at all). It names an instance route by its
instance only, where AWS names the instance and its interface; the reader's order takes
the instance either way (tests/unit/readers/test_live_routes.py holds AWS's shape).
Local gateways and core networks cannot be created on moto: their routes name ids AWS
would check and moto does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from terraform_documents import state_document
from tierform.localaws import LocalAWS, client
from tierform.network.routes import ROUTE_TARGETS
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
LGW = "lgw-0123456789abcdef0"
CORE = "arn:aws:networkmanager::123456789012:core-network/core-network-0123456789abcdef0"
S3 = "com.amazonaws.us-east-1.s3"


def test_every_route_kind_reads_the_same_live_and_from_state(local_aws: LocalAWS) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    peer_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                 SubnetId=subnet)["Instances"][0]["InstanceId"]
    gwlbe = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
        VpcEndpointType="GatewayLoadBalancer", SubnetIds=[subnet])["VpcEndpoint"]["VpcEndpointId"]
    carrier = ec2.create_carrier_gateway(VpcId=vpc)["CarrierGateway"]["CarrierGatewayId"]
    s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, RouteTableIds=[table])[
        "VpcEndpoint"]["VpcEndpointId"]

    # kind -> (destination, the create_route target, the Terraform state attributes)
    cases: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
        "igw": ("0.0.0.0/0", {"GatewayId": igw}, {"gateway_id": igw}),
        "vgw": ("10.70.0.0/16", {"GatewayId": vgw}, {"gateway_id": vgw}),
        "nat": ("10.50.0.0/16", {"NatGatewayId": nat}, {"nat_gateway_id": nat}),
        "eigw": ("::/0", {"EgressOnlyInternetGatewayId": eigw}, {"egress_only_gateway_id": eigw}),
        "tgw": ("10.60.0.0/16", {"TransitGatewayId": tgw}, {"transit_gateway_id": tgw}),
        "peering": ("10.1.0.0/16", {"VpcPeeringConnectionId": pcx},
                    {"vpc_peering_connection_id": pcx}),
        "eni": ("10.80.0.0/16", {"NetworkInterfaceId": eni}, {"network_interface_id": eni}),
        # Terraform's state of an instance route holds the instance and its interface.
        "instance": ("10.90.0.0/16", {"InstanceId": instance},
                     {"instance_id": instance, "network_interface_id": "eni-0instanceprimary"}),
        "gwlbe": ("10.100.0.0/16", {"VpcEndpointId": gwlbe}, {"vpc_endpoint_id": gwlbe}),
        "carrier": ("10.110.0.0/16", {"CarrierGatewayId": carrier},
                    {"carrier_gateway_id": carrier}),
        "lgw": ("10.120.0.0/16", {"LocalGatewayId": LGW}, {"local_gateway_id": LGW}),
        "core": ("10.130.0.0/16", {"CoreNetworkArn": CORE}, {"core_network_arn": CORE}),
    }
    known = {t.kind for t in ROUTE_TARGETS if t.kind is not None} | {"igw", "vgw"}
    assert set(cases) == known, "a route kind of the shared table has no case here"
    target_of: dict[str, str] = {}
    for kind, (destination, target, _) in cases.items():
        where = ("DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock")
        ec2.create_route(RouteTableId=table, **{where: destination}, **target)
        target_of[kind] = next(iter(target.values()))

    live = network_from_live(ec2, vpc_id=vpc)
    read = {r.destination: (r.kind, r.target) for r in live.route_tables[table].routes}
    expected = {destination: (kind, target_of[kind])
                for kind, (destination, _, _) in cases.items()}
    assert {d: read[d] for d in expected if d in read} == expected
    assert read[S3] == ("endpoint", s3), read  # the gateway endpoint, named by its service
    assert set(read) == {*expected, S3}

    resources: list[tuple[str, dict[str, Any]]] = [
        ("aws_vpc.main", {"id": vpc, "cidr_block": "10.0.0.0/16"}),
        ("aws_subnet.a", {"id": subnet, "vpc_id": vpc, "cidr_block": "10.0.1.0/24"}),
        ("aws_route_table.t", {"id": table, "vpc_id": vpc, "route": []}),
        ("aws_vpc_endpoint.s3", {"id": s3, "vpc_id": vpc, "service_name": S3,
                                 "vpc_endpoint_type": "Gateway", "route_table_ids": [table]}),
    ]
    for kind, (destination, _, attributes) in cases.items():
        where = "destination_ipv6_cidr_block" if ":" in destination else "destination_cidr_block"
        resources.append((f"aws_route.{kind}", {"id": f"r-{kind}", "route_table_id": table,
                                                where: destination, **attributes}))
    state = network_from_state(state_document(resources))
    from_state = {r.destination: (r.kind, r.target) for r in state.route_tables[table].routes}
    assert from_state == read
