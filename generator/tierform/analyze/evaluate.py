"""What the legs let through: ports per protocol for a filter, a half, a whole path.

A path is reachable on a port when every route check passes, every forward filter allows
the port, and every return filter lets the reply through to the client's ephemeral ports
(A3), checked in the order the reply crosses them (Path.back); a return leg allowing only
part of the ephemeral range is a warning. Forward ports are an intersection and no gate
depends on ports, so a path's ports are its halves' ports combined (meet): the matrix
relies on that (matrix.py). A filter layer treated as failed open allows everything.
docs/network-semantics.md A2-A3, S1.
"""

from __future__ import annotations

from collections.abc import Iterable

from tierform.analyze.compile import ALL, NONE, Host, Model, PerProtocol
from tierform.analyze.legs import Filter, Half, Path
from tierform.analyze.results import Layer
from tierform.aws import PROTOCOLS
from tierform.ports import PortSet

__all__ = ["Evaluator", "Partial"]

Partial = tuple[str, str, str, str, bool, str, PortSet]
"""A return leg allowing only part of the ephemeral range: (src, dst, protocol, NACL id,
egress, the peer's example block, the ephemeral ports it allows)."""


class Evaluator:
    """Evaluates legs over one compiled network; ``failed_open`` names a filter layer
    that allows everything (a failed-open route layer is Legs(routes_open=True))."""

    def __init__(self, model: Model, ephemeral: tuple[int, int],
                 failed_open: Layer | None = None) -> None:
        self.model = model
        self.failed_open = failed_open
        self.ephemeral = PortSet.range(*ephemeral)
        self._ephemeral: PerProtocol = (self.ephemeral,) * 3
        self._replies: dict[tuple[str, str, bool, int, str], PerProtocol] = {}
        self._meets: dict[tuple[int, int], tuple[PerProtocol, PerProtocol, PerProtocol]] = {}
        self._firewalls: dict[tuple[str, int, int, bool], PerProtocol] = {}

    def allows(self, filt: Filter, peer: Host) -> PerProtocol:
        """The destination ports one filter lets through to or from ``peer``, per protocol."""
        if filt.layer == self.failed_open:
            return ALL
        if filt.layer == "firewall":  # R15: it sees both addresses
            origin = filt.origin if filt.origin is not None else peer
            # egress: the origin sends to the peer; else the peer sends to the origin
            src, dst = (origin, peer) if filt.egress else (peer, origin)
            cache_key = (filt.owner, src.key, dst.key, filt.optimistic)
            found = self._firewalls.get(cache_key)
            if found is None:
                verdict = self.model.firewall(filt.owner, src.key, dst.key)
                found = self._firewalls[cache_key] = (
                    (verdict.passed[0] | verdict.unknown[0],
                     verdict.passed[1] | verdict.unknown[1],
                     verdict.passed[2] | verdict.unknown[2]) if filt.optimistic
                    else (verdict.passed[0], verdict.passed[1], verdict.passed[2]))
            return found
        if filt.layer == "nacls":  # a hop's NACL may face the other end (origin, R15)
            target = filt.origin if filt.origin is not None else peer
            return self.model.nacl_ports(filt.owner or None, filt.egress, target.key)
        return self.model.sg_ports(filt.owner, filt.egress, peer.key, peer.endpoint)

    def reply(self, filt: Filter, peer: Host) -> PerProtocol:
        """A3: the client's ephemeral ports a return filter lets the reply through to."""
        if filt.origin is not None:
            peer = filt.origin
        cache_key = (filt.layer, filt.owner, filt.egress, peer.key, peer.endpoint)
        got = self._replies.get(cache_key)
        if got is None:
            got = self._replies[cache_key] = self.meet(self.allows(filt, peer), self._ephemeral)
        return got

    def replies_pass(self, halves: Iterable[Half], index: int, flow: tuple[str, str, str],
                     partial: set[Partial]) -> bool:
        """Whether the reply gets through the return filters of ``halves`` (in the order
        given, up to the first that blocks it); the ones allowing part of the range go
        into ``partial``."""
        for half in halves:
            peer = half.peer
            for filt in half.replies:
                got = self.reply(filt, peer)[index]
                if not got:
                    return False
                if got != self.ephemeral:
                    partial.add((*flow, filt.owner, filt.egress, peer.cidr, got))
        return True

    def reply_checks(self, half: Half) -> list[tuple[bool, tuple[tuple[str, bool, PortSet], ...]]]:
        """replies_pass for one half and every protocol at once (tcp, udp, icmp): whether
        the reply passes, and the return legs allowing part of the range before the first
        that blocks it, as (NACL id, egress, ephemeral ports allowed)."""
        peer = half.peer
        filters = half.replies
        got = [self.reply(filt, peer) for filt in filters]
        ephemeral = self.ephemeral
        found = []
        for index in (0, 1, 2):
            passed = True
            loose: list[tuple[str, bool, PortSet]] = []
            for filt, ports in zip(filters, got, strict=True):
                allowed = ports[index]
                if not allowed:
                    passed = False
                    break
                if allowed != ephemeral:
                    loose.append((filt.owner, filt.egress, allowed))
            found.append((passed, tuple(dict.fromkeys(loose))))
        return found

    def opens(self, half: Half) -> PerProtocol | None:
        """The forward ports one half lets through per protocol; None when one of its
        route checks fails."""
        for check in half.routes:
            if not check.ok:
                return None
        forward = half.forward
        if not forward:
            return ALL
        peer = half.peer
        opened = self.allows(forward[0], peer)
        for filt in forward[1:]:
            opened = self.meet(opened, self.allows(filt, peer))
        return opened

    def combine(self, opened: Iterable[PerProtocol | None]) -> PerProtocol | None:
        """The forward ports of halves put together (their opens()), per protocol; None
        when a route check of one of them fails."""
        found = ALL
        for ports in opened:
            if ports is None:
                return None
            found = self.meet(found, ports)
        return found

    def meet(self, a: PerProtocol, b: PerProtocol) -> PerProtocol:
        """``a & b`` per protocol. Memoized by identity: lookups return the same tuples
        for the same views, so few distinct pairs meet (and the operands are kept with the
        result, so an id is never reused); equal results come out as one object, which
        lets the matrix skip repeated port sets."""
        if a is ALL:
            return b
        if b is ALL:
            return a
        key = (id(a), id(b))
        hit = self._meets.get(key)
        if hit is None:
            hit = self._meets[key] = (a, b, self.model.intern(
                (a[0] & b[0], a[1] & b[1], a[2] & b[2])))
        return hit[2]

    def evaluate(self, path: Path, partial: set[Partial] | None = None,
                 opened: Iterable[PerProtocol | None] | None = None) -> PerProtocol:
        """Reachable destination ports of one path per protocol: its halves' forward ports
        combined, where the reply gets back (return filters allowing part of the range go
        into ``partial``). ``opened``: the halves' opens(), when the caller has them."""
        forward = self.combine((self.opens(half) for half in path.halves)
                               if opened is None else opened)
        if forward is None:
            return NONE
        sink: set[Partial] = set() if partial is None else partial
        found = []
        for index, protocol in enumerate(PROTOCOLS):
            flow = (path.src.endpoint, path.dst.endpoint, protocol)
            ports = forward[index]
            found.append(ports if ports and self.replies_pass(path.back, index, flow, sink)
                         else PortSet.empty())
        return found[0], found[1], found[2]
