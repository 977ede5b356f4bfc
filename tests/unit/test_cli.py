"""The CLI's outputs on the shipped three-tier blueprint, run as a user runs them: the
diagram, validate and reach JSON (the docs/network-semantics.md contract), reach queries'
exit codes, and verify against a network built for other tier names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import ROOT, failed, tierform

THREE_TIER = str(ROOT / "blueprints" / "three-tier.yaml")
FOREIGN_STATE = str(ROOT / "tests" / "fixtures" / "handwritten" / "three-tier.state.json")


def _json(*args: str, cwd: Path, code: int = 0) -> Any:
    result = tierform(*args, cwd=cwd)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def test_diagram_is_mermaid_with_tiers_subnets_gateways_and_flows(tmp_path: Path) -> None:
    result = tierform("diagram", THREE_TIER, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0] == "flowchart LR"
    assert 'internet(["internet"])' in lines
    assert 'subgraph vpc["VPC 10.0.0.0/16"]' in lines
    # Each tier is a box (with its exposure) holding one subnet per AZ.
    for tier, exposure, cidrs in (("web", "public", ("10.0.1.0/24", "10.0.2.0/24")),
                                  ("app", "private", ("10.0.11.0/24", "10.0.12.0/24")),
                                  ("db", "isolated", ("10.0.21.0/24", "10.0.22.0/24"))):
        start = lines.index(f'subgraph t_{tier}["{tier} ({exposure})"]')
        inside = lines[start + 1:lines.index("end", start)]
        assert [line.split('["')[1].split("<br/>")[0] for line in inside
                if line.startswith("s")] == list(cidrs)
        assert any("us-east-1a" in line for line in inside)
    # Gateways: the IGW for web, a NAT per AZ (per_az) in web for app; db routes nowhere.
    assert 'g_igw{{"internet gateway"}}' in lines
    assert sum('{{"NAT gateway (' in line for line in lines) == 2
    assert "g_igw -.- t_web" in lines
    assert not any(line.endswith("-.- t_db") for line in lines)
    assert [line for line in lines if "-->" in line] == [
        'internet -->|"internet_to_web_tcp: tcp 80,443"| t_web',
        't_web -->|"web_to_app_tcp: tcp 8080"| t_app',
        't_app -->|"app_to_db_tcp: tcp 3306"| t_db',
    ]


def test_validate_json_of_a_valid_blueprint(tmp_path: Path) -> None:
    document = _json("validate", THREE_TIER, "--format", "json", cwd=tmp_path)
    assert document["valid"] is True
    assert document.get("findings", []) == []
    assert (document["name"], document["tiers"], document["subnets"], document["flows"]) == (
        "three-tier", ["web", "app", "db"], 6, 3)


def test_validate_json_of_an_invalid_blueprint(tmp_path: Path) -> None:
    text = Path(THREE_TIER).read_text(encoding="utf-8")
    bad = text.replace("{from: app, to: db, ports: [3306]", "{from: app, to: dbb, ports: [70000]")
    assert bad != text
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    line = 1 + text[:text.index("{from: app, to: db")].count("\n")
    document = _json("validate", "bad.yaml", "--format", "json", cwd=tmp_path, code=2)
    assert document["valid"] is False
    findings = document["findings"]
    assert all(set(f) == {"file", "line", "column", "path", "code", "message", "hint"}
               for f in findings)
    assert [(f["file"], f["line"], f["path"], f["code"]) for f in findings] == [
        ("bad.yaml", line, "flows[2].to", "flow-unknown-endpoint"),
        ("bad.yaml", line, "flows[2].ports[0]", "port-out-of-range"),
    ]
    to_column, port_column = (f["column"] for f in findings)
    row = bad.splitlines()[line - 1]
    assert row[to_column - 1:].startswith("dbb")
    assert row[port_column - 1:].startswith("70000")
    assert "did you mean 'db'?" in findings[0]["hint"]


def test_reach_json_is_the_documented_contract(tmp_path: Path) -> None:
    document = _json("reach", THREE_TIER, "--format", "json", cwd=tmp_path)
    assert list(document) == ["schema_version", "source", "complete", "tiers", "flows",
                              "unknown", "unresolved", "findings", "assumptions"]
    assumptions = document.pop("assumptions")
    assert assumptions[0].startswith("placement: ")
    assert document == {
        "schema_version": 3,
        "source": "blueprint",
        "complete": True,
        "tiers": {
            "web": {"subnets": ["10.0.1.0/24", "10.0.2.0/24"], "exposure": "public"},
            "app": {"subnets": ["10.0.11.0/24", "10.0.12.0/24"], "exposure": "private"},
            "db": {"subnets": ["10.0.21.0/24", "10.0.22.0/24"], "exposure": "isolated"},
        },
        # Sorted by (from, to, protocol); ports merged inclusive [lo, hi] ranges.
        "flows": [
            {"from": "app", "to": "db", "protocol": "tcp", "ports": [[3306, 3306]],
             "family": "ipv4"},
            {"from": "internet", "to": "web", "protocol": "tcp",
             "ports": [[80, 80], [443, 443]], "family": "ipv4"},
            {"from": "web", "to": "app", "protocol": "tcp", "ports": [[8080, 8080]],
             "family": "ipv4"},
        ],
        "unknown": [],
        "unresolved": [],
        "findings": [],
    }


@pytest.mark.parametrize(("dst", "port", "code", "verdict"), [
    ("web", "443", 0, "internet -> web tcp 443: reachable"),
    ("db", "3306", 1, "internet -> db tcp 3306: blocked"),
])
def test_reach_query_exit_code(tmp_path: Path, dst: str, port: str, code: int,
                               verdict: str) -> None:
    result = tierform("reach", THREE_TIER, "--from", "internet", "--to", dst, "--port", port,
                      cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert result.stdout.splitlines()[0] == verdict


def test_verify_against_a_network_with_other_tier_names(tmp_path: Path) -> None:
    """The hand-written fixture's tiers are Web/Application/Database: the blueprint's tiers
    are missing there, which is reported (broken flows, exposure), not a crash."""
    result = tierform("verify", THREE_TIER, "--state", FOREIGN_STATE, "--format", "json",
                      cwd=tmp_path)
    failed(result, 1)
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["exit_code"] == 1
    by_kind: dict[str, list[str]] = {}
    for finding in document["findings"]:
        by_kind.setdefault(finding["kind"], []).append(finding["message"])
    assert len(by_kind["broken"]) == 3  # every blueprint flow
    assert all(m.endswith("not found in the network") for m in by_kind["broken"])
    assert sorted(by_kind["exposure"]) == [
        "tier app is declared private but has no subnets in the network",
        "tier db is declared isolated but has no subnets in the network",
        "tier web is declared public but has no subnets in the network",
    ]
    # What the foreign network does let through is, for this blueprint, unintended.
    assert any("internet -> Web tcp 80,443" in m for m in by_kind["unintended"])


def test_reach_with_a_tier_tag_no_subnet_carries_is_an_error(tmp_path: Path) -> None:
    """An empty matrix would read as "isolated": a wrong --tier-tag is bad input (exit 2)."""
    result = tierform("reach", FOREIGN_STATE, "--tier-tag", "Nope", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "no tiers in this state" in result.stderr
    assert "'Nope' tag" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_diagram_names_flows_by_id_whatever_their_order_and_keeps_names_apart(
        tmp_path: Path) -> None:
    """A network ``corp-net`` and a tier ``corp_net`` were one node (n_corp_net), and edges
    were numbered by position, so reordering flows relabelled every edge."""
    text = (
        "tierform: 1\nname: nodes\nregion: us-east-1\nvpc: {cidr: 10.0.0.0/16}\n"
        "availability_zones: [us-east-1a]\nnetworks:\n  corp-net: 192.168.0.0/16\n"
        "tiers:\n  corp_net: {exposure: private, netmask: 24}\n"
        "  web: {exposure: public, netmask: 24}\nflows:\n"
        "  - {from: corp-net, to: corp_net, ports: [22], id: admin}\n"
        "  - {from: corp_net, to: web, ports: [443]}\n")
    (tmp_path / "bp.yaml").write_text(text, encoding="utf-8")
    reordered = text.replace(
        "  - {from: corp-net, to: corp_net, ports: [22], id: admin}\n"
        "  - {from: corp_net, to: web, ports: [443]}\n",
        "  - {from: corp_net, to: web, ports: [443]}\n"
        "  - {from: corp-net, to: corp_net, ports: [22], id: admin}\n")
    (tmp_path / "reordered.yaml").write_text(reordered, encoding="utf-8")
    first = tierform("diagram", "bp.yaml", cwd=tmp_path)
    second = tierform("diagram", "reordered.yaml", cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    edges = sorted(line.strip() for line in first.stdout.splitlines() if "-->" in line)
    assert edges == sorted(line.strip() for line in second.stdout.splitlines() if "-->" in line)
    assert edges == ['n_corp_2d_net -->|"admin: tcp 22"| t_corp_5f_net',
                     't_corp_5f_net -->|"corp_net_to_web_tcp: tcp 443"| t_web']
    lines = [line.strip() for line in first.stdout.splitlines()]
    assert 'n_corp_2d_net(["corp-net<br/>192.168.0.0/16"])' in lines
    assert 'subgraph t_corp_5f_net["corp_net (private)"]' in lines
