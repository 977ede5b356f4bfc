"""What the analyzer answers: the public result types of analyze() and query().

A Reachability is the matrix (every endpoint pair's reachable ports per protocol, with
exposures, warnings and the assumptions made); a QueryResult is one connection's verdict,
leg by leg and layer by layer (docs/network-semantics.md, "Endpoints and flows").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tierform.aws import ProtocolName
from tierform.network.model import Unresolved
from tierform.ports import PortSet

__all__ = [
    "Exposure",
    "Flow",
    "Layer",
    "LegCheck",
    "LegName",
    "QueryResult",
    "Reachability",
    "TierInfo",
]

Layer = Literal["routes", "nacls", "security_groups"]
Exposure = Literal["public", "private", "isolated"]
LegName = Literal["forward", "return"]
"""``forward``: the packet that opens the connection; ``return``: the reply."""


@dataclass(frozen=True)
class TierInfo:
    subnets: list[str]
    exposure: Exposure


@dataclass(frozen=True)
class Flow:
    """Connections ``src`` may open to ``dst``: reachable destination ports (None for icmp)."""

    src: str
    dst: str
    protocol: ProtocolName
    ports: PortSet | None


@dataclass(frozen=True)
class Reachability:
    tiers: dict[str, TierInfo]
    flows: list[Flow]
    warnings: list[str]
    unresolved: list[Unresolved]
    assumptions: list[str]
    endpoints: list[str] = field(default_factory=list)
    failed_open: Layer | None = None

    def ports(self, src: str, dst: str, protocol: ProtocolName) -> PortSet:
        """Reachable destination ports (icmp: full when reachable, else empty)."""
        for flow in self.flows:
            if (flow.src, flow.dst, flow.protocol) == (src, dst, protocol):
                return flow.ports if flow.ports is not None else PortSet.full()
        return PortSet.empty()

    def reachable(self, src: str, dst: str, protocol: ProtocolName, port: int = 0) -> bool:
        return port in self.ports(src, dst, protocol)


@dataclass(frozen=True)
class LegCheck:
    """One layer's verdict on one leg (``forward``: the opening packet; ``return``: the reply)."""

    leg: LegName
    layer: Layer
    ok: bool
    resource: str
    detail: str


@dataclass(frozen=True)
class QueryResult:
    reachable: bool
    legs: list[LegCheck]
    src: str = ""
    dst: str = ""
    protocol: str = ""
    port: int | None = None

    @property
    def blocking(self) -> list[LegCheck]:
        return [leg for leg in self.legs if not leg.ok]
