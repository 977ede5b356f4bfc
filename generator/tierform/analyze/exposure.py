"""Exposure of each tier from its routes: public, private or isolated (R6).

A subnet is public when its route to some internet address goes straight to an internet
gateway, private when it goes on through a NAT gateway whose subnet reaches one (R3, R4),
isolated otherwise; the routes are those of legs.Legs.outbound, never failed open. A subnet
whose route to some internet address leaves the VPC through a gateway the analyzer does not
follow (transit, virtual private, peering...; a prefix-list route to any gateway leaving the
VPC) is ``unknown`` unless known public: never isolated (R6, R8, R11). Per address family:
over IPv6 an egress-only gateway makes a subnet private (R12). A tier mixing exposures is
reported as its most exposed subnet (unknown ranks below public), with a warning.
docs/network-semantics.md R3-R12.
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
    """Each tier's subnets and exposure in the Model's family, and a warning per tier that
    mixes exposures. Over IPv6 only subnets with an IPv6 block count, and a route to an
    egress-only gateway makes a subnet private (R12)."""
    if legs.routes_open:
        raise ValueError("exposure is read from the routes as configured, not failed open")
    model = legs.model
    net = model.network
    internet = [h for h in model.hosts if h.endpoint == INTERNET]
    hosted = {s for h in model.hosts for s in h.subnets}
    per_subnet: dict[str, Exposure] = {}
    why: dict[str, set[str]] = {}
    capped: set[str] = set()
    for subnet in net.subnets.values():
        if subnet.id not in hosted:
            continue  # no host of this family in it
        table = model.table_of.get(subnet.id)
        exposure: Exposure = "isolated"
        reasons = why.setdefault(subnet.id, set())
        for host in internet:
            route = legs.outbound(table, host)
            direct = route.nat_subnet is None or (  # R15: firewall, then the gateway
                route.firewall is not None and route.then_nat is None
                and not route.firewall_after_nat)
            if route.ok and direct and not route.egress_only:
                exposure = "public"
                break
            if route.unknown is not None:
                (capped if route.outbound_only else reasons).add(route.unknown)
            elif route.ok:
                exposure = "private"
        # A route that is never a way in (NAT64) cannot make a subnet public: unknown only
        # whether it makes an otherwise isolated subnet private.
        if exposure == "isolated":
            reasons |= capped
        capped = set()
        if exposure != "public":
            reasons |= _prefix_list_exits(net, table)
            if reasons:
                exposure = "unknown"
        per_subnet[subnet.id] = exposure
    tiers: dict[str, TierInfo] = {}
    warnings: list[str] = []
    family = "" if model.family == "ipv4" else " over IPv6"
    for tier in net.tiers:
        subnets = [s for s in net.subnets_of(tier) if s.id in per_subnet]
        if not subnets:
            continue
        found = {per_subnet[s.id] for s in subnets}
        exposure = max(found, key=lambda e: _RANK[e])
        if len(found) > 1:
            warnings.append(f"tier {tier} mixes subnet exposures{family} "
                            f"({', '.join(sorted(found))}); reported as {exposure}")
        listed = sorted({r for s in subnets if per_subnet[s.id] == "unknown"
                          for r in why[s.id]}) if exposure == "unknown" else []
        cidrs = [str(s.cidr) if model.family == "ipv4" else str(s.ipv6_cidr) for s in subnets]
        tiers[tier] = TierInfo(cidrs, exposure, tuple(listed))
    return tiers, warnings


def _prefix_list_exits(net: Network, table: str | None) -> set[str]:
    """Prefix-list routes of a table to a gateway that leaves the VPC: the addresses they
    capture are not read, so such a route makes the exposure unknown, never isolated (R11)."""
    found = net.route_tables.get(table or "")
    if found is None:
        return set()
    return {why for r in found.routes if r.kind in _LEAVES_VPC
            and (why := unplaced(r)) is not None}
