"""The hand-written expected matrices of the community fixtures are complete and
well-formed: every ordered pair and protocol is answered, every blocked pair says why,
and every intended flow is either reachable or named as broken with its reason."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from community_support import (
    NAMES,
    PROTOCOLS,
    Expected,
    differences,
    load_expected,
    pair_differences,
)

INTERNET = "internet"


@pytest.fixture(params=NAMES)
def expected(request: pytest.FixtureRequest) -> Expected:
    return load_expected(request.param)


def test_every_ordered_pair_is_answered_once(expected: Expected) -> None:
    assert expected.module.is_dir()
    assert set(expected.endpoints) == {INTERNET, *expected.tiers}
    wanted = [(s, d) for s in expected.endpoints for d in expected.endpoints
              if (s, d) != (INTERNET, INTERNET)]
    assert sorted((p["from"], p["to"]) for p in expected.pairs) == sorted(wanted)


def _well_formed_ranges(ranges: Any) -> bool:
    if not isinstance(ranges, list):
        return False
    bounds = [tuple(r) for r in ranges]
    if not all(len(b) == 2 and 0 <= b[0] <= b[1] <= 65535 for b in bounds):
        return False
    # Merged and sorted, as reach_json writes them: no overlap, no adjacency.
    return all(a[1] + 1 < b[0] for a, b in itertools.pairwise(bounds))


def test_every_pair_gives_ports_per_protocol_and_a_reason(expected: Expected) -> None:
    for pair in expected.pairs:
        where = f"{expected.name}: {pair['from']} -> {pair['to']}"
        assert set(pair) == {"from", "to", "why", *PROTOCOLS}, where
        assert _well_formed_ranges(pair["tcp"]), where
        assert _well_formed_ranges(pair["udp"]), where
        assert isinstance(pair["icmp"], bool), where
        assert pair["why"].strip(), where
        if not any(pair[p] for p in PROTOCOLS):
            assert pair["why"].startswith("blocked: "), where


def test_intended_flows_are_reachable(expected: Expected) -> None:
    """All intended flows of these fixtures work on AWS (a broken one would be named)."""
    matrix = expected.matrix()
    for flow in expected.intended:
        cell = (flow["from"], flow["to"], flow["protocol"])
        got = matrix.get(cell)
        if flow["protocol"] == "icmp":
            assert got is True, cell
        else:
            assert got is not None, cell
            allowed = [tuple(r) for r in got]
            for low, high in flow["ports"]:
                assert any(a <= low and high <= b for a, b in allowed), (cell, low, high)


def test_pair_differences_names_each_disagreeing_cell(expected: Expected) -> None:
    reach: dict[str, Any] = {"tiers": dict(expected.tiers), "flows": expected.reach_flows()}
    assert pair_differences(reach, expected) == []
    changed = copy.deepcopy(reach)
    dropped = changed["flows"].pop(0)
    changed["flows"].append({"from": "db", "to": INTERNET, "protocol": "udp",
                             "ports": [[53, 53]]})
    lines = pair_differences(changed, expected)
    assert len(lines) == 2
    assert lines[0].startswith(f"{dropped['from']} -> {dropped['to']} {dropped['protocol']}: "
                               "got blocked")
    assert lines[1].startswith("db -> internet udp: got [[53, 53]], expected blocked")


def test_differences_list_tiers_unresolved_items_and_warnings(expected: Expected) -> None:
    reach: dict[str, Any] = {"tiers": dict(expected.tiers), "flows": expected.reach_flows(),
                             "unresolved": [], "findings": []}
    assert differences(reach, expected) == []
    reach["tiers"] = {name: {**info, "exposure": "isolated"}
                      for name, info in expected.tiers.items() if name != "db"}
    reach["unresolved"] = [{"address": "aws_subnet.a", "attribute": "vpc_id", "reason": "why"}]
    reach["findings"] = [{"level": "warning", "message": "careful"}]
    lines = differences(reach, expected)
    assert [line.split(":")[0] for line in lines] == [
        "tier app", "tier db", "tier web", "unresolved", "finding"]
    assert lines[-2:] == ["unresolved: aws_subnet.a vpc_id: why", "finding: careful"]
