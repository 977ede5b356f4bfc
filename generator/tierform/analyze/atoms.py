"""Address atoms: one address family cut into blocks whose addresses every rule treats alike.

Each CIDR that appears anywhere (VPC, subnets, routes, NACL entries, group rules, named
networks), minus the CIDRs nested in it, is an atom when something is left. Every address
of an atom matches exactly the same routes and rules, so evaluating one atom per class is
exact, and partial overlaps (a rule for 10.0.1.0/25 against the subnet 10.0.1.0/24) come
out right. CIDRs are kept as ``(address as int, prefix length)``: cheaper than IPv4Network.
IPv4 and IPv6 are separate spaces (:class:`Space`); an IPv6 block unknown at plan time
(a symbolic prefix, ``network/ipv6.py``) is placed at a stand-in address disjoint from
every concrete prefix of the input (N4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network

from tierform.aws import AddressFamily
from tierform.network.ipv6 import AMAZON_PREFIXLEN, Ipv6Prefix, overlaps, parse_ipv6

__all__ = ["Atom", "Net", "Space", "as_net", "atoms", "cidr_text"]

Net = tuple[int, int]
"""A CIDR of one family as (network address as int, prefix length)."""


def as_net(value: IPv4Network | str | None) -> Net | None:
    """IPv4 CIDR -> (int, prefixlen); IPv6, prefix lists and junk -> None (no IPv4 match)."""
    if value is None:
        return None
    if isinstance(value, IPv4Network):
        net: IPv4Network = value
    else:
        try:
            parsed = ip_network(value, strict=False)
        except ValueError:
            return None
        if not isinstance(parsed, IPv4Network):
            return None
        net = parsed
    return (int(net.network_address), net.prefixlen)


def cidr_text(net: Net) -> str:
    return str(IPv4Network(net))


class Space:
    """How one address family's CIDR texts become Nets: IPv4 as they are; IPv6 concrete
    or symbolic, each symbolic base at its stand-in ``anchors[base]``."""

    def __init__(self, family: AddressFamily, texts: Iterable[str] = ()) -> None:
        self.family = family
        self.bits = 32 if family == "ipv4" else 128
        self.anchors: dict[str, int] = {}
        self._nets: dict[IPv4Network | str | None, Net | None] = {}
        if family == "ipv6":
            prefixes = [p for p in map(parse_ipv6, texts) if p is not None]
            concrete = [p for p in prefixes if p.base is None and p.prefixlen > 0]
            candidate = 1
            for base in sorted({p.base for p in prefixes if p.base is not None}):
                # A stand-in /56 that no concrete prefix of the input touches.
                while any(overlaps(Ipv6Prefix(None, candidate << 72, AMAZON_PREFIXLEN), c)
                          for c in concrete):
                    candidate += 1
                self.anchors[base] = candidate << 72
                candidate += 1

    def net(self, value: IPv4Network | str | None) -> Net | None:
        """The Net of a CIDR text of this family; other families and junk -> None. Memoized:
        rules name the same few blocks again and again, and parsing is the slow part."""
        try:
            return self._nets[value]
        except KeyError:
            found = self._nets[value] = self._parse(value)
            return found

    def _parse(self, value: IPv4Network | str | None) -> Net | None:
        if self.family == "ipv4":
            return as_net(value)
        if value is None or isinstance(value, IPv4Network):
            return None
        prefix = parse_ipv6(value)
        if prefix is None or (prefix.base is not None and prefix.base not in self.anchors):
            return None
        placed = prefix.placed(self.anchors)
        return (int(placed.network_address), placed.prefixlen)

    def text(self, net: Net) -> str:
        """A Net in words; a stand-in for a symbolic block is named by its symbol."""
        if self.family == "ipv4":
            return cidr_text(net)
        for base, anchor in self.anchors.items():
            if net[1] >= AMAZON_PREFIXLEN and net[0] >> 72 == anchor >> 72:
                return Ipv6Prefix(base, net[0] - anchor, net[1]).text
        return str(IPv6Network(net))


@dataclass(frozen=True)
class Atom:
    node: Net
    chain: tuple[Net, ...]
    """Every CIDR containing the atom, most specific first (``node`` itself first)."""


def atoms(cidrs: Iterable[Net], bits: int = 32) -> list[Atom]:
    """Cut one family's space (``bits`` wide) into atoms: each CIDR (and the whole space)
    minus its nested CIDRs, when something is left."""
    full = (1 << bits) - 1
    nodes = sorted(set(cidrs) | {(0, 0)}, key=lambda n: (n[1], n[0]))
    present = set(nodes)
    parent: dict[Net, Net | None] = {}
    covered: dict[Net, int] = dict.fromkeys(nodes, 0)
    for node in nodes:
        addr, plen = node
        parent[node] = None
        for q in range(plen - 1, -1, -1):
            sup = (addr & ((full << (bits - q)) & full), q)
            if sup in present:
                parent[node] = sup
                covered[sup] += 1 << (bits - plen)
                break
    found: list[Atom] = []
    chains: dict[Net, tuple[Net, ...]] = {}
    for node in nodes:
        up = parent[node]
        chains[node] = (node, *(chains[up] if up is not None else ()))
        if (1 << (bits - node[1])) > covered[node]:
            found.append(Atom(node, chains[node]))
    return found
