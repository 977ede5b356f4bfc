"""What the analyzer answers: the public result types of analyze() and query().

A Reachability is the matrix (every endpoint pair's reachable ports per protocol, with
exposures, warnings and the assumptions made); a QueryResult is one connection's verdict,
leg by leg and layer by layer (docs/network-semantics.md, "Endpoints and flows").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tierform.aws import AddressFamily, ProtocolName
from tierform.network.model import Unresolved
from tierform.ports import PortSet

__all__ = [
    "SCHEMA_VERSION",
    "Exposure",
    "Flow",
    "Layer",
    "LegCheck",
    "LegName",
    "ProxiedFlow",
    "QueryResult",
    "Reachability",
    "TierInfo",
    "UnknownFlow",
    "Verdict",
]

SCHEMA_VERSION = 3
"""The JSON contract of reach/verify output; 2: unknown verdicts, route-target kinds;
3: every flow, unknown entry and finding carries its address ``family`` (IPv6 flows are
entries of their own), tiers carry ``exposure_ipv6``."""

Layer = Literal["routes", "nacls", "security_groups", "firewall"]
"""``firewall``: Network Firewall rules (R15), a layer only where a firewall is read."""
Exposure = Literal["public", "private", "isolated", "unknown"]
"""``unknown``: some route toward the internet leaves the VPC through a gateway whose far
side is not in the input (transit, virtual private, peering...): neither isolated nor
known public (TierInfo.reasons says which)."""
Verdict = Literal["reachable", "blocked", "unknown"]
LegName = Literal["forward", "return"]
"""``forward``: the packet that opens the connection; ``return``: the reply."""


@dataclass(frozen=True)
class TierInfo:
    subnets: list[str]
    exposure: Exposure
    reasons: tuple[str, ...] = ()  # why the exposure is unknown
    exposure_ipv6: Exposure | None = None
    """Over IPv6 (None: no subnet of the tier has an IPv6 block, so no IPv6 hosts)."""
    ipv6_subnets: list[str] = field(default_factory=list)

    @property
    def exposures(self) -> list[Exposure]:
        return [self.exposure, *([self.exposure_ipv6] if self.exposure_ipv6 else [])]


@dataclass(frozen=True)
class Flow:
    """Connections ``src`` may open to ``dst``: reachable destination ports (None for icmp)."""

    src: str
    dst: str
    protocol: ProtocolName
    ports: PortSet | None
    family: AddressFamily = "ipv4"


@dataclass(frozen=True)
class UnknownFlow:
    """Connections ``src`` may open to ``dst`` on ``ports`` that the analyzer cannot decide:
    something on their path was not read or is not modelled (``reasons``). Never blocked."""

    src: str
    dst: str
    protocol: ProtocolName
    ports: PortSet  # full for icmp
    reasons: tuple[str, ...]
    family: AddressFamily = "ipv4"


@dataclass(frozen=True)
class ProxiedFlow:
    """``src`` reaches tier ``dst`` through load balancer ``via`` (never directly)."""

    src: str
    dst: str
    via: str
    """The LB's endpoint name (``lb:aws_lb.lb_web``)."""
    listener_ports: PortSet
    """Ports of the LB ``src`` can connect to (the listener ports that pass every layer)."""
    target_ports: PortSet
    """Ports of ``dst`` the LB can connect to (the target groups' ports that pass)."""
    verdict: str
    """``reachable`` or ``unknown``."""
    detail: str
    reasons: tuple[str, ...] = ()
    family: AddressFamily = "ipv4"
    protocol: str = "tcp"
    health_ports: PortSet = field(default_factory=PortSet.empty)
    """Health-check ports of ``dst`` the LB can connect to (a target it cannot check is
    taken out of service: then nothing is forwarded)."""


