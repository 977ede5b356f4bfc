"""verify's identity check: a network that is not the blueprint's is reported as such."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network
from pathlib import Path

from tierform import workflow

ROOT = Path(__file__).resolve().parents[2]


def _checked(name: str) -> workflow.Checked:
    return workflow.check(workflow.load(ROOT / "blueprints" / f"{name}.yaml"))


def test_the_blueprints_own_network_has_no_identity_findings() -> None:
    checked = _checked("three-tier")
    report = workflow.verify_network(checked.loaded, checked.network)
    assert [f for f in report.findings if f.kind == "identity"] == []


def test_another_blueprints_network_is_named_as_such() -> None:
    three, four = _checked("three-tier"), _checked("four-tier")
    report = workflow.verify_network(three.loaded, four.network)
    identity = [f.message for f in report.findings if f.kind == "identity"]
    assert identity, "a four-tier network verified against three-tier must say it differs"
    assert report.exit_code == 1
    four_tiers = set(four.network.tiers) - set(three.network.tiers)
    for tier in four_tiers:
        assert any(f"tier {tier}" in m and "does not declare" in m for m in identity), identity


def test_a_moved_subnet_and_another_vpc_cidr_are_findings() -> None:
    checked = _checked("three-tier")
    net = checked.network
    web = next(s for s in net.subnets.values() if s.tier == "web")
    moved = replace(net, vpc_cidrs=(IPv4Network("10.9.0.0/16"),),
                    subnets={**net.subnets, web.id: replace(web, cidr=IPv4Network("10.0.99.0/24"))})
    messages = [f.message for f in workflow.verify_network(checked.loaded, moved).findings
                if f.kind == "identity"]
    assert any("VPC CIDR is 10.9.0.0/16" in m for m in messages), messages
    assert any("tier web's subnets differ" in m and "unexpected 10.0.99.0/24" in m
               for m in messages), messages
