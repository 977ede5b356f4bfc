"""Subnet CIDRs for every tier: explicit ``cidrs`` as written, ``netmask`` tiers allocated.

Why a fixed rule: a subnet whose CIDR changes is replaced by Terraform, and with it
everything inside. So the allocation must keep existing subnets where they are when
the blueprint grows at the end.

The rule (deterministic, depends only on the blueprint):

1. Tiers are visited in the order they are written in ``tiers``.
2. A tier with explicit ``cidrs`` gets them in order: ``cidrs[i]`` is the subnet in
   ``availability_zones[i]``. Its CIDRs are *taken* from then on.
3. A tier with ``netmask: n`` reserves one aligned *block* for ``SLOTS`` subnets of
   size ``/n`` inside its VPC block (``block``: the primary CIDR by default, or one of
   ``vpc.secondary_cidrs``; "the VPC" below means that block): ``SLOTS`` is 4, or the
   next power of two when more availability zones are listed; the block is
   ``/(n - log2(SLOTS))``, but never larger than the VPC (then the block is the VPC
   itself and holds fewer slots). The block is the first one, in address order inside
   the VPC, that overlaps nothing taken so far.
   Subnet ``i`` of the tier (the one in ``availability_zones[i]``) is slot ``i`` of
   the block. The block is taken from then on, used slots or not.

Dedicated subnets (the /28s of a transit gateway attachment, of Network Firewall endpoints)
follow one rule of their own: purpose ``k`` (its place in ``DEDICATED``) takes the
``k``-th aligned block from the *top* of the VPC, ``/28`` slots for ``SLOTS`` zones
(``/26`` for 4). It depends on the VPC CIDR and the zone count only, so no tier and no
other purpose moves it, and it moves nothing: the checks refuse a tier that overlaps it
(tiers are placed from the bottom, so that happens only in a nearly full VPC).

An IPv6-only tier (``ipv6_only``) has no IPv4 subnets: with neither ``cidrs`` nor
``netmask`` it takes no space at all; with one of them, it reserves that space exactly as
above, unused, so that turning an existing tier IPv6-only moves no tier after it (its
subnets are replaced anyway: AWS cannot make a subnet IPv6-only in place).

Consequences: appending a tier at the end of ``tiers`` or an availability zone at the
end of ``availability_zones`` (up to 4 zones) moves no existing subnet. Growing past
4 zones doubles the slots and moves the tier's block: start with more zones listed
(or explicit ``cidrs``) when a VPC may grow that far. An explicit tier listed *after*
a netmask tier must not overlap that tier's block; the checks report it (reordering
would move subnets, so Tierform refuses instead of guessing). A tier that does not
fit is left out of the result and reported by ``tierform.blueprint.checks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network

from tierform.blueprint.model import Blueprint

__all__ = ["DEDICATED", "DEDICATED_NETMASK", "MIN_SLOTS", "Allocation", "Reservation",
           "allocate", "allocate_subnets", "dedicated_block", "dedicated_subnets",
           "slot_count"]

DEDICATED = ("transit", "firewall")
"""Purposes of dedicated subnets, in the order their blocks are taken from the VPC's top."""
DEDICATED_NETMASK = 28

MIN_SLOTS = 4
"""Subnet slots reserved per netmask tier (per availability zone, rounded up to a power of two)."""


@dataclass(frozen=True)
class Reservation:
    """Address space a tier holds: its explicit CIDRs, or the block of a netmask tier."""

    tier: str
    network: IPv4Network
    explicit: bool


@dataclass
class Allocation:
    """Result of the allocator: subnets per tier and AZ, what each tier reserved, what failed."""

    subnets: dict[str, dict[str, IPv4Network]] = field(default_factory=dict)
    reservations: list[Reservation] = field(default_factory=list)
    unplaced: dict[str, str] = field(default_factory=dict)
    """tier -> why it could not be allocated (message for a finding)."""


def slot_count(zone_count: int) -> int:
    """Slots per netmask block: ``MIN_SLOTS`` or the next power of two above ``zone_count``."""
    slots = MIN_SLOTS
    while slots < zone_count:
        slots *= 2
    return slots