@dataclass(frozen=True)
class Reachability:
    tiers: dict[str, TierInfo]
    flows: list[Flow]
    warnings: list[str]
    unresolved: list[Unresolved]
    assumptions: list[str]
    endpoints: list[str] = field(default_factory=list)
    failed_open: Layer | None = None
    unknown: list[UnknownFlow] = field(default_factory=list)
    """Pairs (and ports) whose answer is unknown; ``flows`` holds only known-reachable ports."""
    proxied: list[ProxiedFlow] = field(default_factory=list)
    """What reaches a tier through a load balancer (two connections, never a direct path:
    ``flows`` does not hold it; ``tierform.analyze.proxy``)."""
    assumed: list[str] = field(default_factory=list)
    """``<gateway> reaches <network>``: each transit or virtual private gateway whose far
    side is not in the input, taken to reach a named network routed to it (R8)."""

    def assumed_for(self, src: str, dst: str) -> list[str]:
        """The gateways assumed on the paths between ``src`` and ``dst`` (R8, V6)."""
        return [a for a in self.assumed
                if a.rsplit(" reaches ", 1)[-1] in (src, dst)]

    @property
    def complete(self) -> bool:
        """True when every answer is known: nothing unresolved, no pair and no tier's
        exposure unknown."""
        return not self.unknown and not self.unresolved and all(
            "unknown" not in info.exposures for info in self.tiers.values()) and all(
            p.verdict != "unknown" for p in self.proxied)

    @property
    def incomplete_reasons(self) -> list[str]:
        """Why the result is incomplete, each reason once, in first-seen order."""
        seen: dict[str, None] = {}
        for item in self.unresolved:
            seen.setdefault(f"could not resolve {item.address} {item.attribute}: "
                            f"{item.reason}", None)
        for flow in self.unknown:
            for reason in flow.reasons:
                seen.setdefault(reason, None)
        for info in self.tiers.values():
            for reason in info.reasons:
                seen.setdefault(reason, None)
        for proxied in self.proxied:
            for reason in proxied.reasons:
                seen.setdefault(reason, None)
        return list(seen)

    def ports(self, src: str, dst: str, protocol: ProtocolName,
              family: AddressFamily | None = None) -> PortSet:
        """Known-reachable destination ports (icmp: full when reachable, else empty), in
        one family, or (None) in either: a port is blocked only when both block it."""
        found = PortSet.empty()
        for flow in self.flows:
            if (flow.src, flow.dst, flow.protocol) == (src, dst, protocol) \
                    and family in (None, flow.family):
                found = found | (flow.ports if flow.ports is not None else PortSet.full())
        return found

    def unknown_ports(self, src: str, dst: str, protocol: ProtocolName,
                      family: AddressFamily | None = None) -> PortSet:
        """Destination ports whose answer is unknown (icmp: full when unknown), in one
        family or (None) in either."""
        found = PortSet.empty()
        for flow in self.unknown:
            if (flow.src, flow.dst, flow.protocol) == (src, dst, protocol) \
                    and family in (None, flow.family):
                found = found | flow.ports
        return found

    def reachable(self, src: str, dst: str, protocol: ProtocolName, port: int = 0,
                  family: AddressFamily | None = None) -> bool:
        """Known reachable (an unknown port is not reachable here: see verdict())."""
        return port in self.ports(src, dst, protocol, family)

    def verdict(self, src: str, dst: str, protocol: ProtocolName, port: int = 0,
                family: AddressFamily | None = None) -> Verdict:
        """Reachable when known reachable in the family (either, for None); else unknown
        when unknown in it; else blocked."""
        if port in self.ports(src, dst, protocol, family):
            return "reachable"
        if port in self.unknown_ports(src, dst, protocol, family):
            return "unknown"
        return "blocked"


@dataclass(frozen=True)
class LegCheck:
    """One layer's verdict on one leg (``forward``: the opening packet; ``return``: the reply)."""

    leg: LegName
    layer: Layer
    ok: bool
    resource: str
    detail: str
    unknown: bool = False  # a route leading somewhere not modelled: neither ok nor blocking


@dataclass(frozen=True)
class QueryResult:
    reachable: bool
    legs: list[LegCheck]
    src: str = ""
    dst: str = ""
    protocol: str = ""
    port: int | None = None
    verdict: Verdict | None = None  # None: from ``reachable`` (reachable or blocked)
    reasons: tuple[str, ...] = ()  # why the verdict is unknown
    family: AddressFamily = "ipv4"
    assumed: tuple[str, ...] = ()  # ``<gateway> reaches <network>`` the answer rests on (R8)

    def __post_init__(self) -> None:
        if self.verdict is None:
            object.__setattr__(self, "verdict", "reachable" if self.reachable else "blocked")

    @property
    def blocking(self) -> list[LegCheck]:
        return [leg for leg in self.legs if not leg.ok]
