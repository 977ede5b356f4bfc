"""The blueprint's intent as flow-log rules: where each address belongs (the layout's
subnets, the named networks, NAT gateways' own addresses, the IPv6 blocks AWS chose) and
which flows are allowed."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network

from tierform.layout import Layout
from tierform.logs.rules import Block6, Rules

__all__ = ["nat_tiers", "rules_of"]


def nat_tiers(layout: Layout) -> tuple[str, ...]:
    """Tiers whose default route goes through a NAT gateway."""
    return tuple(dict.fromkeys(s.tier for s in layout.subnets if s.default_route == "nat"))


def rules_of(layout: Layout, nat_addresses: Sequence[IPv4Address] = (),
             blocks6: Sequence[Block6] = ()) -> Rules:
    """The classification rules of a laid-out blueprint. ``nat_addresses``: the private
    addresses of its NAT gateways (not in the blueprint: from a state, the console or
    ``aws ec2 describe-nat-gateways``); without them a NAT gateway's translated leg reads
    as its public tier talking to the internet. ``blocks6``: the VPC's and its tier subnets'
    IPv6 blocks (Amazon's choice, read from a state or the API); without them IPv6 records
    are unmapped."""
    bp = layout.blueprint
    tiers: dict[str, list[IPv4Network]] = {}
    for subnet in layout.subnets:
        tiers.setdefault(subnet.tier, []).append(subnet.cidr)
    # A block tagged with a tier the blueprint lacks is the VPC's, in no tier (unmapped).
    placed = [b if b.endpoint in tiers else Block6(b.network, None) for b in blocks6]
    flows = [(f.flow_id, f.src, f.dst, f.protocol, tuple(f.port_ranges())) for f in bp.flows]
    return Rules.build(vpc=bp.vpc.cidr,
                       tiers=tiers,
                       networks=dict(bp.network_cidrs), flows=flows, nat_tiers=nat_tiers(layout),
                       nat_addresses=nat_addresses, blocks6=placed)
