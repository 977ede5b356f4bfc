"""Exposure of each tier from its routes: public, private or isolated (R6).

A subnet is public when its route to some internet address goes straight to an internet
gateway, private when it goes on through a NAT gateway whose subnet reaches one (R3, R4),
isolated otherwise; the routes are those of legs.Legs.outbound, never failed open. A subnet
whose route to some internet address leaves the VPC through a gateway the analyzer does not
follow (transit, virtual private, peering...; an IPv6 route to any gateway leaving the VPC)
is ``unknown`` unless known public: never isolated (R6, R8, V9). A tier mixing exposures is
reported as its most exposed subnet (unknown ranks below public), with a warning.
docs/network-semantics.md R3-R10, V9.
"""

from __future__ import annotations

from tierform.analyze.legs import Legs
from tierform.analyze.results import Exposure, TierInfo
from tierform.analyze.unknown import unplaced
from tierform.aws import INTERNET
from tierform.network.model import Network

__all__ = ["exposures"]

_RANK: dict[Exposure, int] = {"isolated": 0, "private": 1, "unknown": 2, "public": 3}
_LEAVES_VPC = frozenset({"igw", "eigw", "tgw", "vgw", "peering", "carrier", "lgw", "core",
                         "nat", "other"})


def exposures(legs: Legs) -> tuple[dict[str, TierInfo], list[str]]:
    """Each tier's subnets and exposure, and a warning per tier that mixes exposures."""
    if legs.routes_open:
        raise ValueError("exposure is read from the routes as configured, not failed open")
    model = legs.model
    net = model.network
    internet = [h for h in model.hosts if h.endpoint == INTERNET]
    per_subnet: dict[str, Exposure] = {}
    why: dict[str, set[str]] = {}
    for subnet in net.subnets.values():
        table = model.table_of.get(subnet.id)
        exposure: Exposure = "isolated"
        reasons = why.setdefault(subnet.id, set())
        for host in internet:
            route = legs.outbound(table, host)
            if route.ok and route.nat_subnet is None:
                exposure = "public"
                break
            if route.unknown is not None:
                reasons.add(route.unknown)
            elif route.ok:
                exposure = "private"
        if exposure != "public":
            reasons |= _ipv6_exits(net, table)
            if reasons:
                exposure = "unknown"
        per_subnet[subnet.id] = exposure
    tiers: dict[str, TierInfo] = {}
    warnings: list[str] = []
    for tier in net.tiers:
        subnets = net.subnets_of(tier)
        found = {per_subnet[s.id] for s in subnets}
        exposure = max(found, key=lambda e: _RANK[e])
        if len(found) > 1:
            warnings.append(f"tier {tier} mixes subnet exposures ({', '.join(sorted(found))}); "
                            f"reported as {exposure}")
        listed = sorted({r for s in subnets if per_subnet[s.id] == "unknown"
                          for r in why[s.id]}) if exposure == "unknown" else []
        tiers[tier] = TierInfo([str(s.cidr) for s in subnets], exposure, tuple(listed))
    return tiers, warnings


def _ipv6_exits(net: Network, table: str | None) -> set[str]:
    """IPv6 routes of a table to a gateway that leaves the VPC: the analyzer's internet is
    IPv4, so such a route makes the subnet's exposure unknown, never isolated (V9)."""
    found = net.route_tables.get(table or "")
    if found is None:
        return set()
    return {why for r in found.routes if r.kind in _LEAVES_VPC
            and (why := unplaced(r)) is not None}
