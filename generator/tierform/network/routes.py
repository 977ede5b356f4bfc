"""What a route can point at: the one table the plan, state and live readers classify
routes by, so that one route reads as the same kind whichever way it was read.

Each target is named twice, as Terraform's ``aws_route`` (and inline ``route`` blocks)
writes it and as EC2's DescribeRouteTables answers it. ``gateway_id``/``GatewayId`` is
shared by several kinds and split by what it names (:func:`gateway_kind`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.network.model import RouteKind

__all__ = ["ROUTE_TARGETS", "RouteTarget", "gateway_kind"]


@dataclass(frozen=True)
class RouteTarget:
    kind: RouteKind | None
    """None: ``gateway_id``, whose kind is what it names (``gateway_kind``)."""
    attribute: str
    """The Terraform argument (``aws_route``) and inline route block field."""
    field: str | None
    """The EC2 ``Route`` field; None where AWS answers the target as ``GatewayId``."""
    types: tuple[str, ...] = ()
    """Terraform resource types the attribute may reference (() = AWS ids only)."""
    inline: bool = True
    """Also a field of ``aws_route_table``'s inline ``route`` blocks."""


ROUTE_TARGETS: tuple[RouteTarget, ...] = (
    RouteTarget(None, "gateway_id", "GatewayId", ("aws_internet_gateway", "aws_vpn_gateway")),
    RouteTarget("nat", "nat_gateway_id", "NatGatewayId", ("aws_nat_gateway",)),
    RouteTarget("eigw", "egress_only_gateway_id", "EgressOnlyInternetGatewayId",
                ("aws_egress_only_internet_gateway",)),
    # A Gateway Load Balancer endpoint, not an S3/DynamoDB gateway endpoint; AWS answers
    # it as GatewayId vpce-... with a CIDR destination.
    # A Network Firewall's endpoint is one too: picked from the firewall's sync_states (R15).
    RouteTarget("gwlbe", "vpc_endpoint_id", None, ("aws_vpc_endpoint",
                                                   "aws_networkfirewall_firewall")),
    RouteTarget("tgw", "transit_gateway_id", "TransitGatewayId", ("aws_ec2_transit_gateway",)),
    RouteTarget("peering", "vpc_peering_connection_id", "VpcPeeringConnectionId",
                ("aws_vpc_peering_connection",)),
    # Before the interface: AWS names an instance route's instance and its interface both
    # (Terraform's state then holds instance_id and network_interface_id).
    RouteTarget("instance", "instance_id", "InstanceId", inline=False),  # computed only
    RouteTarget("eni", "network_interface_id", "NetworkInterfaceId", ("aws_network_interface",)),
    RouteTarget("carrier", "carrier_gateway_id", "CarrierGatewayId", ("aws_ec2_carrier_gateway",)),
    RouteTarget("lgw", "local_gateway_id", "LocalGatewayId"),
    RouteTarget("core", "core_network_arn", "CoreNetworkArn"),
)
"""In the order a route naming several targets is classified by."""

_GATEWAY_TYPES: dict[str, RouteKind] = {"aws_internet_gateway": "igw", "aws_vpn_gateway": "vgw"}
_GATEWAY_PREFIXES: dict[str, RouteKind] = {"igw-": "igw", "vgw-": "vgw"}


def gateway_kind(target: str, *, resource_type: str | None = None,
                 prefix_list: bool = False) -> RouteKind:
    """The kind of a ``gateway_id``/``GatewayId`` target: by the resource type it
    references (a plan), else by its AWS id prefix. ``vpce-`` is a gateway endpoint when the
    route's destination is a prefix list (R5), else a Gateway Load Balancer endpoint."""
    if target == "local":
        return "local"
    if resource_type is not None:
        return _GATEWAY_TYPES.get(resource_type, "other")
    if target.startswith("vpce-"):
        return "endpoint" if prefix_list else "gwlbe"
    return _GATEWAY_PREFIXES.get(target[:4], "other")
