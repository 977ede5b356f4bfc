"""Exposure of each tier from its routes: public, private or isolated (R6).

A subnet is public when its route to some internet address goes straight to an internet
gateway, private when it goes on through a NAT gateway whose subnet reaches one (R3, R4),
isolated otherwise; the routes are those of legs.Legs.outbound, never failed open. A tier
mixing exposures is reported as its most exposed subnet, with a warning.
docs/network-semantics.md R3-R6.
"""

from __future__ import annotations

from tierform.analyze.legs import Legs
from tierform.analyze.results import Exposure, TierInfo
from tierform.aws import INTERNET

__all__ = ["exposures"]

_RANK: dict[Exposure, int] = {"isolated": 0, "private": 1, "public": 2}


def exposures(legs: Legs) -> tuple[dict[str, TierInfo], list[str]]:
    """Each tier's subnets and exposure, and a warning per tier that mixes exposures."""
    if legs.routes_open:
        raise ValueError("exposure is read from the routes as configured, not failed open")
    model = legs.model
    net = model.network
    internet = [h for h in model.hosts if h.endpoint == INTERNET]
    per_subnet: dict[str, Exposure] = {}
    for subnet in net.subnets.values():
        table = model.table_of.get(subnet.id)
        exposure: Exposure = "isolated"
        for host in internet:
            route = legs.outbound(table, host)
            if route.ok and route.nat_subnet is None:
                exposure = "public"
                break
            if route.ok:
                exposure = "private"
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
        tiers[tier] = TierInfo([str(s.cidr) for s in subnets], exposure)
    return tiers, warnings
