"""Network -> reachability between tiers, named networks and the internet.

The pipeline inside: atoms (address atoms) -> compile (host classes and per-layer lookups)
-> legs (which checks a connection crosses: THE leg rules) -> evaluate (what they let
through) -> matrix (analyze: every pair, by union per profile) and query (one connection,
explained); exposure (R6) and results (the public types) beside them.
Semantics: docs/network-semantics.md.
"""

from __future__ import annotations

from tierform.analyze.matrix import PLACEMENT_ASSUMPTION, analyze
from tierform.analyze.query import query
from tierform.analyze.results import (
    SCHEMA_VERSION,
    Exposure,
    Flow,
    Layer,
    LegCheck,
    ProxiedFlow,
    QueryResult,
    Reachability,
    TierInfo,
    UnknownFlow,
    Verdict,
)
from tierform.aws import ProtocolName

__all__ = [
    "PLACEMENT_ASSUMPTION",
    "SCHEMA_VERSION",
    "Exposure",
    "Flow",
    "Layer",
    "LegCheck",
    "ProtocolName",
    "ProxiedFlow",
    "QueryResult",
    "Reachability",
    "TierInfo",
    "UnknownFlow",
    "Verdict",
    "analyze",
    "query",
]
