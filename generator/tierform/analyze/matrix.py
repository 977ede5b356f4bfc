"""analyze(): every endpoint pair's reachable ports per protocol, without visiting every pair.

Method. A connection from host class ``s`` (profile P: tier, route table, NACL) to host
class ``d`` (profile Q) is the path Legs.join(sender(P, d), receiver(Q, s)) (legs.py: a
half depends on its end's profile and the peer only). Its ports are the two halves'
forward ports intersected, where both halves' routes pass and the reply gets through both
halves' return filters (evaluate.py). A flow is the union over all pairs, and
intersection distributes over union, so per profile pair

    ports(P, Q) = U_d open_P(d) & (U_s open_Q(s))      (pairs inside one subnet left out)

which costs |P| + |Q| half evaluations instead of |P| * |Q| paths. The reply checks come
out of the same unions: the reply crosses the receiver's end first (Path.back), so the
receiver's return filters are checked (and a partial one reported) for exactly the
senders that have some partner with a common port, and the sender's for the receivers
that have a replying partner, as a pair loop would. An outside endpoint class is a profile
of its own. Paths through a NAT gateway go pair by pair, since the NAT subnet's NACL sees
the sender's address (A5); so do paths inside one subnet (A4), both being few.
tests/unit/analyze/test_matrix_reference.py checks all this against a pair loop.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from tierform.analyze.compile import Host, Model, PeerClass, PeerView, PerProtocol, Profile
from tierform.analyze.evaluate import Evaluator, Partial
from tierform.analyze.exposure import exposures
from tierform.analyze.legs import ASSUMED_TEXT, Half, Legs, sole_subnet
from tierform.analyze.proxy import proxied_flows
from tierform.analyze.results import Flow, Layer, Reachability, TierInfo, UnknownFlow
from tierform.analyze.unknown import (
    peer_pairs,
    prefix_list_pairs,
    undecided_ipv6_pairs,
    unresolved_pairs,
)
from tierform.aws import DEFAULT_EPHEMERAL, INTERNET, PROTOCOLS, AddressFamily
from tierform.network.model import Network
from tierform.ports import PortSet

__all__ = ["PLACEMENT_ASSUMPTION", "analyze", "reach"]

PLACEMENT_ASSUMPTION = (
    "hosts of a tier sit in that tier's subnets and carry the security groups placed on "
    "that tier; hosts in public subnets may have public IPv4 addresses"
)

_FlowKey = tuple[str, str, str]  # (src endpoint, dst endpoint, protocol)
_PAIRWISE = frozenset({"gwlbe", "eni", "instance"})
"""Route kinds whose half is built peer by peer: a firewall or appliance hop between tiers
(R15, R9) depends on the peer's own route back, which a peer view does not hold."""


