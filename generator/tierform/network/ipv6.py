"""IPv6 prefixes, concrete or symbolic: what the readers record for a VPC's and a subnet's
IPv6 block, and how the analyzer decides containment without addresses.

An Amazon-provided IPv6 block is a /56 chosen by AWS at apply time: in a plan it is unknown.
The configuration still says which part of it a subnet takes
(``cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 3)``), so the readers record it as a
*symbolic* prefix: "subnet 3 of /64 inside the /56 named ``aws_vpc.main.ipv6_cidr_block``".
Its text is that Terraform expression, normalised (nested ``cidrsubnet`` folded into one),
and :func:`parse_ipv6` reads it back. Two prefixes of the same base compare exactly;
``::/0`` contains every prefix; any other concrete prefix against a symbolic one is
undecided (None): the analyzer makes what depends on it unknown (docs/network-semantics.md
N4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv6Network, ip_network

__all__ = [
    "AMAZON_PREFIXLEN",
    "Ipv6Prefix",
    "contains",
    "is_symbolic",
    "never_a_vpc_block",
    "overlaps",
    "parse_ipv6",
    "symbolic_base",
]

AMAZON_PREFIXLEN = 56
"""An Amazon-provided VPC IPv6 block is always a /56."""

_BITS = 128
_SYMBOL = r"[A-Za-z0-9_.\[\]\"/:-]+?\.ipv6_cidr_block"
_SUBNET = re.compile(rf"^cidrsubnet\(({_SYMBOL}), (\d+), (\d+)\)$")
_BASE = re.compile(rf"^({_SYMBOL})$")


@dataclass(frozen=True)
class Ipv6Prefix:
    """``base`` None: a concrete prefix (``address`` its network address); else the symbol
    of an unknown /56 and ``address`` the offset inside it. ``prefixlen`` is absolute."""

    base: str | None
    address: int
    prefixlen: int

    @property
    def text(self) -> str:
        if self.base is None:
            return str(IPv6Network((self.address, self.prefixlen)))
        if self.prefixlen == AMAZON_PREFIXLEN:
            return self.base
        newbits = self.prefixlen - AMAZON_PREFIXLEN
        return f"cidrsubnet({self.base}, {newbits}, {self.address >> (_BITS - self.prefixlen)})"

    def subnet(self, newbits: int, netnum: int) -> Ipv6Prefix:
        """``cidrsubnet(self, newbits, netnum)``, as Terraform computes it."""
        length = self.prefixlen + newbits
        if newbits < 0 or length > _BITS or not 0 <= netnum < 2 ** newbits:
            raise ValueError(f"cidrsubnet: {netnum} does not fit in {newbits} new bits")
        return Ipv6Prefix(self.base, self.address + (netnum << (_BITS - length)), length)

    def placed(self, anchors: dict[str, int]) -> IPv6Network:
        """A concrete network standing for this prefix, with each base at ``anchors[base]``."""
        start = self.address if self.base is None else anchors[self.base] + self.address
        return IPv6Network((start, self.prefixlen))


def symbolic_base(symbol: str) -> str:
    """The text of an unknown Amazon-provided block named by ``<vpc address>.ipv6_cidr_block``."""
    return symbol if symbol.endswith(".ipv6_cidr_block") else f"{symbol}.ipv6_cidr_block"


def parse_ipv6(text: str | None) -> Ipv6Prefix | None:
    """A concrete IPv6 CIDR or a symbolic prefix; IPv4, prefix lists and junk -> None."""
    if not text:
        return None
    match = _SUBNET.match(text)
    if match:
        base = Ipv6Prefix(match.group(1), 0, AMAZON_PREFIXLEN)
        try:
            return base.subnet(int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    if _BASE.match(text):
        return Ipv6Prefix(text, 0, AMAZON_PREFIXLEN)
    try:
        net = ip_network(text, strict=False)
    except ValueError:
        return None
    if not isinstance(net, IPv6Network):
        return None
    return Ipv6Prefix(None, int(net.network_address), net.prefixlen)


def is_symbolic(text: str | None) -> bool:
    found = parse_ipv6(text)
    return found is not None and found.base is not None


_RESERVED = Ipv6Prefix(None, 0, 8)
"""``::/8``, reserved by the IETF (it holds ``::ffff:0:0/96`` and NAT64's ``64:ff9b::/96``):
no VPC IPv6 block lies there, Amazon-provided (global unicast), BYOIP (publicly routable)
or from an IPAM pool (global unicast or unique local, ``fc00::/7``)."""


def never_a_vpc_block(prefix: Ipv6Prefix) -> bool:
    """A concrete prefix wholly inside ``::/8``: disjoint from every VPC IPv6 block, an
    unknown one too, so it can be placed against a symbolic block (N4)."""
    return prefix.base is None and _inside(_RESERVED, prefix)


def _inside(outer: Ipv6Prefix, inner: Ipv6Prefix) -> bool:
    if inner.prefixlen < outer.prefixlen:
        return False
    shift = _BITS - outer.prefixlen
    return inner.address >> shift == outer.address >> shift


def contains(outer: Ipv6Prefix, inner: Ipv6Prefix) -> bool | None:
    """Whether ``outer`` holds every address of ``inner``; None when it cannot be told
    (a concrete prefix other than ``::/0`` against an unknown block, or two bases)."""
    if outer.base == inner.base:
        return _inside(outer, inner)
    if outer.base is None and outer.prefixlen == 0:
        return True
    if never_a_vpc_block(outer) or never_a_vpc_block(inner):
        return False  # one is symbolic (a VPC's block), the other reserved
    return None


def overlaps(a: Ipv6Prefix, b: Ipv6Prefix) -> bool | None:
    """Whether two prefixes share an address; None when it cannot be told."""
    if a.base == b.base:
        return _inside(a, b) or _inside(b, a)
    if (a.base is None and a.prefixlen == 0) or (b.base is None and b.prefixlen == 0):
        return True
    if never_a_vpc_block(a) or never_a_vpc_block(b):
        return False
    return None
