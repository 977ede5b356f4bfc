"""Every shipped blueprint verifies clean from its own derived network: no unintended or
broken flow, no exposure mismatch, and no layer whose failure alone opens a forbidden flow
into a private or isolated tier. The two four-tier bugs this caught get their own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import Reachability, query
from tierform.layout.numbering import DENY_FIRST
from tierform.ports import PortSet
from tierform.verify import VerifyReport

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "blueprints").glob("*.yaml"))


@pytest.fixture(scope="module", params=SHIPPED)
def verified(request: pytest.FixtureRequest) -> tuple[str, workflow.Checked, VerifyReport]:
    loaded = workflow.load(ROOT / "blueprints" / f"{request.param}.yaml")
    checked = workflow.check(loaded)
    return request.param, checked, workflow.verify_network(loaded, checked.network)


@pytest.fixture(scope="module")
def four_tier() -> workflow.Checked:
    return workflow.check(workflow.load(ROOT / "blueprints" / "four-tier.yaml"))


def test_every_shipped_blueprint_is_here() -> None:
    assert {"two-tier", "three-tier", "four-tier"} <= set(SHIPPED)


def test_verify_reports_no_findings(
        verified: tuple[str, workflow.Checked, VerifyReport]) -> None:
    name, _, report = verified
    assert [f"{f.kind}: {f.message}" for f in report.findings] == [], name
    assert report.ok


def test_no_single_layer_opens_a_forbidden_flow(
        verified: tuple[str, workflow.Checked, VerifyReport]) -> None:
    """Defence in depth: with routes, NACLs or security groups failed open, no forbidden
    flow (from the internet or from another tier) opens into a private or isolated tier
    (nor with the firewall passing everything, where there is one)."""
    name, checked, report = verified
    # A blueprint with inspection has a fourth layer: the firewall's rules (issue 15).
    inspected = {"firewall"} if checked.loaded.blueprint.inspection is not None else set()
    assert set(report.single_layer) == {"routes", "nacls", "security_groups"} | inspected
    opened = {layer: [(f.src, f.dst, f.protocol, str(f.ports)) for f in flows]
              for layer, flows in report.single_layer.items() if flows}
    assert opened == {}, name
    guarded = [t for t, s in checked.loaded.blueprint.tiers.items()
               if s.exposure in ("private", "isolated")]
    assert guarded, name  # the check above has something to guard


def test_every_flow_is_reachable_exactly(
        verified: tuple[str, workflow.Checked, VerifyReport]) -> None:
    """What is reachable between different endpoints is exactly what the flows allow."""
    name, checked, report = verified
    reach: Reachability = report.reachability
    wanted: dict[tuple[str, str, str], PortSet] = {}
    for flow in checked.loaded.blueprint.flows:
        protocols = ("tcp", "udp", "icmp") if flow.protocol == "all" else (flow.protocol,)
        for protocol in protocols:
            ports = (PortSet.full() if "icmp" in (protocol, flow.protocol)
                     or flow.protocol == "all" else PortSet(flow.port_ranges()))
            # A flow to the internet reaches the gateway endpoints' services too (R5).
            gateways = checked.network.services if flow.dst == "internet" else []
            for dst in (flow.dst, *(g for g in gateways if g in ("aws:s3", "aws:dynamodb"))):
                key = (flow.src, dst, protocol)
                wanted[key] = wanted.get(key, PortSet.empty()) | ports
    got = {(f.src, f.dst, f.protocol): f.ports if f.ports is not None else PortSet.full()
           for f in reach.flows if f.src != f.dst}
    assert got == wanted, name


def test_four_tier_app_cannot_reach_web_on_443(four_tier: workflow.Checked) -> None:
    """app's internet egress (0.0.0.0/0:443) and the NAT leg on web's ACL (app CIDRs on
    443) used to let app hosts open web hosts on 443; the internet range denies the VPC."""
    result = query(four_tier.network, "app", "web", "tcp", 443)
    assert not result.reachable
    blocking = [(leg.layer, leg.resource) for leg in result.blocking]
    assert ("nacls", f"aws_network_acl.app rule {DENY_FIRST} (deny)") in blocking
    # With the security groups failed open, NACLs alone still keep app out of web:443.
    assert not query(four_tier.network, "app", "web", "tcp", 443,
                     failed_open="security_groups").reachable
    # app still reaches the internet on 443 (through NAT).
    assert query(four_tier.network, "app", "internet", "tcp", 443).reachable


def test_four_tier_corp_reaches_mgmt_on_22_and_nothing_else(
        four_tier: workflow.Checked) -> None:
    result = query(four_tier.network, "corp", "mgmt", "tcp", 22)
    assert result.reachable, [(leg.layer, leg.resource, leg.detail) for leg in result.blocking]
    reach = workflow.analyze_network(four_tier.network)
    from_corp = [(f.src, f.dst, f.protocol, str(f.ports)) for f in reach.flows
                 if "corp" in (f.src, f.dst)]
    assert from_corp == [("corp", "mgmt", "tcp", "22")]
    # The route that carries it: mgmt's tables send corp to the VPN gateway.
    table = four_tier.network.route_table_of("aws_subnet.mgmt_b")
    assert table is not None
    assert ("192.168.0.0/16", "vgw", "aws_vpn_gateway.this") in {
        (r.destination, r.kind, r.target) for r in table.routes}