def analyze(network: Network, *, ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
            failed_open: Layer | None = None) -> Reachability:
    """Every endpoint pair's reachable ports per protocol, forward and back through every
    layer, per address family: IPv6 too when some subnet has an IPv6 block (N4).

    The cyclic garbage collector is paused meanwhile: the analysis makes millions of cached
    tuples and no cycles, and each full collection walked them all (15-25% of the CPU time
    at 2,400 subnets, nothing collected)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _analyze(network, ephemeral, failed_open)
    finally:
        if paused:
            gc.enable()


def _analyze(network: Network, ephemeral: tuple[int, int],
             failed_open: Layer | None) -> Reachability:
    endpoints = [*network.tiers, *network.named_networks, INTERNET, *network.services]
    touched = unresolved_pairs(network, endpoints)  # V7
    parts = [_family(network, "ipv4", ephemeral, failed_open, touched)]
    # An IPv6 block the reader could not resolve may hide IPv6 hosts: the family is then
    # analyzed too, so that what the item touches is unknown over IPv6, never blocked (V7).
    if network.has_ipv6 or any("ipv6" in u.attribute for u in network.unresolved):
        parts.append(_family(network, "ipv6", ephemeral, failed_open, touched))
    tiers = dict(parts[0].tiers)
    if len(parts) > 1:
        for tier, info in parts[1].tiers.items():
            base = tiers.get(tier, TierInfo([], "isolated"))
            tiers[tier] = replace(base, exposure_ipv6=info.exposure,
                                  ipv6_subnets=list(info.subnets),
                                  reasons=tuple(dict.fromkeys((*base.reasons, *info.reasons))))
        tiers = {t: tiers[t] for t in network.tiers if t in tiers}
    assumptions = [f"placement: {PLACEMENT_ASSUMPTION}",
                   f"ephemeral ports of clients and NAT gateways: {ephemeral[0]}-{ephemeral[1]}",
                   "IPv4 and IPv6 are analyzed apart (IPv6 where subnets have IPv6 blocks); "
                   "gateway-endpoint (prefix-list) routes reach AWS services, not an "
                   "endpoint here"]
    if network.interface_endpoints:
        assumptions.append(
            "aws:<service> is the service's interface endpoint in this VPC (its network "
            "interfaces and security groups); private DNS sends the service's name there")
    assumed = sorted({a for part in parts for a in part.assumed})
    if assumed:
        assumptions.append(f"{ASSUMED_TEXT}: {'; '.join(assumed)}")
    if failed_open is not None:
        assumptions.append(f"layer {failed_open} treated as failed open (allows everything)")
    proxied = []
    if network.load_balancers:  # a proxy: two connections (analyze/proxy.py)
        proxied = proxied_flows(network, lambda view: _analyze(view, ephemeral, failed_open))
        assumptions.append(
            "a load balancer is a proxy: what reaches a tier through it is listed apart "
            "(proxied), never as a direct path; its target groups may hold any host the "
            "load balancer's groups and ACLs let it reach on a target port")
    return Reachability(tiers, [f for part in parts for f in part.flows],
                        [w for part in parts for w in part.warnings],
                        list(network.unresolved), assumptions, endpoints, failed_open,
                        [u for part in parts for u in part.unknown], proxied, assumed)


@dataclass(frozen=True)
class _Part:
    """One address family's share of a Reachability."""

    tiers: dict[str, TierInfo]
    flows: list[Flow]
    unknown: list[UnknownFlow]
    warnings: list[str]
    assumed: set[str]


