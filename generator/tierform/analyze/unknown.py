"""What the analyzer cannot decide: pairs touched by unresolved wiring (V7).

An unresolved item could change any answer that crosses the resource it belongs to. When
the item names a resource of the network with a tier (a subnet, route table, NACL or a
tier's security group), every pair with that tier at one end is unknown, and every pair
with an outside end too when a NAT gateway sits in that tier's subnets (its NACL and
table carry other tiers' internet traffic, A5). When it names anything else (an
association, a rule, a gateway: wiring that is not in the network at all), every pair is
unknown. docs/network-semantics.md, "Verdicts".
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv6Network

from tierform.aws import INTERNET
from tierform.network.model import Network, Route, Unresolved

__all__ = ["ipv6_pairs", "unplaced", "unresolved_pairs"]


def _named(address: str, ident: str, source: str) -> bool:
    return address in (ident, source) or source.endswith(f"({address})")


def _tiers_of(network: Network, item: Unresolved) -> set[str] | None:
    """The tiers an unresolved item touches, or None when it cannot be told."""
    address = item.address
    found: set[str] = set()
    for subnet in network.subnets.values():
        if _named(address, subnet.id, subnet.source):
            if subnet.tier is None:
                return None
            found.add(subnet.tier)
    for table in network.route_tables.values():
        if _named(address, table.id, table.source):
            tiers = {s.tier for sid in table.subnet_ids
                     if (s := network.subnets.get(sid)) is not None and s.tier is not None}
            if table.is_main or not tiers:
                return None
            found |= tiers
    for nacl in network.nacls.values():
        if _named(address, nacl.id, nacl.source):
            tiers = {s.tier for sid in nacl.subnet_ids
                     if (s := network.subnets.get(sid)) is not None and s.tier is not None}
            if nacl.is_default or not tiers:
                return None
            found |= tiers
    for group in network.security_groups.values():
        if _named(address, group.id, group.source):
            placed = {t for t in network.tiers if group in network.groups_of(t)}
            if not placed:
                return None  # a group whose placement is unknown could sit anywhere
            found |= placed
    return found or None


def unresolved_pairs(network: Network, endpoints: Iterable[str]
                     ) -> dict[tuple[str, str], list[str]]:
    """(src, dst) -> the reasons its answer is unknown, for every pair an unresolved item
    could change (V7)."""
    names = list(endpoints)
    tiers = set(network.tiers)
    nat_tiers = {s.tier for g in network.nat_gateways.values()
                 if (s := network.subnets.get(g.subnet_id)) is not None and s.tier}
    pairs: dict[tuple[str, str], list[str]] = {}
    for item in network.unresolved:
        reason = f"could not resolve {item.address} {item.attribute}: {item.reason}"
        touched = _tiers_of(network, item)
        for src in names:
            for dst in names:
                if src not in tiers and dst not in tiers:
                    continue  # not a flow through this VPC
                outside = src not in tiers or dst not in tiers
                if (touched is None or src in touched or dst in touched
                        or (outside and touched & nat_tiers)):
                    pairs.setdefault((src, dst), []).append(reason)
    return pairs


_IPV6_EXITS = frozenset({"igw", "eigw", "tgw", "vgw", "peering", "carrier", "lgw", "core",
                         "other", "eni", "instance", "gwlbe"})


def unplaced(route: Route) -> str | None:
    """Why a route out of the VPC cannot be placed among the IPv4 endpoints: an IPv6
    destination (V9) or a prefix list routed to anything but a gateway endpoint (R11)."""
    if route.kind not in _IPV6_EXITS:
        return None
    where = (f"{route.destination} -> {route.kind} {route.target or ''}".rstrip()
             + f"{f' ({route.source})' if route.source else ''}")
    if isinstance(route.network, IPv6Network):
        return f"IPv6 is not analyzed: {where}"
    if route.network is None:
        return f"a prefix-list route out of the VPC is not analyzed: {where}"
    return None


def ipv6_pairs(network: Network) -> dict[tuple[str, str], list[str]]:
    """(src, dst) -> why unknown, for the tiers whose tables route IPv6 (V9) or a prefix
    list (R11) out of the VPC: the analyzer's endpoints are IPv4 CIDRs, so those
    connections are not decided. Outbound to the internet and to named networks; inbound
    too unless the route is egress-only."""
    outside = [*network.named_networks, INTERNET]
    pairs: dict[tuple[str, str], list[str]] = {}
    for subnet in network.subnets.values():
        if subnet.tier is None:
            continue
        table = network.route_table_of(subnet.id)
        for route in table.routes if table is not None else ():
            reason = unplaced(route)
            if reason is None:
                continue
            for peer in outside:
                pairs.setdefault((subnet.tier, peer), []).append(reason)
                if route.kind != "eigw":
                    pairs.setdefault((peer, subnet.tier), []).append(reason)
    return {key: sorted(set(reasons)) for key, reasons in pairs.items()}
