"""The live reader's route classification on AWS's own answer shapes (DescribeRouteTables),
the ones the emulator does not give: by the one table of network/routes.py."""

from __future__ import annotations

from typing import Any

import pytest

from tierform.readers.live import _route

SERVICES = {"vpce-s3": "com.amazonaws.us-east-1.s3"}


@pytest.mark.parametrize(("raw", "expected"), [
    # AWS names an instance route's instance and its primary interface.
    ({"DestinationCidrBlock": "10.9.0.0/16", "InstanceId": "i-1", "InstanceOwnerId": "1234",
      "NetworkInterfaceId": "eni-1", "State": "active"}, ("10.9.0.0/16", "instance", "i-1")),
    ({"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-s3", "State": "active"},
     ("com.amazonaws.us-east-1.s3", "endpoint", "vpce-s3")),
    ({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "vpce-gwlb", "State": "active"},
     ("0.0.0.0/0", "gwlbe", "vpce-gwlb")),
    ({"DestinationCidrBlock": "10.8.0.0/16", "GatewayId": "vgw-1", "State": "active"},
     ("10.8.0.0/16", "vgw", "vgw-1")),
    ({"DestinationCidrBlock": "10.7.0.0/16", "NatGatewayId": "nat-1", "State": "blackhole"},
     ("10.7.0.0/16", "blackhole", "nat-1")),
    ({"DestinationCidrBlock": "10.6.0.0/16", "State": "active"}, ("10.6.0.0/16", "other", None)),
    ({"DestinationCidrBlock": "10.5.0.0/16", "GatewayId": "xyz-1", "State": "active"},
     ("10.5.0.0/16", "other", "xyz-1")),
])
def test_aws_route_shapes(raw: dict[str, Any], expected: tuple[str, str, str | None]) -> None:
    route = _route(raw, "rtb-1", SERVICES)
    assert route is not None
    assert (route.destination, route.kind, route.target) == expected


def test_the_local_route_is_left_to_the_analyzer() -> None:
    assert _route({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}, "rtb-1",
                  SERVICES) is None