def _family(network: Network, family: AddressFamily, ephemeral: tuple[int, int],
            failed_open: Layer | None, unresolved: dict[tuple[str, str], list[str]]) -> _Part:
    model = Model(network, family)
    legs = Legs(model, routes_open=failed_open == "routes")
    evaluator = Evaluator(model, ephemeral, failed_open)
    tiers, warnings = exposures(Legs(model) if legs.routes_open else legs)
    warnings = model.warnings + warnings if family == "ipv4" else warnings
    found, loose = reach(legs, evaluator)
    for (src, dst), details in sorted(legs.details.items()):  # R15: domain lists
        if any(key[:2] == (src, dst) for key in found):
            warnings = [*warnings, *(f"{src} -> {dst} reachable {d}" for d in sorted(details))]
    unknown: dict[_FlowKey, tuple[PortSet, set[str]]] = {}
    if legs.unknowns:  # V8: what might pass through the routes not modelled, beyond the known
        maybe = Legs(model, routes_open=legs.routes_open, unknown_passes=True)
        possible, _ = reach(maybe, evaluator)
        for key, ports in possible.items():
            extra = ports - found.get(key, PortSet.empty())
            if extra:
                why = maybe.unknowns.get(key[:2]) or legs.unknowns.get(key[:2]) or {
                    "a route on the path is not modelled"}
                unknown[key] = (extra, set(why))
    # Unresolved wiring touches both families: it may hide IPv6 blocks as well (V7).
    touched = {pair: list(reasons) for pair, reasons in unresolved.items()}
    extra_pairs = [prefix_list_pairs(network, family), peer_pairs(network, family)]  # R11, S5
    if family == "ipv6":
        extra_pairs.append(undecided_ipv6_pairs(network))  # N4
    for more_pairs in extra_pairs:
        for pair, more in more_pairs.items():
            touched.setdefault(pair, []).extend(more)
    endpoints = [*network.tiers, *network.named_networks, INTERNET, *network.services]
    for service, reasons in model.uncertain.items():  # V10
        for other in endpoints:
            if other != service:
                touched.setdefault((other, service), []).extend(reasons)
                touched.setdefault((service, other), []).extend(reasons)
    for (src, dst), reasons in touched.items():
        for protocol in PROTOCOLS:
            _, why = unknown.get((src, dst, protocol), (PortSet.empty(), set()))
            unknown[(src, dst, protocol)] = (PortSet.full(), why | set(reasons))
    for key, (ports, _) in unknown.items():
        if key in found:
            found[key] = found[key] - ports
            if not found[key]:
                del found[key]
    label = "" if family == "ipv4" else " (IPv6)"
    texts: dict[int, str] = {}  # many return legs allow the very same port set object
    names: dict[str, str] = {}
    ephemeral_text = str(evaluator.ephemeral)
    partial: set[str] = set()
    for leg in loose:
        src, dst, proto, owner, egress, cidr, got = leg
        text = texts.get(id(got))
        if text is None:
            text = texts[id(got)] = str(got)
        name = names.get(owner)
        if name is None:
            name = names[owner] = model.nacl_name(owner)
        partial.add(f"{src} -> {dst} {proto}{label}: return leg through {name} "
                    f"({'outbound to' if egress else 'inbound from'} {cidr}) allows only "
                    f"{text} of the ephemeral range {ephemeral_text}")
    flows = [Flow(src, dst, protocol,  # type: ignore[arg-type]
                  None if protocol == "icmp" else ports, family)
             for (src, dst, protocol), ports in sorted(found.items())]
    unknowns = [UnknownFlow(src, dst, protocol, ports, tuple(sorted(why)),  # type: ignore[arg-type]
                            family)
                for (src, dst, protocol), (ports, why) in sorted(unknown.items(),
                                                                 key=lambda kv: kv[0])]
    return _Part(tiers, flows, unknowns, warnings + sorted(partial), set(legs.assumed))


def reach(legs: Legs, evaluator: Evaluator, *, share: bool = True
          ) -> tuple[dict[_FlowKey, PortSet], set[Partial]]:
    """Reachable ports per (src, dst, protocol) over every host-class pair, and the return
    legs allowing only part of the ephemeral range. ``share``: one half per peer view
    (_Halves); off, one per peer, the plainer method the equivalence test checks it by."""
    found: dict[_FlowKey, PortSet] = {}
    partial: set[Partial] = set()

    def add(flow: _FlowKey, ports: PortSet) -> None:
        found[flow] = found.get(flow, PortSet.empty()) | ports

    halves = _Halves(legs, evaluator) if share else None
    profiles: dict[Profile, list[Host]] = {}
    outside: list[list[Host]] = []
    for host in legs.model.hosts:
        if host.tier is None:
            outside.append([host])
        else:
            profiles.setdefault(host.profile, []).append(host)
    tiered = list(profiles.values())
    for senders in tiered:
        if senders[0].endpoint in legs.model.services:
            continue  # an interface endpoint never opens a connection (Legs.path)
        for receivers in tiered:
            _between(legs, evaluator, senders, receivers, senders is receivers, add, partial,
                     halves)
        for peer in outside:
            _between(legs, evaluator, senders, peer, False, add, partial, halves)
    for receivers in tiered:
        for peer in outside:
            if peer[0].endpoint in legs.model.services:
                continue  # a gateway endpoint's service never opens one either (R5)
            _between(legs, evaluator, peer, receivers, False, add, partial, halves)

    by_subnet: dict[str, list[Host]] = {}
    for host in legs.model.hosts:
        for subnet in host.subnets:
            by_subnet.setdefault(subnet, []).append(host)
    for members in by_subnet.values():  # A4: the paths inside one subnet
        for src in members:
            for dst in members:
                path = legs.inside(src, dst)
                if path is None:
                    continue
                for protocol, ports in zip(PROTOCOLS, evaluator.evaluate(path, partial),
                                           strict=True):
                    if ports:
                        add((src.endpoint, dst.endpoint, protocol), ports)
    return found, partial


