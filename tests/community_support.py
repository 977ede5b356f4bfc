"""The community-style fixture roots (tests/fixtures/community) and their hand-written
expected matrices: one loader and one pair-by-pair comparison for the plan, state and
unit tests, so that every reader is held to the same ground truth."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli_support import ROOT

__all__ = [
    "COMMUNITY",
    "NAMES",
    "PROTOCOLS",
    "REGION",
    "Expected",
    "differences",
    "load_expected",
    "pair_differences",
    "tier_differences",
]

COMMUNITY = ROOT / "tests" / "fixtures" / "community"
NAMES = ("count-vpc", "foreach-vpc", "conditional")
PROTOCOLS = ("tcp", "udp", "icmp")
REGION = "us-east-1"  # the fixtures' availability zones name it

# (from, to, protocol) -> reachable ports as [[low, high], ...] for tcp/udp, True for icmp.
Cell = tuple[str, str, str]


@dataclass(frozen=True)
class Expected:
    """One fixture's expected network, as written by hand beside it."""

    name: str
    module: Path
    endpoints: tuple[str, ...]
    tiers: Mapping[str, Any]
    intended: tuple[Mapping[str, Any], ...]
    pairs: tuple[Mapping[str, Any], ...]

    def matrix(self) -> dict[Cell, Any]:
        """Every reachable (from, to, protocol) of the hand-written pairs."""
        cells: dict[Cell, Any] = {}
        for pair in self.pairs:
            for protocol in PROTOCOLS:
                value = pair[protocol]
                if value:
                    cells[(pair["from"], pair["to"], protocol)] = value
        return cells

    def reach_flows(self) -> list[dict[str, Any]]:
        """The matrix in the ``reach --format json`` flows form (sorted like reach_json)."""
        return [{"from": src, "to": dst, "protocol": protocol,
                 "ports": None if protocol == "icmp" else ports}
                for (src, dst, protocol), ports in sorted(self.matrix().items())]


def load_expected(name: str) -> Expected:
    """``tests/fixtures/community/<name>.expected.json`` and the module folder it describes."""
    data = json.loads((COMMUNITY / f"{name}.expected.json").read_text(encoding="utf-8"))
    return Expected(name=name, module=COMMUNITY / name, endpoints=tuple(data["endpoints"]),
                    tiers=data["tiers"], intended=tuple(data["intended"]),
                    pairs=tuple(data["pairs"]))


def _reach_matrix(reach: Mapping[str, Any]) -> dict[Cell, Any]:
    cells: dict[Cell, Any] = {}
    for flow in reach["flows"]:
        cells[(flow["from"], flow["to"], flow["protocol"])] = (
            True if flow["protocol"] == "icmp" else flow["ports"])
    return cells


def pair_differences(reach: Mapping[str, Any], expected: Expected) -> list[str]:
    """One line per (from, to, protocol) where a ``reach_json`` answer and the hand-written
    matrix disagree, with the hand-written reason (empty: they agree everywhere)."""
    got, want = _reach_matrix(reach), expected.matrix()
    why = {(p["from"], p["to"]): p["why"] for p in expected.pairs}
    endpoints = list(expected.endpoints)
    endpoints += sorted({e for cell in got for e in cell[:2]} - set(endpoints))
    lines = []
    for src in endpoints:
        for dst in endpoints:
            for protocol in PROTOCOLS:
                cell = (src, dst, protocol)
                if got.get(cell) != want.get(cell):
                    lines.append(f"{src} -> {dst} {protocol}: got {got.get(cell) or 'blocked'}, "
                                 f"expected {want.get(cell) or 'blocked'} "
                                 f"({why.get((src, dst), 'no hand-written pair')})")
    return lines


def tier_differences(reach: Mapping[str, Any], expected: Expected) -> list[str]:
    """One line per tier whose subnets or exposure differ from the hand-written ones."""
    got, want = dict(reach["tiers"]), dict(expected.tiers)
    return [f"tier {name}: got {got.get(name)}, expected {want.get(name)}"
            for name in sorted(set(got) | set(want)) if got.get(name) != want.get(name)]


def differences(reach: Mapping[str, Any], expected: Expected) -> list[str]:
    """Everything that keeps a ``reach_json`` answer from being the hand-written one: tier
    and pair differences, then each unresolved item and warning (empty: it is)."""
    return [*tier_differences(reach, expected), *pair_differences(reach, expected),
            *(f"unresolved: {u['address']} {u['attribute']}: {u['reason']}"
              for u in reach["unresolved"]),
            *(f"finding: {f['message']}" for f in reach["findings"])]
