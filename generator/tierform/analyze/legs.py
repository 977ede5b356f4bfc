"""The leg rules, defined once: which checks a connection between two host classes crosses.

A connection from ``src`` to ``dst`` is a Path of Halves: the legs at the sending end,
the two sides of the NAT hop when the sender's route takes one, the legs at the receiving
end; the opening packet crosses them in that order, the reply in reverse. A half faces
one peer. Its legs are route checks (gates: routes carry no ports) and filters (a NACL,
or a tier's groups: the ports they let through to or from the peer); which legs it holds
depends only on its end's profile (tier, route table, NACL) and on the peer. query()
evaluates whole paths (query.py); analyze() evaluates each half once per profile and peer
and combines them by union (matrix.py). What the legs let through is evaluate.py's
business. A Network Firewall endpoint (R15) is another pair of sides, with the
firewall's rules as a filter that sees both ends (Filter.origin), before or after the
NAT hop; from the internet, the firewall's sides are part of the receiver's half.

docs/network-semantics.md R1-R4 (route tables, local delivery, internet gateways, NAT),
A3-A5 (NACL return legs, one subnet, the NAT subnet's NACL), S1-S2 (groups, stateful),
R14-R15 (appliance and firewall hops).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from tierform.analyze.compile import Host, Model
from tierform.analyze.results import LegName
from tierform.aws import INTERNET
from tierform.network.model import Appliance, NatGateway, Route

__all__ = [
    "ASSUMED_TEXT",
    "MAX_HOPS",
    "End",
    "Filter",
    "FilterLayer",
    "Half",
    "Legs",
    "Outbound",
    "Path",
    "RouteCheck",
    "route_detail",
    "sole_subnet",
    "unmodelled",
]

End = Literal["src", "dst", "nat"]
"""Where a filter sits: the sender's subnet, the receiver's, or the NAT gateway's subnet."""
FilterLayer = Literal["nacls", "security_groups", "firewall"]


# RouteCheck, Half and Path are NamedTuples: the matrix builds a few per host-class pair,
# and a frozen dataclass costs four times as much to build.


class RouteCheck(NamedTuple):
    """A route table's verdict on one leg (a gate: routes carry no ports)."""

    leg: LegName
    table: str | None
    ok: bool
    route: Route | None = None  # the deciding route, when the message is that route alone
    toward: str = ""  # the peer's example address block, for that message
    note: str | None = None  # the message, when the rule needs more than one route
    unknown: str | None = None  # not modelled beyond this route: why (``ok`` per Legs mode)

    @property
    def detail(self) -> str:
        return self.note if self.note is not None else route_detail(self.route, self.toward)


@dataclass(frozen=True, slots=True)
class Filter:
    """A NACL, or a tier's security groups, on one leg: what it lets through to or from
    the peer of its half (the peer is the half's, so one Filter serves every peer).

    A ``return`` filter is crossed by the reply, whose destination port is the client's
    ephemeral port (A3); only NACLs have return legs, groups pass replies (S2)."""

    leg: LegName
    layer: FilterLayer
    end: End
    owner: str  # the NACL id ("" when the subnet has none), or the tier whose groups apply
    egress: bool
    origin: Host | None = None  # a firewall (R15): the sender, whose address it also sees
    optimistic: bool = False  # a firewall: its unknown ports count as passing (Legs mode)


class Half(NamedTuple):
    """The legs at one end of a connection, or at one side of its NAT hop, all facing
    one peer: the other end (a NAT side faces the end it talks to)."""

    peer: Host
    routes: tuple[RouteCheck, ...] = ()
    forward: tuple[Filter, ...] = ()  # crossed by the opening packet
    replies: tuple[Filter, ...] = ()  # crossed by the reply, in the order it crosses them
    nat_subnet: str | None = None  # the sender's route goes on through a NAT gateway here
    hop_groups: str | None = None  # ... or through an appliance there, with these groups (R14)
    firewall: str | None = None  # ... or through this firewall's endpoint there (R15)
    then_nat: str | None = None  # ... and then through a NAT gateway in this subnet (R15)
    firewall_after_nat: bool = False  # ... or the NAT gateway first, then the firewall
    more_hops: tuple[tuple[str, str | None], ...] = ()  # further hops: (subnet, groups)


class Path(NamedTuple):
    """Every leg of one connection: sender, the NAT hop's two sides (none when direct),
    receiver. The opening packet crosses the halves in that order, the reply in reverse."""

    src: Host
    dst: Host
    halves: tuple[Half, ...]

    @property
    def routes(self) -> Iterator[RouteCheck]:
        return (check for half in self.halves for check in half.routes)

    @property
    def forward(self) -> Iterator[tuple[Filter, Half]]:
        return ((filt, half) for half in self.halves for filt in half.forward)

    @property
    def back(self) -> tuple[Half, ...]:
        """The halves in the order the reply crosses them."""
        return self.halves[::-1]

    @property
    def replies(self) -> Iterator[tuple[Filter, Half]]:
        return ((filt, half) for half in self.back for filt in half.replies)

    @property
    def nat_subnet(self) -> str | None:
        return self.halves[0].nat_subnet


@dataclass(frozen=True)
class Outbound:
    """The route from a subnet to an address outside the VPC."""

    ok: bool
    nat_subnet: str | None  # set when the path goes through a NAT gateway
    detail: str
    unknown: str | None = None  # the route leads where the input does not show: why
    egress_only: bool = False  # through an egress-only internet gateway (IPv6, R12)
    hop_groups: str | None = None  # through an appliance: its groups' owner (R14)
    firewall: str | None = None  # through a Network Firewall endpoint (R15): the firewall
    then_nat: str | None = None  # ... then a NAT gateway in this subnet
    firewall_after_nat: bool = False  # the NAT gateway (nat_subnet) first, then the firewall
    more_hops: tuple[tuple[str, str | None], ...] = ()  # after the first hop: (subnet, groups)
    outbound_only: bool = False  # unknown, but never a way in (NAT64: a NAT gateway, R12)


_Filters = tuple[tuple[Filter, ...], tuple[Filter, ...]]  # (forward, replies) of one half


def sole_subnet(host: Host) -> str | None:
    """The one subnet every host of the class sits in, if so. Two classes with the same
    sole subnet have no pair of hosts in different subnets (A4)."""
    return next(iter(host.subnets)) if len(host.subnets) == 1 else None


_PRIVATE_VIA_IGW = (" (an internet gateway does not forward private addresses such as {}: "
                    "it needs a VPN, transit gateway or peering route)")


_APPLIANCES = frozenset({"eni", "instance"})
"""In-VPC next hops followed by their subnet's table (R14)."""
MAX_HOPS = 4
"""The longest chain of in-VPC hops followed (R9, R14); beyond it the answer is unknown."""
_ASSUMED = frozenset({"tgw", "vgw"})
"""Gateways assumed to reach the named networks routed to them (their far side is not read)."""
_KIND_NAMES: dict[str, str] = {
    "tgw": "transit gateway", "vgw": "virtual private gateway", "peering": "peering connection",
    "carrier": "carrier gateway", "lgw": "Outposts local gateway", "eni": "network interface",
    "instance": "instance", "gwlbe": "Gateway Load Balancer endpoint",
    "core": "Cloud WAN core network", "eigw": "egress-only internet gateway",
    "other": "unclassified target", "nat": "NAT gateway", "igw": "internet gateway",
}
ASSUMED_TEXT = ("transit and virtual private gateways reach the named networks whose CIDRs "
                "are routed to them (assumed: their far side is not in the input)")