_Reply = tuple[bool, tuple[tuple[str, bool, PortSet], ...]]
"""One protocol's reply check of a half: whether it passes, and its partial return legs
as (NACL id, egress, ephemeral ports allowed)."""
_Side = tuple[str | None, list[Host], Half, PerProtocol, "list[_Reply | None] | None"]
"""(subnet block, the peers the half stands for, the half, its ports, its reply checks per
protocol when shared and already made)."""


class _Halves:
    """The halves of one reach() run, one per profile and peer view (Model.peer_view):
    peers that a profile's layers cannot tell apart get the very same half, so it is built
    and evaluated (reply checks included) once for all of them, across every pair of
    profiles. A half whose route check is unknown is not shared: its reason names the peer
    (Legs._note); nor one whose route is a firewall endpoint or an appliance (R15, R9,
    east-west: its verdict depends on the peer's own route back, which the view does not
    hold)."""

    def __init__(self, legs: Legs, evaluator: Evaluator) -> None:
        self.legs = legs
        self.evaluator = evaluator
        self._views: dict[tuple[Profile, bool], dict[int, PeerView]] = {}
        self._canonical: dict[PeerView, PeerView] = {}
        # id(a list of peers) -> (the list, kept so that the id stays its own; its index)
        self._classes: dict[int, tuple[list[Host], PeerClass | None]] = {}
        self._halves: dict[tuple[bool, Profile, PeerView],
                           tuple[Half, PerProtocol | None, list[_Reply | None]]] = {}

    def sides(self, sender: bool, host: Host, peers: list[Host]) -> list[_Side]:
        """The halves at ``host``'s end (its sending or receiving one) facing ``peers``,
        grouped by view, with the ports they open (groups that open nothing left out)."""
        profile = host.profile
        found: list[_Side] = []
        canonical = self._canonical
        for view, members in self._groups(profile, sender, peers):
            view = canonical.setdefault(view, view)
            cache_key = (sender, profile, view)
            hit = self._halves.get(cache_key)
            if hit is None:
                half = self._half(sender, host, members[0])
                if any(check.unknown is not None or (check.route is not None and
                                                     check.route.kind in _PAIRWISE)
                       for check in half.routes) or any(
                        f.origin is not None for f in half.forward):  # R15: pair by pair
                    found.extend(self._one_by_one(sender, host, members))
                    continue
                hit = self._halves[cache_key] = (half, self.evaluator.opens(half),
                                                 [None, None, None])
            half, opened, replies = hit
            if opened is not None and any(opened):
                found.append((None, members, half, opened, replies))
        return found

    def _groups(self, profile: Profile, sender: bool, peers: list[Host]
                ) -> Iterable[tuple[PeerView, list[Host]]]:
        """``peers`` grouped by their view from ``profile``: by Model.peer_groups for the
        hosts of one endpoint (without peering, views hold no VPCs; not a gateway
        endpoint's, whose views hold routes: R5), else peer by peer."""
        model = self.legs.model
        known = self._classes.get(id(peers))
        if known is None:
            indexed = (model.peer_class(peers) if not model.network.peerings
                       and len({peer.endpoint for peer in peers}) == 1
                       and not any(peer.key in model.gateway_keys for peer in peers)
                       else None)
            known = self._classes[id(peers)] = (peers, indexed)
        if known[1] is not None:
            return model.peer_groups(profile, known[1], sender)
        views = self._views.get((profile, sender))
        if views is None:
            views = self._views[(profile, sender)] = {}
        groups: dict[PeerView, list[Host]] = {}
        for peer in peers:
            view = views.get(id(peer))
            if view is None:  # one object per distinct view: they are few, peers many
                view = views[id(peer)] = model.peer_view(profile, peer, sender)
            groups.setdefault(view, []).append(peer)
        return groups.items()

    def _half(self, sender: bool, host: Host, peer: Host) -> Half:
        return self.legs.sender(host, peer) if sender else self.legs.receiver(host, peer)

    def _one_by_one(self, sender: bool, host: Host, peers: list[Host]) -> list[_Side]:
        found: list[_Side] = []
        for peer in peers:
            half = self._half(sender, host, peer)
            opened = self.evaluator.opens(half)
            if opened is not None and any(opened):
                found.append((None, [peer], half, opened, None))
        return found


