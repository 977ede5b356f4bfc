"""NACL rule numbers: a flow's rules are numbered from the flow's id, never its position.

One ACL direction holds rule numbers 1-32766, evaluated lowest first (A2). Tierform
splits them into bands, so that first match means what the blueprint says (D4)::

    1 - 99           reserved (nothing is numbered here)
    100 - 15099      peer band: rules whose peer is a tier's block or a named network
    15100 - 15999    deny band: 15100 the VPC CIDR, 15101 kept for its IPv6 block, 15102 + i
                     secondary CIDR i (at most 8); 15110 + 10 * i + k named network i
                     (blueprint order), its k-th CIDR
    16100 - 31099    internet band: rules whose peer is 0.0.0.0/0 (later also ::/0)
    31100 - 32766    reserved

**Slots.** Each flow id owns one *slot* ``s`` in ``0 .. SLOTS - 1``, the same on every ACL:
``s = SHA-256(id) mod SLOTS`` (the first 8 bytes of the digest, big-endian). The flow's
rules on one ACL direction are numbered ``100 + 10 * s + k`` in the peer band and
``16100 + 10 * s + k`` in the internet band (the internet number is the peer number plus
16000), ``k`` counting that flow's rules there in an order fixed by the flow's content
(forward legs by port range and peer CIDR, then the return leg). A flow with more than 10
rules in one band continues in the next slot(s), wrapping around.

Why a digest: a rule number must be a function of the flow alone (editing, reordering,
removing or appending other flows must not renumber it), and any function from an
unbounded id space to 1,500 slots maps some ids together. A readable function (letters
of the id) maps *similar* ids together, which is the common case (``mgmt_to_web_tcp``,
``mgmt_to_app_tcp``); a digest spreads them evenly, and SHA-256 (unlike Python's
``hash``) is the same in every process and on every machine.

**Collisions** are refused, never resolved: when two flows would use the same number on
the same ACL direction, ``tierform.layout.names`` reports both at validate (exit 2) and
suggests an id for one of them whose numbers are free. Resolving them instead (probing to
the next free slot) would make a flow's numbers depend on which other flows exist, so
adding or removing one flow could renumber another. The chance that two flows sharing an
ACL collide is about 1 in 1,500; a tier with 10 flows collides with a chance of about 3%.

**Room.** A slot holds 10 rules per ACL direction and band: a flow's legs there (forward,
and return when both ends are the same tier) times its port ranges times the peer's CIDRs
(one for a netmask tier; a few for explicit CIDRs that do not aggregate; one per CIDR for
a named network with several), and later its IPv6 twins. AWS allows at most 40 rules per
direction, so a flow never needs more than 4 slots. Endpoint, transit, firewall and
load-balancer legs are flows (or legs of flows) and get slots the same way; dedicated
subnets' ACLs number their own flows' rules in the same bands.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from tierform.blueprint.model import NETWORK_CIDRS as BLUEPRINT_NETWORK_CIDRS

__all__ = [
    "DENY_FIRST",
    "INTERNET_FIRST",
    "IPV6_DENY",
    "MAX_NETWORKS",
    "MAX_SECONDARY_CIDRS",
    "NETWORK_CIDRS",
    "PEER_FIRST",
    "SLOTS",
    "SLOT_SIZE",
    "Band",
    "deny_number",
    "flow_slot",
    "rule_number",
    "secondary_deny_number",
]

Band = Literal["peer", "internet"]

SLOT_SIZE = 10
"""Rule numbers per slot, in each band."""
SLOTS = 1500
"""Slots per band: the peer band holds 100 .. 100 + 10 * 1500 - 1 = 15099."""
PEER_FIRST = 100
"""First number of the peer band (tiers and named networks)."""
DENY_FIRST = 15100
"""First number of the deny band: the VPC CIDR's deny."""
IPV6_DENY = DENY_FIRST + 1
"""Kept for the deny of the VPC's IPv6 block (when rendering is dual-stack): 15101."""
SECONDARY_DENY_FIRST = IPV6_DENY + 1
"""Deny of secondary CIDR 0 (``vpc.secondary_cidrs``); CIDR ``i`` is + i."""
NETWORK_DENY_FIRST = 15110
"""Deny of named network 0's first CIDR; network ``i``'s ``k``-th CIDR is + 10 * i + k."""
NETWORK_CIDRS = BLUEPRINT_NETWORK_CIDRS
"""Deny numbers per named network (one per CIDR): the blueprint's bound."""
MAX_SECONDARY_CIDRS = NETWORK_DENY_FIRST - SECONDARY_DENY_FIRST
"""Secondary CIDRs the deny band has room for (8: 15102-15109, below the named networks)."""
MAX_NETWORKS = (16000 - NETWORK_DENY_FIRST) // NETWORK_CIDRS
"""Named networks the deny band has room for (89)."""
INTERNET_FIRST = 16100
"""First number of the internet band (0.0.0.0/0 peers), after every deny."""


def flow_slot(flow_id: str) -> int:
    """The slot of a flow id: SHA-256 of its UTF-8 text, first 8 bytes, modulo ``SLOTS``."""
    digest = hashlib.sha256(flow_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % SLOTS


def rule_number(band: Band, slot: int, k: int) -> int:
    """The number of a flow's ``k``-th rule (0-based) in ``band`` of one ACL direction."""
    first = INTERNET_FIRST if band == "internet" else PEER_FIRST
    return first + SLOT_SIZE * ((slot + k // SLOT_SIZE) % SLOTS) + k % SLOT_SIZE


def deny_number(network: int | None, k: int = 0) -> int:
    """The deny of the VPC CIDR (``network`` None) or of named network ``network``'s
    ``k``-th CIDR (``network`` = its position in the blueprint's ``networks``)."""
    if network is None:
        return DENY_FIRST + k
    return NETWORK_DENY_FIRST + NETWORK_CIDRS * network + k


def secondary_deny_number(index: int) -> int:
    """The deny of secondary CIDR ``index`` (its place in ``vpc.secondary_cidrs``: append
    only): 15102 + index, never the IPv6 block's 15101 nor a named network's."""
    if not 0 <= index < MAX_SECONDARY_CIDRS:
        raise ValueError(f"secondary CIDR {index}: the deny band holds {MAX_SECONDARY_CIDRS}")
    return SECONDARY_DENY_FIRST + index
