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

from tierform.aws import INTERNET, AddressFamily
from tierform.network.ipv6 import never_a_vpc_block, parse_ipv6
from tierform.network.model import Network, Route, Subnet, Unresolved

__all__ = ["named_of", "prefix_list_pairs", "undecided_ipv6_pairs", "unplaced", "unresolved_pairs"]


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


_EXITS = frozenset({"igw", "eigw", "tgw", "vgw", "peering", "carrier", "lgw", "core",
                    "other", "eni", "instance", "gwlbe", "nat"})


def unplaced(route: Route) -> str | None:
    """Why a route out of the VPC cannot be placed among the endpoints: a prefix list
    routed to anything but a gateway endpoint (R11)."""
    if route.kind not in _EXITS or route.network is not None \
            or parse_ipv6(route.destination) is not None:
        return None  # a CIDR, or a symbolic IPv6 prefix (N4: placed like one)
    where = (f"{route.destination} -> {route.kind} {route.target or ''}".rstrip()
             + f"{f' ({route.source})' if route.source else ''}")
    return f"a prefix-list route out of the VPC is not analyzed: {where}"


def named_of(network: Network, family: AddressFamily) -> list[str]:
    """The named networks with a CIDR of ``family`` (the endpoints of that family)."""
    version = 4 if family == "ipv4" else 6
    return [name for name, cidrs in network.named_networks.items()
            if any(c.version == version for c in cidrs)]


def _hosted(network: Network, family: AddressFamily) -> list[Subnet]:
    return [s for s in network.subnets.values() if s.tier is not None
            and (s.ipv6_cidr if family == "ipv6" else not s.ipv6_native)]


def prefix_list_pairs(network: Network, family: AddressFamily = "ipv4"
                      ) -> dict[tuple[str, str], list[str]]:
    """(src, dst) -> why unknown, for the tiers whose tables route a prefix list out of the
    VPC (R11): its CIDRs are not read, so those connections are not decided. Outbound to
    the outside endpoints; inbound too unless the route is egress-only."""
    outside = [*named_of(network, family), INTERNET]
    pairs: dict[tuple[str, str], list[str]] = {}
    for subnet in _hosted(network, family):
        assert subnet.tier is not None
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


def undecided_ipv6_pairs(network: Network) -> dict[tuple[str, str], list[str]]:
    """(src, dst) -> why unknown over IPv6 (N4): where the VPC's IPv6 block is symbolic
    (Amazon-provided, unknown at plan time), a concrete IPv6 prefix other than ``::/0``
    in a tier's routes, NACLs or groups may or may not hold the VPC's addresses, so every
    IPv6 pair of that tier is undecided."""
    prefixes = [parse_ipv6(t) for t in (*network.vpc_ipv6_cidrs,
                                         *(s.ipv6_cidr for s in network.subnets.values()))]
    bases = sorted({p.base for p in prefixes if p is not None and p.base is not None})
    if not bases:
        return {}
    hosted = _hosted(network, "ipv6")
    tiers = sorted({s.tier for s in hosted if s.tier is not None})
    ends = [*tiers, INTERNET]
    pairs: dict[tuple[str, str], list[str]] = {}

    def undecided(text: str | None) -> bool:
        found = parse_ipv6(text)
        return (found is not None and found.base is None and found.prefixlen > 0
                and not never_a_vpc_block(found))

    for tier in tiers:
        texts: list[tuple[str, str]] = []
        for subnet in (s for s in hosted if s.tier == tier):
            table = network.route_table_of(subnet.id)
            if table is not None:
                texts += [(r.destination, r.source or table.source or table.id)
                          for r in table.routes]
            nacl = network.nacl_of(subnet.id)
            if nacl is not None:
                texts += [(e.cidr, e.source or nacl.source or nacl.id) for e in nacl.entries]
        for group in network.groups_of(tier):
            texts += [(r.cidr or "", r.source or group.source or group.id) for r in group.rules]
        reasons = sorted({f"IPv6 {text} ({where}) cannot be placed against the VPC's "
                          f"IPv6 block {', '.join(bases)} (Amazon-provided: known only "
                          "after apply)" for text, where in texts if undecided(text)})
        for reason in reasons:
            for other in ends:
                pairs.setdefault((tier, other), []).append(reason)
                pairs.setdefault((other, tier), []).append(reason)
    return pairs


def peer_pairs(network: Network, family: AddressFamily = "ipv4"
               ) -> dict[tuple[str, str], list[str]]:
    """(src, dst) -> why unknown, for the tiers whose groups have a rule naming a peer the
    input does not hold (S5): a prefix list whose entries were not read, or a security
    group outside the input. Such a rule may match any address or host, so every pair it
    could admit (into the tier for inbound rules, out of it for outbound) is undecided;
    a group outside the input is never on internet hosts."""
    tiers = sorted({s.tier for s in _hosted(network, family) if s.tier is not None})
    named = named_of(network, family)
    pairs: dict[tuple[str, str], list[str]] = {}
    # R5: a gateway endpoint's prefix list is the endpoint aws:<service>, not a peer unread.
    gateways = {n for e in network.endpoints.values() for n in e.names}
    for tier in tiers:
        for group in network.groups_of(tier):
            for rule in group.rules:
                if rule.prefix_list in gateways:
                    continue
                if rule.prefix_list is not None:
                    peer = f"prefix list {rule.prefix_list} (its entries are not in the input)"
                    ends = [*tiers, *named, INTERNET, *network.services]
                elif rule.group is not None and rule.group not in network.security_groups:
                    # Any tier's hosts may carry it, or a peer VPC's; internet hosts cannot.
                    peer = f"security group {rule.group} (not in the input)"
                    ends = [*tiers, *named]
                else:
                    continue
                reason = (f"{rule.source or group.source or group.id} "
                          f"{'egress to' if rule.egress else 'ingress from'} {peer}")
                for other in ends:
                    pair = (tier, other) if rule.egress else (other, tier)
                    pairs.setdefault(pair, []).append(reason)
    return {key: sorted(set(reasons)) for key, reasons in pairs.items()}