def _replied(evaluator: Evaluator, side: _Side, index: int, flow: _FlowKey,
             partial: set[Partial]) -> bool:
    """Evaluator.replies_pass for one side: for a shared half the check is made once (it
    depends on the half only) and a partial return leg is reported for each member's
    example block, as a pair loop would."""
    _, members, half, _, replies = side
    if replies is None:
        return evaluator.replies_pass((half,), index, flow, partial)
    reply = replies[index]
    if reply is None:  # every protocol's at once: the lookups are the same
        replies[:] = evaluator.reply_checks(half)
        reply = replies[index]
        assert reply is not None
    passed, loose = reply
    if loose:
        src, dst, protocol = flow
        for owner, egress, got in loose:
            partial.update([(src, dst, protocol, owner, egress, member.cidr, got)
                            for member in members])
    return passed


def _between(legs: Legs, evaluator: Evaluator, senders: list[Host], receivers: list[Host],
             same_profile: bool, add: Callable[[_FlowKey, PortSet], None],
             partial: set[Partial], halves: _Halves | None) -> None:
    """Every path from a class of ``senders`` (one profile) to one of ``receivers``
    (one profile) across a subnet boundary, by the union method (module docstring)."""

    def block(host: Host) -> str | None:
        # Legs.across: two classes of one block have no path across a subnet boundary.
        # Only classes of one profile can share a subnet (it has one tier, table, NACL).
        return sole_subnet(host) if same_profile else None

    sends: list[_Side]
    gets: list[_Side]
    # Two tiered profiles: the peers that one end cannot tell apart go together.
    grouped = (halves is not None and not same_profile and legs.checks(senders[0])
               and legs.checks(receivers[0]))
    if halves is not None and grouped:
        sends = halves.sides(True, senders[0], receivers)
    else:
        sends = []
        for d in receivers if legs.checks(senders[0]) else receivers[:1]:
            half = legs.sender(senders[0], d)
            opened = evaluator.opens(half)
            if opened is not None and any(opened):
                sends.append((block(d), [d], half, opened, None))
    if not sends:
        return
    if halves is not None and grouped and not any(side[2].nat_subnet for side in sends):
        gets = halves.sides(False, receivers[0], senders)
    else:
        gets = []
        # A NAT hop sees each sender (A5): then every sender counts, even with no receiver
        # legs.
        every = legs.checks(receivers[0]) or any(side[2].nat_subnet for side in sends)
        for s in senders if every else senders[:1]:
            half = legs.receiver(receivers[0], s)
            opened = evaluator.opens(half)
            if opened is not None and any(opened):
                gets.append((block(s), [s], half, opened, None))
    if not gets:
        return
    flows = [(senders[0].endpoint, receivers[0].endpoint, protocol) for protocol in PROTOCOLS]
    for b, ds, half, opened, _ in sends:
        if half.nat_subnet is None:
            continue
        for c, ss, back, theirs, _ in gets:  # A5: the NAT subnet's NACL sees each sender
            if b is not None and b == c:
                continue
            for d in ds:
                for s in ss:
                    path = legs.join(s, d, half, back)
                    known = ((opened if h is half else theirs if h is back
                              else evaluator.opens(h)) for h in path.halves)
                    for flow, ports in zip(flows, evaluator.evaluate(path, partial, known),
                                           strict=True):
                        if ports:
                            add(flow, ports)
    direct = [side for side in sends if side[2].nat_subnet is None]
    if not same_profile:  # no block to leave out: every sender pairs with every receiver
        _combine(evaluator, direct, gets, flows, add, partial)
        return
    for k, flow in enumerate(flows):
        sent = [(side[0], side[3][k], side) for side in direct if side[3][k]]
        got = [(side[0], side[3][k], side) for side in gets if side[3][k]]
        if not sent or not got:
            continue
        # Many peers get the very same port set object (Evaluator.meet): the set operations
        # below are done once per (block, port set), the reply checks once per host class.
        sendable = _unions_outside((b, ports) for b, ports, _ in sent)
        overlaps: dict[tuple[str | None, int], bool] = {}
        replied = []
        for c, ports, side in got:
            mark = (c, id(ports))
            overlap = overlaps.get(mark)
            if overlap is None:
                overlap = overlaps[mark] = bool(ports & sendable(c))
            # The receiver's return filters, for the senders that have a partner (A3).
            if overlap and _replied(evaluator, side, k, flow, partial):
                replied.append((c, ports))
        receivable = _unions_outside(replied)
        meets: dict[tuple[str | None, int], PortSet] = {}
        reached: dict[int, PortSet] = {}
        for b, ports, side in sent:
            mark = (b, id(ports))
            both = meets.get(mark)
            if both is None:
                both = meets[mark] = ports & receivable(b)
            if both and _replied(evaluator, side, k, flow, partial):
                reached[id(both)] = both
        for both in reached.values():
            add(flow, both)


