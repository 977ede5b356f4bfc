"""Address atoms: IPv4 cut into blocks whose addresses every rule treats alike.

Each CIDR that appears anywhere (VPC, subnets, routes, NACL entries, group rules, named
networks), minus the CIDRs nested in it, is an atom when something is left. Every address
of an atom matches exactly the same routes and rules, so evaluating one atom per class is
exact, and partial overlaps (a rule for 10.0.1.0/25 against the subnet 10.0.1.0/24) come
out right. CIDRs are kept as ``(address as int, prefix length)``: cheaper than IPv4Network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Network, ip_network

__all__ = ["Atom", "Net", "as_net", "atoms", "cidr_text"]

Net = tuple[int, int]
"""An IPv4 CIDR as (network address as int, prefix length)."""


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


def _mask(prefixlen: int) -> int:
    return (0xFFFFFFFF << (32 - prefixlen)) & 0xFFFFFFFF


@dataclass(frozen=True)
class Atom:
    node: Net
    chain: tuple[Net, ...]
    """Every CIDR containing the atom, most specific first (``node`` itself first)."""


def atoms(cidrs: Iterable[Net]) -> list[Atom]:
    """Cut IPv4 into atoms: each CIDR (and 0.0.0.0/0) minus its nested CIDRs, when
    something is left."""
    nodes = sorted(set(cidrs) | {(0, 0)}, key=lambda n: (n[1], n[0]))
    present = set(nodes)
    parent: dict[Net, Net | None] = {}
    covered: dict[Net, int] = dict.fromkeys(nodes, 0)
    for node in nodes:
        addr, plen = node
        parent[node] = None
        for q in range(plen - 1, -1, -1):
            sup = (addr & _mask(q), q)
            if sup in present:
                parent[node] = sup
                covered[sup] += 1 << (32 - plen)
                break
    found: list[Atom] = []
    chains: dict[Net, tuple[Net, ...]] = {}
    for node in nodes:
        up = parent[node]
        chains[node] = (node, *(chains[up] if up is not None else ()))
        if (1 << (32 - node[1])) > covered[node]:
            found.append(Atom(node, chains[node]))
    return found
