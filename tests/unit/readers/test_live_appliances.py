"""The live reader's appliances (R14, R9) on AWS's own answer shapes: the network
interfaces and instances that routes name, read with DescribeNetworkInterfaces and
DescribeInstances (a real boto3 client answered by botocore's Stubber). The emulator path
is tests/e2e/test_appliance_hops_state.py."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from tierform.network.model import Route, RouteTable
from tierform.readers.live import _appliances

VPC = "vpc-1"
FILTERS = {"Filters": [{"Name": "vpc-id", "Values": [VPC]}]}


def _client() -> Any:
    return boto3.client("ec2", region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def _tables(*routes: Route) -> list[RouteTable]:
    return [RouteTable("rtb-1", routes, frozenset({"subnet-app"}))]


def test_an_interface_route_reads_subnet_groups_and_check() -> None:
    ec2 = _client()
    with Stubber(ec2) as stub:
        stub.add_response("describe_network_interfaces", {"NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-edge",
             "Groups": [{"GroupId": "sg-nat", "GroupName": "nat"}], "SourceDestCheck": False,
             "TagSet": [{"Key": "Name", "Value": "nat-eni"}]},
            {"NetworkInterfaceId": "eni-other", "SubnetId": "subnet-edge",
             "Groups": [], "SourceDestCheck": True}]}, FILTERS)
        found = _appliances(ec2, VPC, _tables(Route("0.0.0.0/0", "eni", "eni-1")),
                            {"subnet-edge", "subnet-app"})
    assert set(found) == {"eni-1"}  # only what a route names
    appliance = found["eni-1"]
    assert (appliance.subnet_id, appliance.security_group_ids, appliance.source_dest_check) \
        == ("subnet-edge", ("sg-nat",), False)
    assert appliance.source == "eni-1 (nat-eni)"


def test_an_instance_route_reads_its_primary_interface_by_both_ids() -> None:
    ec2 = _client()
    with Stubber(ec2) as stub:
        stub.add_response("describe_network_interfaces", {"NetworkInterfaces": []}, FILTERS)
        stub.add_response("describe_instances", {"Reservations": [{"Instances": [
            {"InstanceId": "i-1", "SubnetId": "subnet-edge", "SourceDestCheck": False,
             "SecurityGroups": [{"GroupId": "sg-nat"}],
             "NetworkInterfaces": [{"NetworkInterfaceId": "eni-9", "SubnetId": "subnet-edge",
                                    "SourceDestCheck": False,
                                    "Groups": [{"GroupId": "sg-nat"}],
                                    "Attachment": {"DeviceIndex": 0}}]}]}]}, FILTERS)
        found = _appliances(ec2, VPC, _tables(Route("0.0.0.0/0", "instance", "i-1")),
                            {"subnet-edge"})
    assert set(found) == {"i-1", "eni-9"}
    assert found["i-1"] is found["eni-9"]
    assert found["i-1"].security_group_ids == ("sg-nat",)
    assert found["i-1"].source_dest_check is False


def test_what_cannot_be_read_is_left_out() -> None:
    ec2 = _client()
    with Stubber(ec2) as stub:
        # No ec2:DescribeNetworkInterfaces: the route's target stays unknown, never blocked.
        stub.add_client_error("describe_network_interfaces", "UnauthorizedOperation")
        found = _appliances(ec2, VPC, _tables(Route("0.0.0.0/0", "eni", "eni-1")),
                            {"subnet-edge"})
    assert found == {}
    ec2 = _client()
    with Stubber(ec2) as stub:
        # An interface in a subnet of another VPC, and one whose check is not reported.
        stub.add_response("describe_network_interfaces", {"NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-far", "Groups": []},
            {"NetworkInterfaceId": "eni-2", "SubnetId": "subnet-edge", "Groups": []}]},
            FILTERS)
        found = _appliances(ec2, VPC, _tables(Route("0.0.0.0/0", "eni", "eni-1"),
                                              Route("10.9.0.0/16", "eni", "eni-2")),
                            {"subnet-edge"})
    assert set(found) == {"eni-2"}
    assert found["eni-2"].security_group_ids is None  # none listed: not read
    assert found["eni-2"].source_dest_check is None


def test_no_call_when_no_route_names_an_appliance() -> None:
    ec2 = _client()
    with Stubber(ec2):  # any call would fail: none is expected
        assert _appliances(ec2, VPC, _tables(Route("0.0.0.0/0", "igw", "igw-1")),
                           {"subnet-edge"}) == {}