def unmodelled(route: Route, cidr: str, why: str) -> str:
    """The reason a path through ``route`` is unknown, in words."""
    name = _KIND_NAMES.get(route.kind, route.kind)
    return (f"{route.destination} -> {name} {route.target or ''}".rstrip()
            + f"{f' ({route.source})' if route.source else ''}: traffic to {cidr} {why}")


def _private_nat_drops(gateway: NatGateway, onward: Route | None, cidr: str) -> str | None:
    """R4: a private NAT gateway forwards (source-translated to its private address) by its
    subnet's table like a public one, but an internet gateway drops what it sends: the
    reason when that is the onward route, else None (the onward route decides)."""
    if gateway.public or onward is None or onward.kind != "igw":
        return None
    return (f"NAT gateway {gateway.source or gateway.id} is private, and its subnet routes "
            f"{cidr} to internet gateway {onward.target or ''}".rstrip()
            + " (an internet gateway drops traffic from a private NAT gateway)")


def _then(inner: Outbound, subnet: str, groups: str | None, where: str) -> Outbound:
    """R14, a chain: the way out through an appliance (``subnet``, its ``groups``) and on
    by ``inner``, the rest of the chain: its hops come after this one."""
    text = f"{where}, then {inner.detail}"
    if not inner.ok:
        return Outbound(False, None, text, text if inner.unknown is not None else None)
    rest = ((inner.nat_subnet, inner.hop_groups), *inner.more_hops) \
        if inner.nat_subnet is not None else ()
    return Outbound(True, subnet, text, text if inner.unknown is not None else None,
                    hop_groups=groups, more_hops=rest)


def route_detail(route: Route | None, cidr: str) -> str:
    if route is None:
        return f"no route to {cidr}"
    target = f" {route.target}" if route.target and route.kind != "local" else ""
    return (f"{route.destination} -> {route.kind}{target}"
            f"{f' ({route.source})' if route.source else ''}")


