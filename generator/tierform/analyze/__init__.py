"""Network -> reachability between tiers, named networks and the internet."""

from __future__ import annotations

from tierform.analyze.core import (
    Exposure,
    Flow,
    Layer,
    LegCheck,
    ProtocolName,
    QueryResult,
    Reachability,
    TierInfo,
    analyze,
    query,
)

__all__ = [
    "Exposure",
    "Flow",
    "Layer",
    "LegCheck",
    "ProtocolName",
    "QueryResult",
    "Reachability",
    "TierInfo",
    "analyze",
    "query",
]