def allocate(bp: Blueprint) -> Allocation:
    """Apply the module's rule to every tier; never raises for a bad blueprint."""
    result = Allocation()
    zones = list(bp.availability_zones)
    vpc = bp.vpc.cidr
    taken: list[IPv4Network] = []
    for name, tier in bp.tiers.items():
        if tier.cidrs is not None:
            result.subnets[name] = dict(zip(zones, tier.cidrs, strict=False))
            for cidr in tier.cidrs:
                result.reservations.append(Reservation(name, cidr, explicit=True))
                taken.append(cidr)
            continue
        if tier.netmask is None:
            if tier.ipv6_only:
                continue  # IPv6-only: no IPv4 space asked for, none taken
            result.unplaced[name] = "the tier gives neither 'cidrs' nor 'netmask'"
            continue
        netmask = tier.netmask
        if netmask < vpc.prefixlen:
            result.unplaced[name] = (
                f"netmask /{netmask} is larger than the VPC {vpc} itself"
            )
            continue
        slots = slot_count(len(zones))
        block_prefix = max(netmask - (slots.bit_length() - 1), vpc.prefixlen)
        capacity = 2 ** (netmask - block_prefix)
        if capacity < len(zones):
            result.unplaced[name] = (
                f"the VPC {vpc} holds only {capacity} subnet(s) of /{netmask}, "
                f"{len(zones)} availability zones need one each"
            )
            continue
        within = tier.block if tier.block is not None else vpc
        if within not in (vpc, *bp.vpc.secondary_cidrs):
            result.unplaced[name] = f"block {within} is not one of the VPC's CIDRs"
            continue
        block_prefix = max(block_prefix, within.prefixlen)
        capacity = 2 ** (netmask - block_prefix) if netmask >= within.prefixlen else 0
        if capacity < len(zones):
            result.unplaced[name] = (f"the block {within} holds only {capacity} "
                                     f"subnet(s) of /{netmask}, {len(zones)} availability "
                                     "zones need one each")
            continue
        block = _first_free_block(within, block_prefix, taken)
        if block is None:
            result.unplaced[name] = (
                f"no free /{block_prefix} block left in the VPC {vpc} for {slots} slots of "
                f"/{netmask} (space already taken by the tiers before it)"
            )
            continue
        taken.append(block)
        result.reservations.append(Reservation(name, block, explicit=False))
        size = 2 ** (32 - netmask)
        result.subnets[name] = {
            zone: IPv4Network((int(block.network_address) + index * size, netmask))
            for index, zone in enumerate(zones)
        }
    return result


def allocate_subnets(bp: Blueprint) -> dict[str, dict[str, IPv4Network]]:
    """tier -> availability zone -> subnet CIDR, for every tier that could be placed."""
    return allocate(bp).subnets


def _first_free_block(
    vpc: IPv4Network, prefix: int, taken: list[IPv4Network]
) -> IPv4Network | None:
    for candidate in vpc.subnets(new_prefix=prefix):
        if not any(candidate.overlaps(other) for other in taken):
            return candidate
    return None


def dedicated_block(bp: Blueprint, purpose: str) -> IPv4Network | None:
    """The block of a purpose's dedicated subnets (module docstring); None: no room."""
    vpc = bp.vpc.cidr
    slots = slot_count(len(bp.availability_zones))
    prefix = max(DEDICATED_NETMASK - (slots.bit_length() - 1), vpc.prefixlen)
    if 2 ** (DEDICATED_NETMASK - prefix) < len(bp.availability_zones):
        return None
    size = 2 ** (32 - prefix)
    index = DEDICATED.index(purpose)
    start = int(vpc.broadcast_address) + 1 - (index + 1) * size
    if start < int(vpc.network_address):
        return None
    return IPv4Network((start, prefix))


def dedicated_subnets(bp: Blueprint, purpose: str) -> dict[str, IPv4Network]:
    """Availability zone -> the purpose's /28 there (slot ``i`` for zone ``i``); empty when
    the VPC has no room (reported by the checks)."""
    block = dedicated_block(bp, purpose)
    if block is None:
        return {}
    size = 2 ** (32 - DEDICATED_NETMASK)
    return {zone: IPv4Network((int(block.network_address) + i * size, DEDICATED_NETMASK))
            for i, zone in enumerate(bp.availability_zones)}