class Legs:
    """The leg rules over one compiled network. ``routes_open``: the route layer is
    treated as failed open (every route delivers, directly: no NAT hop)."""

    def __init__(self, model: Model, *, routes_open: bool = False,
                 unknown_passes: bool = False) -> None:
        self.model = model
        self.routes_open = routes_open
        self.unknown_passes = unknown_passes
        """How an unknown route check counts: failing (what is known to pass) or passing
        (what might pass); analyze() and query() run both when any check is unknown."""
        self.unknowns: dict[tuple[str, str], set[str]] = {}
        """(src endpoint, dst endpoint) -> why some route check between them is unknown."""
        self.assumed: set[str] = set()  # gateways assumed to reach a named network
        self.details: dict[tuple[str, str], set[str]] = {}
        """(src endpoint, dst endpoint) -> what restricts a reachable answer (R15 domains)."""
        self._in_cache: dict[tuple[str | None, int, str], tuple[bool, str, str | None]] = {}
        self._out_cache: dict[tuple[str | None, int, str], Outbound] = {}
        self._filter_cache: dict[tuple[End, str | None, str | None, bool], _Filters] = {}
        self._nat_cache: dict[tuple[str, str], tuple[_Filters, _Filters]] = {}

    # -- routes ------------------------------------------------------------------------

    def local(self, table: str | None, peer: Host) -> tuple[bool, Route | None, str | None]:
        """R1/R2: inside the VPC a packet is delivered when the longest-prefix route is
        local; a more specific route to a middlebox (network interface, instance, Gateway
        Load Balancer endpoint...) is not modelled: unknown (R9, V8). No route or a blackhole:
        blocked. The deciding route comes along for the message."""
        route = self.model.lpm(table, peer.key)
        if self.routes_open or (route is not None and route.kind == "local"):
            return True, route, None
        if route is None or route.kind == "blackhole":
            return False, route, None
        if route.kind == "peering" and self._peered(table, route, peer):
            return True, route, None  # R13: delivered to the peer VPC's subnet
        why = unmodelled(route, peer.cidr, "goes to a peering connection that is not an "
                                           "active link of the two VPCs in the input"
                         if route.kind == "peering" else
                         "goes through a hop inside the VPC that is not modelled")
        return self.unknown_passes, route, why

    def _peered(self, table: str | None, route: Route, peer: Host) -> bool:
        """R13: the route's peering connection joins the table's VPC and the VPC of every
        subnet of ``peer`` (both in the input; its other end routes back on its own)."""
        network = self.model.network
        peering = network.peerings.get(route.target or "")
        own = network.route_tables.get(table or "")
        if peering is None or own is None or own.vpc not in peering.vpcs:
            return False
        vpcs = {network.vpc_of(s) for s in peer.subnets}
        return bool(vpcs) and vpcs <= peering.vpcs - {own.vpc}

    def inbound(self, table: str | None, src: Host) -> tuple[bool, str, str | None]:
        """From outside into a subnet: the reply must leave through an internet gateway (R3),
        or a direct link for named networks; replies sent to a NAT are never NATed back (R4)."""
        cache_key = (table, src.key, src.endpoint)
        cached = self._in_cache.get(cache_key)
        if cached is not None:
            return cached
        route = self.model.lpm(table, src.key)
        why: str | None = None
        if self.routes_open:
            ok = True
        elif route is None:
            ok = False
        else:
            ok, why = self._leaves(route, src, inbound=True)
        detail = route_detail(route, src.cidr) if why is None else why
        if route is not None and route.kind == "igw" and not ok:
            detail += _PRIVATE_VIA_IGW.format(src.endpoint)
        if route is not None and route.kind == "eigw" and why is None:
            detail += (" (an egress-only internet gateway carries only connections opened "
                       "from inside)")
        if route is not None and route.kind == "nat":
            detail += " (a NAT gateway carries only connections opened from inside)"
        self._in_cache[cache_key] = (ok, detail, why)
        return ok, detail, why

    def _leaves(self, route: Route, peer: Host, *, inbound: bool = False
                ) -> tuple[bool, str | None]:
        """R3, R7, R8, R12, R13, V8: whether a route out of the VPC reaches an outside peer
        directly (not via a NAT gateway): (ok by the Legs mode, why it is unknown). An
        internet gateway reaches public addresses; over IPv6 an egress-only gateway the
        internet, for connections opened from inside only; a transit or virtual private
        gateway the named networks routed to it (assumed); any other gateway leaving the
        VPC, or a hop inside it: unknown."""
        kind = route.kind
        if kind == "igw":
            return peer.endpoint in self.model.public_endpoints, None
        if kind == "eigw" and self.model.family == "ipv6":
            return not inbound and peer.endpoint == INTERNET, None
        if kind == "endpoint":  # R5: a gateway endpoint delivers to its own service only
            ids = {e.id for e in self.model.gateways.get(peer.endpoint, ())}
            return not inbound and route.target in ids, None
        if kind in ("blackhole", "local", "nat"):
            return False, None
        if kind in _ASSUMED and peer.endpoint != INTERNET:
            self.assumed.add(f"{route.target or route.destination} reaches {peer.endpoint}")
            return True, None
        if kind in _ASSUMED:
            why = "leaves the VPC; where it goes beyond is not in the input"
        elif kind == "peering":
            why = "goes to a peer VPC that is not in the input"
        elif kind == "gwlbe" and self.model.network.firewall_of(route.target) is not None:
            why = ("comes in through the internet gateway and goes back out through a "
                   "firewall endpoint: connections from outside through a firewall "
                   "(ingress inspection) are not modelled yet")
        elif kind in ("eni", "instance", "gwlbe"):
            why = "goes through an appliance whose onward path is not modelled"
        elif kind == "eigw":
            why = "goes to an egress-only gateway (IPv6 only)"
        else:
            why = "goes to a target the analyzer does not model"
        return self.unknown_passes, unmodelled(route, peer.cidr, why)

    def outbound(self, table: str | None, dst: Host) -> Outbound:
        """From a subnet to an outside address: direct (IGW, or a VPN/TGW/peering link for
        named networks), or through a NAT gateway onwards by the NAT subnet's table (R4)."""
        cache_key = (table, dst.key, dst.endpoint)
        cached = self._out_cache.get(cache_key)
        if cached is not None:
            return cached
        route = self.model.lpm(table, dst.key)
        public = dst.endpoint in self.model.public_endpoints
        why: str | None = None
        if self.routes_open:
            direct = True
        elif route is None:
            direct = False
        else:
            direct, why = self._leaves(route, dst)
        if route is not None and route.kind in _APPLIANCES and not self.routes_open:
            result = self._via_appliance(route, dst)
        elif route is not None and route.kind == "gwlbe" and not self.routes_open \
                and self.model.network.firewall_of(route.target) is not None:
            result = self._via_firewall(route, dst)
        elif route is not None and route.kind == "nat" and self.model.family == "ipv6":
            why = unmodelled(route, dst.cidr, "goes to a NAT gateway over IPv6 (NAT64, "
                                              "not modelled)")
            result = Outbound(self.unknown_passes, None, why, why, outbound_only=True)
        elif direct or route is None or route.kind != "nat":
            detail = route_detail(route, dst.cidr) if why is None else why
            if route is not None and route.kind == "igw" and not direct:
                detail += _PRIVATE_VIA_IGW.format(dst.endpoint)
            result = Outbound(direct, None, detail, why,
                              direct and route is not None and route.kind == "eigw")
        else:
            result = self._via_nat(route, dst, public)
        self._out_cache[cache_key] = result
        return result

    def _via_appliance(self, route: Route, dst: Host, seen: tuple[str, ...] = ()) -> Outbound:
        """R14: out of the VPC through a network interface or an instance in the VPC. The
        packet goes to the appliance in its subnet (that subnet's NACL both ways and the
        interface's groups, as for a NAT gateway, A5) and on by that subnet's table, whose
        route must be a direct exit (R3, R8). Followed only when the appliance is read with
        its groups and its source/destination check off; else unknown. A chain: on to
        another appliance or a NAT gateway, each hop the same way, up to MAX_HOPS (beyond:
        unknown); a route back to an appliance of the chain (``seen``) is a loop (dropped);
        on to a Gateway Load Balancer or firewall endpoint, unknown."""
        model = self.model
        appliance: Appliance | None = model.network.appliances.get(route.target or "")

        def unknown(why: str) -> Outbound:
            text = unmodelled(route, dst.cidr, why)
            return Outbound(self.unknown_passes, None, text, text)

        if appliance is None:
            return unknown("goes to an appliance that is not in what was read")
        label = appliance.source or appliance.id
        if appliance.source_dest_check is not False:
            state = "on" if appliance.source_dest_check else "not read"
            return unknown(f"goes through {label}, whose source/destination check is {state}: "
                           "whether it forwards is not known")
        groups = model.appliance_groups.get(appliance.id)
        if groups is None:
            return unknown(f"goes through {label}, whose security groups are not all in "
                           "what was read")
        if appliance.subnet_id not in model.network.subnets:
            return unknown(f"goes through {label} in subnet {appliance.subnet_id}, which is "
                           "not in the input")
        hop_table = model.table_of.get(appliance.subnet_id)
        onward = model.lpm(hop_table, dst.key)
        where = f"{label} in subnet {appliance.subnet_id}, then {model.table_name(hop_table)}"
        chain = (*seen, appliance.id)
        again = self._appliance(onward)
        if again is not None and again.id in chain:
            same = "the same appliance" if again.id == appliance.id else \
                f"{again.source or again.id}, an earlier hop"
            return Outbound(False, None, f"via {where}: {route_detail(onward, dst.cidr)} "
                                         f"sends it back to {same} (a loop)")
        if onward is not None and onward.kind in (*_APPLIANCES, "nat"):
            if len(chain) >= MAX_HOPS:
                return unknown(f"goes through {label}, then on to a further in-VPC hop "
                               f"({route_detail(onward, dst.cidr)}): more than {MAX_HOPS} "
                               "hops are not followed")
            inner = (self._via_appliance(onward, dst, chain) if onward.kind in _APPLIANCES
                     else self._via_nat(onward, dst, dst.endpoint in model.public_endpoints))
            if inner.firewall is not None:
                return unknown(f"goes through {label}, then {inner.detail}: a firewall after "
                               "an appliance is not followed")
            return _then(inner, appliance.subnet_id, groups, f"via {where}")
        if onward is not None and onward.kind == "gwlbe":
            return unknown(f"goes through {label}, then on to an endpoint "
                           f"({route_detail(onward, dst.cidr)}): not followed")
        ok, why = (False, None) if onward is None else self._leaves(onward, dst)
        if why is not None:
            text = f"via {where}, then {why}"
            return Outbound(ok, appliance.subnet_id if ok else None, text, text,
                            hop_groups=groups if ok else None)
        if not ok:
            return Outbound(False, None, f"via {where}, which does not route {dst.cidr} to a "
                                         f"gateway that reaches it "
                                         f"({route_detail(onward, dst.cidr)})")
        return Outbound(True, appliance.subnet_id,
                        f"via {where}: {route_detail(onward, dst.cidr)}", hop_groups=groups)

    def _via_firewall(self, route: Route, dst: Host) -> Outbound:
        """R15: out of the VPC through a Network Firewall endpoint: the firewall subnet of
        the endpoint's AZ (its NACL both ways), the firewall's rules (a filter, _firewall_hop),
        then that subnet's table: a direct exit (R3), or a NAT gateway then its subnet's
        table (R4): the egress chain. Another in-VPC hop after it is unknown; a route back
        to the same firewall is a loop."""
        model = self.model
        found = model.network.firewall_of(route.target)
        assert found is not None
        firewall, az = found
        label = f"firewall {firewall.source or firewall.id} in {az}"

        def unknown(why: str) -> Outbound:
            text = unmodelled(route, dst.cidr, why)
            return Outbound(self.unknown_passes, None, text, text)

        subnet = firewall.subnet_in(az)
        if subnet is None or subnet not in model.network.subnets:
            return unknown(f"goes through {label}, whose subnet in that AZ is not in the input")
        fw_table = model.table_of.get(subnet)
        onward = model.lpm(fw_table, dst.key)
        where = f"through {label} (subnet {subnet}), then {model.table_name(fw_table)}"
        if onward is not None and onward.kind == "gwlbe" and onward.target == route.target:
            # Only the same endpoint is a loop; another firewall's (or AZ's) endpoint is a
            # further hop, unknown below.
            return Outbound(False, None, f"{where}: {route_detail(onward, dst.cidr)} sends it "
                                         "back to the same firewall endpoint (a loop)")
        if onward is not None and onward.kind == "nat":
            gateway = model.network.nat_gateways.get(onward.target or "")
            if gateway is None:
                return unknown(f"goes through {label}, then to NAT gateway {onward.target}, "
                               "which is not in the input")
            nat_table = model.table_of.get(gateway.subnet_id)
            last = model.lpm(nat_table, dst.key)
            dropped = _private_nat_drops(gateway, last, dst.cidr)
            if dropped is not None:
                return Outbound(False, None, f"{where}: {dropped}")
            ok, why = (False, None) if last is None else self._leaves(last, dst)
            text = (f"{where}: {route_detail(onward, dst.cidr)}, then NAT gateway "
                    f"{gateway.source or gateway.id}: {model.table_name(nat_table)}: "
                    f"{why or route_detail(last, dst.cidr)}")
            if why is not None:
                return Outbound(ok, subnet if ok else None, text, text,
                                firewall=firewall.id if ok else None,
                                then_nat=gateway.subnet_id if ok else None)
            if not ok:
                return Outbound(False, None, text + " (no internet gateway route)")
            return Outbound(True, subnet, text, firewall=firewall.id, then_nat=gateway.subnet_id)
        if onward is not None and onward.kind in (*_APPLIANCES, "gwlbe"):
            return unknown(f"goes through {label}, then on to another in-VPC hop "
                           f"({route_detail(onward, dst.cidr)}): not followed")
        ok, why = (False, None) if onward is None else self._leaves(onward, dst)
        text = f"{where}: {why or route_detail(onward, dst.cidr)}"
        if why is not None:
            return Outbound(ok, subnet if ok else None, text, text,
                            firewall=firewall.id if ok else None)
        if not ok:
            return Outbound(False, None, f"{text} (does not reach {dst.cidr})")
        return Outbound(True, subnet, text, firewall=firewall.id)

    def _firewall_hop(self, src: Host, dst: Host, sender: Half) -> tuple[Half, ...]:
        """R15: the halves of a firewall hop: the firewall subnet's NACL both ways (A5), the
        firewall's rules (facing the far end, seeing both addresses), then the NAT
        gateway's sides when the chain goes on through one. The reply must come back
        through the same endpoint: the NAT subnet's route to the sender must be that
        endpoint (east-west: the receiver's route to the sender), else the firewall sees
        one direction only (asymmetric: unknown)."""
        model = self.model
        assert sender.firewall is not None
        assert sender.nat_subnet is not None
        firewall = model.network.firewalls[sender.firewall]
        subnet = sender.nat_subnet
        az = next(a for a, s in firewall.subnets if s == subnet)
        endpoint = dict(firewall.endpoints).get(az)
        verdict = model.firewall(firewall.id, src.key, dst.key)
        if any(verdict.unknown):
            self._note(src, dst, "; ".join(verdict.reasons) or "a firewall rule is not known")
        if verdict.details:
            self.details.setdefault((src.endpoint, dst.endpoint), set()).update(
                f"through firewall {firewall.source or firewall.id} in {az}: {d}"
                for d in verdict.details)
        rules = Filter("forward", "firewall", "nat", firewall.id, True, src,
                       self.unknown_passes)
        sides = self.hop(subnet, src, dst) or (Half(src), Half(dst))
        near, far = sides
        far = far._replace(forward=(*far.forward, rules))
        halves = [near, far]
        checks: list[RouteCheck] = []
        label = f"firewall {firewall.source or firewall.id} in {az}"
        back_table = model.table_of.get(subnet)
        back = model.lpm(back_table, src.key)
        if back is None or back.kind != "local":
            why = (f"the reply from {label} to {src.cidr} takes "
                   f"{route_detail(back, src.cidr)}, not the local route")
            checks.append(RouteCheck("return", back_table, self.unknown_passes, note=why,
                                     unknown=why))
            self._note(src, dst, why)
        if dst.tier is not None:  # east-west: the reply must come back the same way
            sent = model.lpm(src.table, dst.key)
            reply = model.lpm(dst.table, src.key)
            if reply is None or reply.kind != "gwlbe" or sent is None or \
                    reply.target != sent.target:
                why = (f"asymmetric: the reply from {dst.cidr} to {src.cidr} leaves by "
                       f"{model.table_name(dst.table)}: {route_detail(reply, src.cidr)}, not "
                       f"back through {label}'s endpoint, so the firewall sees one direction "
                       "of the connection only (what its stateful engine does then is not "
                       "modelled)")
                checks.append(RouteCheck("return", dst.table, self.unknown_passes, note=why,
                                         unknown=why))
                self._note(src, dst, why)
        elif sender.then_nat is not None:
            halves += list(self.hop(sender.then_nat, src, dst))
            nat_table = model.table_of.get(sender.then_nat)
            reply = model.lpm(nat_table, src.key)
            if reply is None or reply.kind != "gwlbe" or reply.target != endpoint:
                why = (f"asymmetric: the reply leaves the NAT gateway's subnet by "
                       f"{model.table_name(nat_table)}: {route_detail(reply, src.cidr)}, not "
                       f"through {label}'s endpoint, so the firewall sees one direction of "
                       "the connection only (what its stateful engine does then is not "
                       "modelled)")
                checks.append(RouteCheck("return", nat_table, self.unknown_passes, note=why,
                                         unknown=why))
                self._note(src, dst, why)
        elif (exit_route := model.lpm(back_table, dst.key)) is None \
                or exit_route.kind != "igw":
            why = (f"the reply from {dst.endpoint} comes back through "
                   f"{route_detail(exit_route, dst.cidr)}, whose route back through "
                   f"{label}'s endpoint is not in the input")
            checks.append(RouteCheck("return", back_table, self.unknown_passes, note=why,
                                     unknown=why))
            self._note(src, dst, why)
        else:
            edges = [t for t in model.network.route_tables.values()
                     if t.gateway_ids & set(model.network.internet_gateways)]
            edge = edges[0].id if len(edges) == 1 else None
            reply = model.lpm(edge, src.key) if edge is not None else None
            if reply is None or reply.kind != "gwlbe" or reply.target != endpoint:
                shown = ("no edge route table is associated with the internet gateway"
                         if not edges else "several edge route tables" if edge is None else
                         f"its edge route table {model.table_name(edge)} sends it by "
                         f"{route_detail(reply, src.cidr)}")
                why = (f"asymmetric: the reply from {dst.endpoint} to {src.cidr} comes in "
                       f"through the internet gateway, and {shown}, not back through "
                       f"{label}'s endpoint (what its stateful engine does then is not "
                       "modelled)")
                checks.append(RouteCheck("return", edge, self.unknown_passes, note=why,
                                         unknown=why))
                self._note(src, dst, why)
        if checks:
            halves.append(Half(src, tuple(checks)))
        return tuple(halves)

    def _nat_then_firewall(self, gateway: NatGateway, route: Route, dst: Host) -> Outbound:
        """R15: a NAT gateway whose subnet routes on to a firewall endpoint (AWS's combined
        ingress/egress design: the firewall sees the NAT's address), then the firewall
        subnet's table, whose route must be a direct exit (R3)."""
        model = self.model
        found = model.network.firewall_of(route.target)
        assert found is not None
        firewall, az = found
        label = f"firewall {firewall.source or firewall.id} in {az}"
        name = gateway.source or gateway.id
        subnet = firewall.subnet_in(az)
        if subnet is None or subnet not in model.network.subnets:
            text = unmodelled(route, dst.cidr, f"goes from NAT gateway {name} through {label}, "
                                               "whose subnet in that AZ is not in the input")
            return Outbound(self.unknown_passes, None, text, text)
        fw_table = model.table_of.get(subnet)
        last = model.lpm(fw_table, dst.key)
        nat_table = model.table_name(model.table_of.get(gateway.subnet_id))
        where = (f"via NAT gateway {name}, then {nat_table}: "
                 f"{route_detail(route, dst.cidr)}, through {label} (subnet {subnet}), then "
                 f"{model.table_name(fw_table)}")
        if last is not None and last.kind in (*_APPLIANCES, "gwlbe", "nat"):
            text = f"{where}: {route_detail(last, dst.cidr)}: a further in-VPC hop, not followed"
            return Outbound(self.unknown_passes, None, text, text)
        dropped = _private_nat_drops(gateway, last, dst.cidr)
        if dropped is not None:
            return Outbound(False, None, f"{where}: {dropped}")
        ok, why = (False, None) if last is None else self._leaves(last, dst)
        text = f"{where}: {why or route_detail(last, dst.cidr)}"
        if why is not None:
            return Outbound(ok, gateway.subnet_id if ok else None, text, text,
                            firewall=firewall.id if ok else None, firewall_after_nat=ok)
        if not ok:
            return Outbound(False, None, f"{text} (does not reach {dst.cidr})")
        return Outbound(True, gateway.subnet_id, text, firewall=firewall.id,
                        firewall_after_nat=True)

    def _firewall_after_nat(self, src: Host, dst: Host, sender: Half) -> tuple[Half, ...]:
        """R15: the firewall's halves after a NAT gateway: it sees the NAT's address (the
        NAT subnet's host class: when that subnet holds several, which one is not known,
        unknown), its subnet's NACL both ways, its rules; the reply must come in by the
        internet gateway's edge table through the same endpoint."""
        model = self.model
        assert sender.firewall is not None
        assert sender.nat_subnet is not None
        firewall = model.network.firewalls[sender.firewall]
        nat_table = model.table_of.get(sender.nat_subnet)
        route = model.lpm(nat_table, dst.key)
        endpoint = route.target if route is not None else None
        az = firewall.az_of(endpoint or "") or ""
        subnet = firewall.subnet_in(az) or ""
        label = f"firewall {firewall.source or firewall.id} in {az}"
        keys = {h.key: h for h in model.hosts if sender.nat_subnet in h.subnets}
        checks: list[RouteCheck] = []
        if len(keys) != 1:
            why = (f"{label} sees the NAT gateway's address in subnet {sender.nat_subnet}, "
                   "which the rules tell apart from other addresses there: which one AWS "
                   "gives it is not in the input")
            checks.append(RouteCheck("forward", nat_table, self.unknown_passes, note=why,
                                     unknown=why))
            self._note(src, dst, why)
            return (Half(src, tuple(checks)),)  # the maybe mode passes it unfiltered
        nat_host = next(iter(keys.values()))
        verdict = model.firewall(firewall.id, nat_host.key, dst.key)
        if any(verdict.unknown):
            self._note(src, dst, "; ".join(verdict.reasons) or "a firewall rule is not known")
        if verdict.details:
            self.details.setdefault((src.endpoint, dst.endpoint), set()).update(
                f"through {label} (after NAT): {d}" for d in verdict.details)
        rules = Filter("forward", "firewall", "nat", firewall.id, True, nat_host,
                       self.unknown_passes)
        near, far = self.hop(subnet, nat_host, dst) or (Half(nat_host), Half(dst))
        halves = [near, far._replace(forward=(*far.forward, rules))]
        back = model.lpm(model.table_of.get(subnet), nat_host.key)
        edges = [t for t in model.network.route_tables.values()
                 if t.gateway_ids & set(model.network.internet_gateways)]
        edge = edges[0].id if len(edges) == 1 else None
        reply = model.lpm(edge, nat_host.key) if edge is not None else None
        problems = []
        if back is None or back.kind != "local":
            problems.append(f"the firewall subnet's route to {nat_host.cidr} is "
                            f"{route_detail(back, nat_host.cidr)}, not local")
        if reply is None or reply.kind != "gwlbe" or reply.target != endpoint:
            problems.append("no edge route table is associated with the internet gateway"
                            if not edges else "several edge route tables" if edge is None
                            else f"the internet gateway's edge table {model.table_name(edge)} "
                                 f"sends the reply to {nat_host.cidr} by "
                                 f"{route_detail(reply, nat_host.cidr)}")
        if problems:
            why = (f"asymmetric: the reply does not come back through {label}'s endpoint ("
                   f"{'; '.join(problems)}), so the firewall sees one direction of the "
                   "connection only (what its stateful engine does then is not modelled)")
            checks.append(RouteCheck("return", edge, self.unknown_passes, note=why,
                                     unknown=why))
            self._note(src, dst, why)
        if checks:
            halves.append(Half(src, tuple(checks)))
        return tuple(halves)

    def _firewall_ingress(self, host: Host, peer: Host, forward: tuple[Filter, ...],
                          replies: tuple[Filter, ...]) -> Half | None:
        """R15, ingress: a connection from outside into a subnet whose route back out is a
        firewall endpoint whose subnet's table leads to the internet gateway. In by the
        internet gateway's edge table, which must send the subnet to the same endpoint
        (else asymmetric: unknown), the firewall subnet's NACL both ways and the rules,
        then the receiver's own legs. A receiving half stands for every host class of its
        profile: when the firewall, its NACL or the edge table tell them apart, unknown.
        None: not such a path (inbound() decides)."""
        model = self.model
        network = model.network
        route = model.lpm(host.table, peer.key)
        if self.routes_open or route is None or route.kind != "gwlbe":
            return None
        found = network.firewall_of(route.target)
        if found is None:
            return None
        firewall, az = found
        subnet = firewall.subnet_in(az)
        if subnet is None or subnet not in network.subnets:
            return None
        fw_table = model.table_of.get(subnet)
        last = model.lpm(fw_table, peer.key)
        if last is None or last.kind != "igw":
            return None
        exit_ok, _ = self._leaves(last, peer)
        nacl = model.nacl_of.get(subnet)
        label = f"firewall {firewall.source or firewall.id} in {az}"
        edges = [t for t in network.route_tables.values()
                 if t.gateway_ids & set(network.internet_gateways)]
        edge = edges[0].id if len(edges) == 1 else None

        def treatment(h: Host) -> tuple[object, ...]:
            verdict = model.firewall(firewall.id, peer.key, h.key)
            return (model.lpm(edge, h.key) if edge is not None else None,
                    model.nacl_ports(nacl, True, h.key), model.nacl_ports(nacl, False, h.key),
                    tuple(verdict.passed), tuple(verdict.unknown))

        alike = len({treatment(h) for h in model.hosts if h.profile == host.profile}) == 1
        inward = model.lpm(edge, host.key) if edge is not None else None
        problem = None
        if not alike:
            problem = (f"{label} (its rules, its subnet's NACL or the internet gateway's edge "
                       f"table) treats addresses of {host.endpoint}'s subnets apart: not "
                       "followed for them")
        elif inward is None or inward.kind != "gwlbe" or inward.target != route.target:
            shown = ("no edge route table is associated with the internet gateway"
                     if not edges else "several edge route tables" if edge is None else
                     f"its edge table {model.table_name(edge)} sends it by "
                     f"{route_detail(inward, host.cidr)}")
            problem = (f"asymmetric: from {peer.endpoint}, {host.cidr} is reached through the "
                       f"internet gateway, and {shown}, not through {label}'s endpoint, which "
                       "the reply takes (what its stateful engine does then is not modelled)")
        verdict = model.firewall(firewall.id, peer.key, host.key)
        if any(verdict.unknown):
            self._note(peer, host, "; ".join(verdict.reasons) or "a firewall rule is not known")
        if problem is not None:
            self._note(peer, host, problem)
        text = (f"{peer.endpoint} reaches {host.endpoint} through {label} (subnet {subnet}): "
                f"{route_detail(inward, host.cidr)}; the reply by "
                f"{model.table_name(host.table)}: {route_detail(route, peer.cidr)}, then "
                f"{model.table_name(fw_table)}: {route_detail(last, peer.cidr)}")
        checks = (RouteCheck("forward", edge, self.unknown_passes if problem else True,
                             note=problem or text, unknown=problem),
                  RouteCheck("return", host.table, exit_ok, note=text))
        fw_in: tuple[Filter, ...] = ()
        fw_back: tuple[Filter, ...] = ()
        if nacl is not None:
            fw_in = (Filter("forward", "nacls", "nat", nacl, False),
                     Filter("forward", "nacls", "nat", nacl, True, host))
            fw_back = (Filter("return", "nacls", "nat", nacl, False, host),
                       Filter("return", "nacls", "nat", nacl, True))
        rules = Filter("forward", "firewall", "nat", firewall.id, False, host,
                       self.unknown_passes)
        return Half(peer, checks, (*fw_in, rules, *forward), (*replies, *fw_back))

    def _via_nat(self, route: Route, dst: Host, public: bool) -> Outbound:
        model = self.model
        gateway: NatGateway | None = model.network.nat_gateways.get(route.target or "")
        if gateway is None:  # R4, V8: not read, so not known to block
            missing = (f"route {route.source or route.destination} targets a NAT gateway "
                   f"{route.target} that is not in the input")
            return Outbound(self.unknown_passes, None, missing, missing)
        name = gateway.source or gateway.id
        nat_table = model.table_of.get(gateway.subnet_id)
        onward = model.lpm(nat_table, dst.key)
        dropped = _private_nat_drops(gateway, onward, dst.cidr)
        if dropped is not None:
            return Outbound(False, None, dropped)
        if onward is not None and onward.kind == "gwlbe" \
                and model.network.firewall_of(onward.target) is not None:
            return self._nat_then_firewall(gateway, onward, dst)
        ok, why = (False, None) if onward is None else self._leaves(onward, dst)
        if why is not None:
            return Outbound(ok, gateway.subnet_id if ok else None,
                            f"via NAT gateway {name}, then {why}", f"via NAT gateway {name}, "
                                                                   f"then {why}")
        if not ok:
            return Outbound(False, None, (
                f"NAT gateway {name} sits in subnet {gateway.subnet_id} whose table "
                f"{model.table_name(nat_table)} does not route {dst.cidr} to an internet "
                f"gateway ({route_detail(onward, dst.cidr)})"))
        return Outbound(True, gateway.subnet_id,
                        f"via NAT gateway {name}, then {model.table_name(nat_table)}: "
                        f"{route_detail(onward, dst.cidr)}")

    # -- legs --------------------------------------------------------------------------

    def _filters(self, end: End, owner: str | None, nacl: str | None,
                 same_subnet: bool) -> _Filters:
        """The filters at a tier's end (``owner``: the tier): forward and return. Its
        groups on the way out (sender) or in (receiver); across a subnet boundary also its
        NACL, that way and, for the reply, the other way (A3). Inside one subnet no NACL
        applies (A4)."""
        cache_key = (end, owner, nacl, same_subnet)
        found = self._filter_cache.get(cache_key)
        if found is None:
            out = end == "src"
            groups = Filter("forward", "security_groups", end, owner or "", out)
            if same_subnet:
                found = ((groups,), ())
            else:
                found = ((groups, Filter("forward", "nacls", end, nacl or "", out)),
                         (Filter("return", "nacls", end, nacl or "", not out),))
            self._filter_cache[cache_key] = found
        return found

    @staticmethod
    def checks(host: Host) -> bool:
        """Whether this network checks anything at the end of ``host``: not outside the VPC,
        where a half holds no legs whatever the peer (so any peer stands for all)."""
        return host.tier is not None

    def sender(self, host: Host, peer: Host, same_subnet: bool = False) -> Half:
        """The legs at the sending end: its groups' egress, and across a subnet boundary
        its route to the peer, its NACL outbound, and the reply inbound (A3), which comes
        back with the peer's address as source, also through a NAT (A5)."""
        if not self.checks(host):
            return Half(peer)
        forward, replies = self._filters("src", host.tier, host.nacl, same_subnet)
        if same_subnet:  # A4: no route table inside one subnet
            return Half(peer, (), forward)
        if peer.tier is not None:
            east_west = self._east_west_out(host, peer)
            if east_west is not None:
                check, subnet, firewall = east_west
                return Half(peer, (check,), forward, replies, subnet, firewall=firewall)
            through = self._appliance_out(host, peer)
            if through is not None:
                check, hops = through
                first, groups = hops[0] if hops else (None, None)
                return Half(peer, (check,), forward, replies, first, groups,
                            more_hops=tuple(hops[1:]))
            ok, route, why = self.local(host.table, peer)
            self._note(host, peer, why)
            return Half(peer, (RouteCheck("forward", host.table, ok, route, peer.cidr,
                                          why, why),),
                        forward, replies)
        out = self.outbound(host.table, peer)
        self._note(host, peer, out.unknown)
        back = "replies come back the same way" if out.ok else out.detail
        return Half(peer, (RouteCheck("forward", host.table, out.ok, note=out.detail,
                                      unknown=out.unknown),
                           RouteCheck("return", host.table, out.ok, note=back,
                                      unknown=out.unknown)),
                    forward, replies, out.nat_subnet, out.hop_groups, out.firewall,
                    out.then_nat, out.firewall_after_nat, out.more_hops)

    def _firewall_route(self, table: str | None, peer: Host) -> Route | None:
        """The route of ``table`` to ``peer`` when it is more specific than local and goes
        to a Network Firewall endpoint of the input (R15, east-west); else None."""
        if self.routes_open:
            return None
        route = self.model.lpm(table, peer.key)
        if route is None or route.kind != "gwlbe" or \
                self.model.network.firewall_of(route.target) is None:
            return None
        return route

    def _east_west_out(self, host: Host, peer: Host
                       ) -> tuple[RouteCheck, str | None, str | None] | None:
        """R15, east-west: the sender's route to a tier is a firewall endpoint. Followed to
        the endpoint's subnet, whose table must deliver to the peer by the local route (the
        firewall's halves and the reply's checks are _firewall_hop's); a route on to another
        in-VPC hop is unknown, one back to the same endpoint a loop (blocked). The check
        carries the route, so the matrix builds this half peer by peer. None: not such a
        route (local() decides)."""
        route = self._firewall_route(host.table, peer)
        if route is None:
            return None
        model = self.model
        found = model.network.firewall_of(route.target)
        assert found is not None
        firewall, az = found
        label = f"firewall {firewall.source or firewall.id} in {az}"
        subnet = firewall.subnet_in(az)
        if subnet is None or subnet not in model.network.subnets:
            why = unmodelled(route, peer.cidr, f"goes through {label}, whose subnet in that "
                                               "AZ is not in the input")
            self._note(host, peer, why)
            return RouteCheck("forward", host.table, self.unknown_passes, route, peer.cidr,
                              why, why), None, None
        fw_table = model.table_of.get(subnet)
        onward = model.lpm(fw_table, peer.key)
        where = (f"{route_detail(route, peer.cidr)}: through {label} (subnet {subnet}), then "
                 f"{model.table_name(fw_table)}: {route_detail(onward, peer.cidr)}")
        if onward is not None and onward.kind == "gwlbe" and onward.target == route.target:
            return RouteCheck("forward", host.table, False, route, peer.cidr,
                              f"{where}: back to the same firewall endpoint (a loop)"), \
                None, None
        if onward is None or onward.kind == "blackhole":
            return RouteCheck("forward", host.table, False, route, peer.cidr,
                              f"{where}: not delivered to {peer.cidr}"), None, None
        if onward.kind != "local":
            why = unmodelled(route, peer.cidr, f"goes through {label}, then on by "
                                               f"{route_detail(onward, peer.cidr)}: a further "
                                               "hop, not followed")
            self._note(host, peer, why)
            return RouteCheck("forward", host.table, self.unknown_passes, route, peer.cidr,
                              why, why), None, None
        return RouteCheck("forward", host.table, True, route, peer.cidr, where), subnet, \
            firewall.id

    def _east_west_back(self, host: Host, peer: Host) -> RouteCheck | None:
        """R15, east-west: the receiver's route back to a tier is a firewall endpoint. The
        reply crosses that firewall's halves only if the connection came through the same
        endpoint (the sender's route to this host is that endpoint: _firewall_hop then holds
        the firewall's legs); otherwise the firewall sees the reply alone (asymmetric:
        unknown). None: not such a route."""
        route = self._firewall_route(host.table, peer)
        if route is None:
            return None
        came = self.model.lpm(peer.table, host.key)
        found = self.model.network.firewall_of(route.target)
        assert found is not None
        firewall, az = found
        label = f"firewall {firewall.source or firewall.id}'s endpoint in {az}"
        if came is not None and came.kind == "gwlbe" and came.target == route.target:
            return RouteCheck("return", host.table, True, route, peer.cidr,
                              f"{route_detail(route, peer.cidr)}: the reply goes back through "
                              f"{label}, the way the connection came")
        why = (f"asymmetric: the reply from {host.cidr} to {peer.cidr} goes through {label} "
               f"({route_detail(route, peer.cidr)}), but the connection came by "
               f"{route_detail(came, host.cidr)}: the firewall sees one direction only (what "
               "its stateful engine does then is not modelled)")
        self._note(peer, host, why)
        return RouteCheck("return", host.table, self.unknown_passes, route, peer.cidr, why, why)

    def _appliance(self, route: Route | None) -> Appliance | None:
        """The appliance a route names (R14: by interface or instance id), if read."""
        if route is None or route.kind not in _APPLIANCES:
            return None
        return self.model.network.appliances.get(route.target or "")

    def _chain(self, route: Route, toward: Host, ends: tuple[Host, ...]
               ) -> tuple[list[Appliance], Route | None, str, bool | None]:
        """R9: the appliances a packet to ``toward`` crosses from ``route`` on, each
        followed by its subnet's table, up to MAX_HOPS: (the appliances, the route after the
        last, the way in words, and why it stops: None when it ends on a route that is no
        appliance, False blocked (a loop), True unknown: not read, in a subnet of one of
        ``ends``, or beyond the bound; the words then say why)."""
        model = self.model
        chain: list[Appliance] = []
        current: Route | None = route
        way = route_detail(route, toward.cidr)
        while current is not None and current.kind in _APPLIANCES:
            appliance = self._appliance(current)
            if appliance is None:
                return chain, current, unmodelled(current, toward.cidr, "goes to an appliance "
                                                  "that is not in what was read"), True
            label = appliance.source or appliance.id
            if any(a.id == appliance.id for a in chain):
                return chain, current, f"{way}: back to {label}, an earlier hop (a loop)", False
            if len(chain) >= MAX_HOPS:
                return chain, current, unmodelled(current, toward.cidr, f"goes through more "
                                                  f"than {MAX_HOPS} in-VPC hops: not followed"), \
                    True
            problem = None
            if appliance.source_dest_check is not False:
                state = "on" if appliance.source_dest_check else "not read"
                problem = (f"goes through {label}, whose source/destination check is {state}: "
                           "whether it forwards is not known")
            elif model.appliance_groups.get(appliance.id) is None:
                problem = (f"goes through {label}, whose security groups are not all in what "
                           "was read")
            elif appliance.subnet_id not in model.network.subnets:
                problem = (f"goes through {label} in subnet {appliance.subnet_id}, which is not "
                           "in the input")
            elif any(appliance.subnet_id in end.subnets for end in ends):
                problem = (f"goes through {label} in subnet {appliance.subnet_id}, a subnet of "
                           "one end: which legs cross a NACL there is not modelled")
            if problem is not None:
                return chain, current, unmodelled(current, toward.cidr, problem), True
            chain.append(appliance)
            table = model.table_of.get(appliance.subnet_id)
            current = model.lpm(table, toward.key)
            way += (f": through {label} (subnet {appliance.subnet_id}), then "
                    f"{model.table_name(table)}: {route_detail(current, toward.cidr)}")
        return chain, current, way, None

    def _appliance_out(self, host: Host, peer: Host
                       ) -> tuple[RouteCheck, list[tuple[str, str | None]]] | None:
        """R9, between tiers: the sender's route to a tier names a network interface or an
        instance (an appliance in front of a subnet). Followed as out of the VPC (R14): each
        appliance read with its groups and its source/destination check off, in a subnet
        of its own (neither end's), whose table goes on to the next appliance (a chain of up
        to MAX_HOPS) or delivers to the peer by the local route; the reply must come back
        through the same appliances in reverse (the receiver's table, then each one's
        subnet's table, the last by the local route to the sender), else asymmetric. The
        hops' NACLs and groups are Legs.hop's (the check returns each hop's subnet and
        groups). What was not read, a hop of another kind, beyond the bound or an
        asymmetric reply: unknown; a loop, a blackhole or no route: blocked. None: not
        such a route (local() decides)."""
        if self.routes_open:
            return None
        model = self.model
        route = model.lpm(host.table, peer.key)
        if route is None or route.kind not in _APPLIANCES:
            return None

        def check(ok: bool, text: str, unknown: bool = False
                  ) -> tuple[RouteCheck, list[tuple[str, str | None]]]:
            why = text if unknown else None
            self._note(host, peer, why)
            return (RouteCheck("forward", host.table, self.unknown_passes if unknown else ok,
                               route, peer.cidr, text, why), [])

        chain, last, way, stop = self._chain(route, peer, (host, peer))
        if stop is not None:
            return check(False, way, stop)
        if last is None or last.kind == "blackhole":
            return check(False, f"{way}: not delivered to {peer.cidr}")
        if last.kind != "local":
            return check(False, unmodelled(route, peer.cidr, f"goes through "
                                           f"{len(chain)} appliance(s), then on by "
                                           f"{route_detail(last, peer.cidr)}: a further hop, "
                                           "not followed"), True)
        reply = model.lpm(peer.table, host.key)
        back: list[Appliance] = []
        home: Route | None = reply
        if reply is not None and reply.kind in _APPLIANCES:
            back, home, _, problem = self._chain(reply, host, (host, peer))
            if problem is not None:
                back = []
        if [a.id for a in back] != [a.id for a in reversed(chain)] or home is None \
                or home.kind != "local":
            return check(False, unmodelled(route, peer.cidr, (
                f"goes through {', '.join(a.source or a.id for a in chain)}, but the reply "
                f"from {peer.cidr} to {host.cidr} leaves by {model.table_name(peer.table)}: "
                f"{route_detail(reply, host.cidr)}, not back through the same appliances "
                "to the local route (asymmetric: what an appliance does with one direction "
                "of a connection is not modelled)")), True)
        hops: list[tuple[str, str | None]] = [
            (a.subnet_id, model.appliance_groups.get(a.id)) for a in chain]
        return RouteCheck("forward", host.table, True, route, peer.cidr, way), hops

    def _appliance_back(self, host: Host, peer: Host) -> RouteCheck | None:
        """R9, between tiers: the receiver's route back to the sender names an appliance.
        The reply goes through it only if the connection came through the same appliances
        (the sender's route, then each hop's table: _appliance_out then holds the hops'
        legs and checks the reply's whole way); otherwise an appliance sees the reply
        alone (asymmetric: unknown). None: not such a route."""
        if self.routes_open:
            return None
        model = self.model
        route = model.lpm(host.table, peer.key)
        if route is None or route.kind not in _APPLIANCES:
            return None
        came = model.lpm(peer.table, host.key)
        back, _, _, _ = self._chain(route, peer, (host, peer))
        sent: list[Appliance] = []
        if came is not None and came.kind in _APPLIANCES:
            sent = self._chain(came, host, (host, peer))[0]
        if sent and [a.id for a in sent] == [a.id for a in reversed(back)][:len(sent)]:
            label = ", ".join(a.source or a.id for a in back)
            return RouteCheck("return", host.table, True, route, peer.cidr,
                              f"{route_detail(route, peer.cidr)}: the reply goes back "
                              f"through {label}, the way the connection came")
        why = unmodelled(route, peer.cidr,
                         f"is the reply's way back, but the connection came by "
                         f"{route_detail(came, host.cidr)} (asymmetric: what the appliance "
                         "does with one direction of a connection is not modelled)")
        self._note(peer, host, why)
        return RouteCheck("return", host.table, self.unknown_passes, route, peer.cidr, why,
                          why)

    def _note(self, src: Host, dst: Host, why: str | None) -> None:
        if why is not None:
            self.unknowns.setdefault((src.endpoint, dst.endpoint), set()).add(why)

    def receiver(self, host: Host, peer: Host, same_subnet: bool = False) -> Half:
        """The legs at the receiving end: its groups' ingress, and across a subnet boundary
        its NACL inbound, the reply's route back to the peer and the reply outbound (A3).
        From outside, only a public subnet takes the connection (R3, R4)."""
        if not self.checks(host):
            return Half(peer)
        forward, replies = self._filters("dst", host.tier, host.nacl, same_subnet)
        if same_subnet:  # A4
            return Half(peer, (), forward)
        if peer.tier is not None:
            back = self._east_west_back(host, peer) or self._appliance_back(host, peer)
            if back is not None:
                return Half(peer, (back,), forward, replies)
            ok, route, why = self.local(host.table, peer)
            self._note(peer, host, why)
            return Half(peer, (RouteCheck("return", host.table, ok, route, peer.cidr,
                                          why, why),),
                        forward, replies)
        through = self._firewall_ingress(host, peer, forward, replies)
        if through is not None:
            return through
        ok, detail, why = self.inbound(host.table, peer)
        self._note(peer, host, why)
        return Half(peer, (RouteCheck("forward", host.table, ok,
                                      note=f"{peer.endpoint} reaches {host.endpoint} only if "
                                           f"its subnet is public: {detail}", unknown=why),
                           RouteCheck("return", host.table, ok, note=detail, unknown=why)),
                    forward, replies)

    def hop(self, nat_subnet: str, src: Host, dst: Host,
            groups: str | None = None) -> tuple[Half, ...]:
        """A5: through a NAT gateway both legs cross the NAT subnet's NACL: in from the
        sender and out to the far end, then the reply in from the far end and out to the
        sender. Two halves: the side facing the sender, the side facing the far end.
        Through an appliance (R14) also its groups: ingress from the sender, egress on."""
        nacl = self.model.nacl_of.get(nat_subnet)
        if nacl is None and groups is None:  # nothing read to cross (kept as it was)
            return ()
        cache_key = (nacl or "", groups or "")
        sides = self._nat_cache.get(cache_key)
        if sides is None:
            nacls = nacl is not None
            into = tuple(Filter("forward", "security_groups", "nat", g, False) for g in
                         [groups] if g is not None)
            onto = tuple(Filter("forward", "security_groups", "nat", g, True) for g in
                         [groups] if g is not None)
            sides = self._nat_cache[cache_key] = (
                ((*into, *(Filter("forward", "nacls", "nat", nacl or "", False),)[:nacls]),
                 (Filter("return", "nacls", "nat", nacl or "", True),)[:nacls]),
                ((*onto, *(Filter("forward", "nacls", "nat", nacl or "", True),)[:nacls]),
                 (Filter("return", "nacls", "nat", nacl or "", False),)[:nacls]))
        (in_from, out_to), (out_fwd, in_back) = sides
        return Half(src, (), in_from, out_to), Half(dst, (), out_fwd, in_back)

    def path(self, src: Host, dst: Host, same_subnet: bool) -> Path | None:
        """Every leg a connection from ``src`` to ``dst`` crosses; None when it is not a
        flow through this VPC (both ends outside)."""
        if src.tier is None and dst.tier is None:
            return None
        if src.endpoint in self.model.services:
            return None  # an interface endpoint accepts connections, it never opens one
        return self.join(src, dst, self.sender(src, dst, same_subnet),
                         self.receiver(dst, src, same_subnet))

    def join(self, src: Host, dst: Host, sender: Half, receiver: Half) -> Path:
        """The path of a sender's half and a receiver's, with the NAT hop between them
        when the sender's route takes one."""
        if sender.firewall is not None and sender.firewall_after_nat:
            assert sender.nat_subnet is not None
            return Path(src, dst, (sender, *self.hop(sender.nat_subnet, src, dst),
                                   *self._firewall_after_nat(src, dst, sender), receiver))
        if sender.firewall is not None:
            return Path(src, dst, (sender, *self._firewall_hop(src, dst, sender), receiver))
        hop = (self.hop(sender.nat_subnet, src, dst, sender.hop_groups) if sender.nat_subnet
               else ())
        for subnet, groups in sender.more_hops:  # R9, R14: a chain of hops, in order
            hop = (*hop, *self.hop(subnet, src, dst, groups))
        return Path(src, dst, (sender, *hop, receiver))

    def inside(self, src: Host, dst: Host) -> Path | None:
        """A4: the path inside one subnet, when some host of ``src`` and some host of
        ``dst`` share a subnet (groups only: no route table, no NACL)."""
        if src.tier is None or dst.tier is None or not src.subnets & dst.subnets:
            return None
        return self.path(src, dst, True)

    def across(self, src: Host, dst: Host) -> Path | None:
        """A4: the path across a subnet boundary, when some host of ``src`` and some host
        of ``dst`` sit in different subnets (classes with one same sole subnet do not)."""
        sole = sole_subnet(src)
        if src.tier is not None and dst.tier is not None and sole is not None \
                and sole == sole_subnet(dst):
            return None
        return self.path(src, dst, False)

    def paths(self, src: Host, dst: Host) -> list[Path]:
        """Every path between two host classes: across a subnet boundary, inside one."""
        return [p for p in (self.across(src, dst), self.inside(src, dst)) if p is not None]
