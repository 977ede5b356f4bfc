"""`tierform validate` shows the subnets the module will create, with the allocator's CIDRs
(table and JSON), so nobody has to render a module to learn them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ROOT, tierform
from tierform.blueprint.allocate import dedicated_subnets
from tierform.blueprint.load import load_blueprint

SHIPPED = sorted(p.stem for p in (ROOT / "blueprints").glob("*.yaml"))


def _expected(name: str) -> list[tuple[str, str, str, str]]:
    """(tier, az, cidr, source) from the loader's own allocation, not from the CLI's code."""
    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    rows = []
    for tier, spec in loaded.blueprint.tiers.items():
        source = "blueprint cidrs" if spec.cidrs else f"allocated (netmask /{spec.netmask})"
        for az, cidr in loaded.allocation[tier].items():
            rows.append((tier, az, str(cidr), source))
    bp = loaded.blueprint
    if any(bp.network_via(end) == "tgw" for f in bp.flows for end in (f.src, f.dst)
           if end in bp.networks):
        rows += [(None, az, str(cidr), "dedicated (transit attachment, top of the VPC)")
                 for az, cidr in dedicated_subnets(bp, "transit").items()]
    if bp.inspection is not None:
        rows += [(None, az, str(cidr), "dedicated (firewall endpoint, below the transit block)")
                 for az, cidr in dedicated_subnets(bp, "firewall").items()]
    return rows


@pytest.mark.parametrize("name", SHIPPED)
def test_validate_json_lists_every_allocated_subnet(name: str, tmp_path: Path) -> None:
    result = tierform("validate", str(ROOT / "blueprints" / f"{name}.yaml"), "--format", "json",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    rows = [(s["tier"], s["az"], s["cidr"], s["source"]) for s in document["allocation"]]
    assert rows == _expected(name)
    assert len(rows) == document["subnets"]


def test_validate_table_shows_netmask_tiers_cidrs(tmp_path: Path) -> None:
    # two-tier's db tier has no cidrs in the blueprint: only the allocator knows them.
    result = tierform("validate", str(ROOT / "blueprints" / "two-tier.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("valid: two-tier: 2 tiers, 4 subnets, 2 flows")
    assert lines[1].split() == ["SUBNET", "TIER", "EXPOSURE", "AZ", "CIDR", "CIDR", "SOURCE"]
    table = [line.split(None, 5) for line in lines[2:]]
    assert [(r[1], r[3], r[4], r[5]) for r in table] == _expected("two-tier")
    assert any(r[5] == "allocated (netmask /24)" for r in table)
    assert [r[0] for r in table] == ["web_a", "web_b", "db_a", "db_b"]
