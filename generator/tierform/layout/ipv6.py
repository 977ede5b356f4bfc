"""Dual-stack addressing: which /64 of the VPC's Amazon-provided /56 each subnet takes.

The /56 is chosen by AWS at apply time, so the module (and the layout) name blocks by
expression, never by address: subnet ``k`` is ``cidrsubnet(aws_vpc.this.ipv6_cidr_block,
8, k)`` and the analyzer reads that symbolically (``tierform.network.ipv6``).

The index rule (stable, like the IPv4 allocator's): the tier at position ``t`` of
``tiers`` reserves the ``TIER_SLOTS`` consecutive /64s from ``k = TIER_SLOTS * t``; its
subnet in ``availability_zones[i]`` is ``k = TIER_SLOTS * t + i``. So appending a tier or
a zone (up to ``TIER_SLOTS``) moves no subnet, and a tier's whole reservation is one
aligned /61, ``cidrsubnet(aws_vpc.this.ipv6_cidr_block, 5, t)``: one ACL rule names the
tier over IPv6 as its IPv4 block does over IPv4. A tier with ``ipv6: false`` keeps its
reservation unused, so opting a tier in or out never moves another.
"""

from __future__ import annotations

__all__ = ["MAX_TIERS", "TIER_SLOTS", "VPC_BLOCK", "subnet_block", "subnet_index",
           "tier_block"]

VPC_BLOCK = "aws_vpc.this.ipv6_cidr_block"
"""The VPC's Amazon-provided /56, as the module and the plan reader name it."""
TIER_SLOTS = 8
"""/64s reserved per tier: one per availability zone (no region has more than 8)."""
_TIER_BITS = 3  # log2(TIER_SLOTS)
MAX_TIERS = 256 // TIER_SLOTS
"""Tiers a /56 holds at ``TIER_SLOTS`` /64s each (32)."""


def subnet_index(tier_position: int, az_index: int) -> int:
    """``k`` of the /64 of the tier at ``tier_position`` in zone ``az_index``."""
    if not (0 <= tier_position < MAX_TIERS and 0 <= az_index < TIER_SLOTS):
        raise ValueError(f"IPv6 index: tier {tier_position}, zone {az_index} do not fit a /56")
    return TIER_SLOTS * tier_position + az_index


def subnet_block(index: int) -> str:
    """The HCL expression (and symbolic prefix) of /64 number ``index``."""
    return f"cidrsubnet({VPC_BLOCK}, 8, {index})"


def tier_block(tier_position: int) -> str:
    """The /61 a tier reserves: every /64 it may ever have (one ACL rule's peer)."""
    return f"cidrsubnet({VPC_BLOCK}, {8 - _TIER_BITS}, {tier_position})"
