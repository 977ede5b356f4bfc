"""layout.quotas: every AWS quota counted on what is rendered, each finding located."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform import workflow
from tierform.blueprint.load import load_blueprint_text
from tierform.blueprint.model import Blueprint
from tierform.errors import BlueprintError
from tierform.layout import check_quotas, plan_layout

ROOT = Path(__file__).resolve().parents[3]


def explicit_allocation(bp: Blueprint) -> dict[str, dict[str, IPv4Network]]:
    return {tier: dict(zip(bp.availability_zones, spec.cidrs or [], strict=True))
            for tier, spec in bp.tiers.items()}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / f"{name}.yaml").read_text())
    return data


def test_quota_finding_counts_the_rules_of_each_flow() -> None:
    data = load("three-tier")
    data["limits"] = {"nacl_rules_per_direction": 5}
    data["flows"] += [{"from": "internet", "to": "web", "ports": [8000 + i], "id": f"alt{i}"}
                      for i in range(4)]
    bp = Blueprint.model_validate(data)
    findings = check_quotas(bp, plan_layout(bp, explicit_allocation(bp)))
    web_in = [f for f in findings if "'web'" in f.message and "inbound" in f.message]
    assert len(web_in) == 1
    assert web_in[0].code == "nacl-quota"
    # deny VPC + 80 + 443 + two app return legs (one per CIDR) = 5; each new flow adds one.
    assert "needs 9 inbound rules" in web_in[0].message
    assert ("(rules per flow: internet_to_web_tcp 2, web_to_app_tcp 2, alt0 1, alt1 1, "
            "alt2 1, alt3 1, 1 deny rule(s))") in web_in[0].message
    # At the flow with the most rules there (of equals, the last listed).
    assert web_in[0].path == ("flows", 1)


def test_quota_counts_the_deny_rules() -> None:
    data = load("three-tier")
    data["limits"] = {"nacl_rules_per_direction": 4}
    # web outbound: deny VPC, the internet flow's return leg, two web_to_app rules = 4.
    bp = Blueprint.model_validate(data)
    findings = check_quotas(bp, plan_layout(bp, explicit_allocation(bp)))
    assert not [f for f in findings if "'web'" in f.message and "outbound" in f.message]
    data["networks"] = {"corp": "192.168.0.0/16"}  # one more deny on every internet direction
    bp = Blueprint.model_validate(data)
    findings = check_quotas(bp, plan_layout(bp, explicit_allocation(bp)))
    assert [f.message for f in findings if "'web'" in f.message and "outbound" in f.message] \
        == ["the network ACL of tier 'web' needs 5 outbound rules, over the quota of 4 "
            "(rules per flow: web_to_app_tcp 2, internet_to_web_tcp 1, 2 deny rule(s))"]


def test_rules_per_direction_no_longer_grow_with_the_zones() -> None:
    """20 flows into one netmask tier fit the default quota at 2 zones and at 6 (the old
    one-rule-per-peer-subnet layout needed 6 x as many rules at 6 zones)."""
    def text(zones: int) -> str:
        names = ", ".join(f"us-east-1{c}" for c in "abcdef"[:zones])
        flows = "".join(f"  - {{from: app, to: db, ports: [{5000 + i}], id: p{i}}}\n"
                        for i in range(20))
        return (f"tierform: 1\nname: q\nregion: us-east-1\nvpc: {{cidr: 10.0.0.0/16}}\n"
                f"availability_zones: [{names}]\ntiers:\n  app: {{exposure: private, "
                f"netmask: 24}}\n  db: {{exposure: isolated, netmask: 24}}\nflows:\n{flows}")
    for zones in (2, 6):
        checked = workflow.check(load_blueprint_text(text(zones), "q.yaml"))
        db_in = [r for r in checked.layout.nacl_rules if r.tier == "db" and not r.egress]
        assert len(db_in) == 20, zones


def test_no_quota_findings_for_shipped_blueprints() -> None:
    for name in ("three-tier", "four-tier"):
        bp = Blueprint.model_validate(load(name))
        assert check_quotas(bp, plan_layout(bp, explicit_allocation(bp))) == []


@pytest.mark.parametrize(("limits", "code", "key_line"), [
    ({"subnets_per_vpc": 5}, "subnet-quota", "tiers:"),
    ({"nat_gateways_per_az": 0}, "nat-quota", "nat: per_az"),
])
def test_subnet_and_nat_quotas_are_located_in_the_blueprint(
        limits: dict[str, int], code: str, key_line: str) -> None:
    text = (ROOT / "blueprints" / "three-tier.yaml").read_text(encoding="utf-8")
    text += "limits: " + yaml.safe_dump(limits, default_flow_style=True)
    loaded = load_blueprint_text(text, "bp.yaml")  # the checks before layout pass
    with pytest.raises(BlueprintError) as caught:
        workflow.check(loaded)
    [finding] = caught.value.findings
    assert finding.code == code
    lines = text.splitlines()
    assert finding.line is not None
    assert key_line in lines[finding.line - 1], (finding.format(), lines[finding.line - 1])
    assert finding.file == "bp.yaml"
    assert caught.value.exit_code == 2


def test_rule_quota_findings_point_at_the_flow_with_most_rules_there() -> None:
    text = (ROOT / "blueprints" / "three-tier.yaml").read_text(encoding="utf-8")
    text += "limits: {nacl_rules_per_direction: 3}\n"
    with pytest.raises(BlueprintError) as caught:
        workflow.check(load_blueprint_text(text, "bp.yaml"))
    finding = next(f for f in caught.value.findings if "'web'" in f.message
                   and "outbound" in f.message)
    flow_line = text.splitlines()[finding.line - 1] if finding.line else ""
    assert "{from: web, to: app" in flow_line, finding.format()
