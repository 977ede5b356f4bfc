"""Network model, built four ways (derive, plan, state, live), analysed and verified."""

from __future__ import annotations

from tierform.network.model import (
    GatewayEndpoint,
    InternetGateway,
    Nacl,
    NaclEntry,
    NatGateway,
    Network,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    Unresolved,
)

__all__ = [
    "GatewayEndpoint",
    "InternetGateway",
    "Nacl",
    "NaclEntry",
    "NatGateway",
    "Network",
    "Route",
    "RouteTable",
    "SecurityGroup",
    "SgRule",
    "Subnet",
    "Unresolved",
]