def _combine(evaluator: Evaluator, sends: list[_Side], gets: list[_Side],
             flows: Sequence[_FlowKey], add: Callable[[_FlowKey, PortSet], None],
             partial: set[Partial]) -> None:
    """_between's unions per protocol when no two sides share a block (two profiles): the
    same steps without the "all but one block" unions, each set operation once per port
    set object."""
    empty = PortSet.empty()
    for k, flow in enumerate(flows):
        sendable = empty
        seen: set[int] = set()
        for side in sends:
            ports = side[3][k]
            if ports and id(ports) not in seen:
                seen.add(id(ports))
                sendable = sendable | ports
        if not sendable:
            continue
        receivable = empty
        overlaps: dict[int, bool] = {}
        seen = set()
        for side in gets:
            ports = side[3][k]
            if not ports:
                continue
            mark = id(ports)
            overlap = overlaps.get(mark)
            if overlap is None:
                overlap = overlaps[mark] = bool(ports & sendable)
            # The receiver's return filters, for the senders that have a partner (A3).
            if overlap and _replied(evaluator, side, k, flow, partial) and mark not in seen:
                seen.add(mark)
                receivable = receivable | ports
        if not receivable:
            continue
        meets: dict[int, PortSet] = {}
        reached: dict[int, PortSet] = {}
        for side in sends:
            ports = side[3][k]
            if not ports:
                continue
            both = meets.get(id(ports))
            if both is None:
                both = meets[id(ports)] = ports & receivable
            if both and _replied(evaluator, side, k, flow, partial):
                reached[id(both)] = both
        for both in reached.values():
            add(flow, both)


def _unions_outside(items: Iterable[tuple[str | None, PortSet]]) -> Callable[[str | None],
                                                                             PortSet]:
    """The union of the port sets, leaving out those of one block (a subnet) on request.

    A host in block ``b`` pairs with every item outside ``b``; items of block None pair
    with everything. Prefix and suffix unions over the blocks give each "all but one
    block" union in linear time."""
    empty = PortSet.empty()
    free = empty
    by_block: dict[str, PortSet] = {}
    seen: set[tuple[str | None, int]] = set()
    for block, ports in items:
        mark = (block, id(ports))  # the same port set object twice adds nothing
        if mark in seen:
            continue
        seen.add(mark)
        if block is None:
            free = free | ports
        else:
            by_block[block] = by_block.get(block, empty) | ports
    parts = list(by_block.values())
    prefix = [empty]
    for ports in parts:
        prefix.append(prefix[-1] | ports)
    total = free | prefix[-1]
    if not by_block:
        return lambda block: total
    suffix = [empty] * (len(parts) + 1)
    for index in range(len(parts) - 1, -1, -1):
        suffix[index] = suffix[index + 1] | parts[index]
    outside = {block: free | prefix[index] | suffix[index + 1]
               for index, block in enumerate(by_block)}
    return lambda block: outside.get(block, total) if block is not None else total
