"""reach and verify exit codes with unknown answers: 0 reachable/clean, 1 blocked/findings,
3 unknown/incomplete (README "Exit codes"); JSON carries schema_version 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_support import ROOT, tierform

THREE_TIER = str(ROOT / "blueprints" / "three-tier.yaml")
FOREIGN_STATE = ROOT / "tests" / "fixtures" / "handwritten" / "three-tier.state.json"


def _state_with_tgw(tmp_path: Path) -> str:
    """The hand-written state with every default route to a transit gateway."""
    state: dict[str, Any] = json.loads(FOREIGN_STATE.read_text())
    for resource in state["values"]["root_module"]["resources"]:
        values = resource["values"]
        if resource["address"] in ("aws_route.private_1_default",
                                   "aws_route.private_2_default"):
            values["nat_gateway_id"] = ""
            values["transit_gateway_id"] = "tgw-0123456789abcdef0"
        if resource["address"] == "aws_route_table.public":
            for route in values["route"]:
                route["gateway_id"] = ""
                route["transit_gateway_id"] = "tgw-0123456789abcdef0"
    path = tmp_path / "tgw.state.json"
    path.write_text(json.dumps(state))
    return str(path)


def test_reach_with_an_unmodelled_target_exits_3_with_question_marks(tmp_path: Path) -> None:
    source = _state_with_tgw(tmp_path)
    result = tierform("reach", source, cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "? tcp 80,443" in result.stdout  # internet -> Web: replies leave by the tgw
    assert "Application  unknown (?)" in result.stdout
    assert "incomplete:" in result.stdout
    assert "transit gateway" in result.stdout
    document = json.loads(tierform("reach", source, "--format", "json", cwd=tmp_path).stdout)
    assert document["schema_version"] == 3
    assert document["complete"] is False
    assert document["tiers"]["Application"]["exposure"] == "unknown"
    assert any(u["from"] == "internet" and u["to"] == "Web" and u["reasons"]
               for u in document["unknown"])


def test_reach_query_exits_3_when_unknown_1_when_a_modelled_rule_blocks(tmp_path: Path) -> None:
    source = _state_with_tgw(tmp_path)
    query = ("reach", source, "--from", "internet", "--to", "Web", "--port", "443")
    result = tierform(*query, cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "internet -> Web tcp 443: unknown"
    assert "UNKNOWN" in result.stdout
    document = json.loads(tierform(*query, "--format", "json", cwd=tmp_path).stdout)
    assert document["verdict"] == "unknown"
    assert document["schema_version"] == 3
    # The route is unknown, but Application's group and ACL block 443 out: blocked, exit 1.
    blocked = tierform("reach", source, "--from", "Application", "--to", "internet",
                       "--port", "443", cwd=tmp_path)
    assert blocked.returncode == 1, blocked.stdout
    assert "BLOCKED forward security_groups" in blocked.stdout


def test_reach_complete_exits_0(tmp_path: Path) -> None:
    result = tierform("reach", str(FOREIGN_STATE), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "incomplete" not in result.stdout


def test_verify_json_carries_the_schema_version(tmp_path: Path) -> None:
    result = tierform("verify", THREE_TIER, "--state", str(FOREIGN_STATE), "--format", "json",
                      cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["schema_version"] == 3
    assert "complete" in document
