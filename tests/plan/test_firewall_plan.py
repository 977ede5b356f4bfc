"""R15 on a plan: the hand-written firewall fixture (egress through AWS Network Firewall,
its endpoints picked from sync_states by the usual idioms) read from its offline plan with
its HCL, analyzed and verified for inspection, and mutants of it the proof must catch: an
app route that skips the firewall, a route to the other AZ's endpoint, a return route that
bypasses it, and a policy rule that drops the flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutant_support import planned_network
from tierform.analyze import analyze, query
from tierform.network.model import Network, firewall_endpoint_key
from tierform.readers.plan import network_from_plan
from tierform.terraform import plan_files
from tierform.terraform.runner import module_files
from tierform.verify import inspection_findings

pytestmark = pytest.mark.terraform

MODULE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten" / "firewall"
FIREWALL = "aws_networkfirewall_firewall.this"
EGRESS = [("app", "internet")]


def _network(cache: Path, terraform: str | None, *edits: tuple[str, str]) -> Network:
    return planned_network(MODULE, cache, terraform, *edits)


@pytest.fixture(scope="module")
def network(tierform_cache_dir: Path, tierform_terraform: str | None) -> Network:
    return _network(tierform_cache_dir, tierform_terraform)


def _kinds(network: Network) -> list[str]:
    return sorted({f.message.split(":")[0] for f in inspection_findings(network, EGRESS)})


def test_the_plan_reads_the_firewall_its_endpoints_and_policy(network: Network) -> None:
    assert not network.unresolved, network.unresolved
    firewall = network.firewalls[FIREWALL]
    assert firewall.subnets == (("us-east-1a", "aws_subnet.firewall[0]"),
                                ("us-east-1b", "aws_subnet.firewall[1]"))
    assert firewall.policy == "aws_networkfirewall_firewall_policy.this"
    policy = network.firewall_policies[firewall.policy]
    assert policy.strict_order
    assert policy.stateful_default == ("aws:drop_established",)
    assert policy.stateful_groups == ("aws_networkfirewall_rule_group.five_tuple",
                                      "aws_networkfirewall_rule_group.domains")
    five = network.firewall_rule_groups["aws_networkfirewall_rule_group.five_tuple"]
    assert [(r.action, r.destination_ports) for r in five.rules] == [
        ("drop", ((23, 23),)), ("pass", ((443, 443),))]
    domains = network.firewall_rule_groups["aws_networkfirewall_rule_group.domains"]
    assert domains.domains == (".amazonaws.com", "updates.example.com")


def test_both_sync_states_idioms_resolve_to_the_az_endpoint(network: Network) -> None:
    for index, az in enumerate(("us-east-1a", "us-east-1b")):
        endpoint = firewall_endpoint_key(FIREWALL, az)
        [app] = network.route_tables[f"aws_route_table.app[{index}]"].routes
        assert (app.kind, app.target) == ("gwlbe", endpoint)  # one([for ... if ...])
        back = {r.destination: r for r in
                network.route_tables[f"aws_route_table.public[{index}]"].routes}
        assert back[f"10.30.{10 + index}.0/24"].target == endpoint  # lookup(map by AZ)


def test_app_egress_is_inspected_and_filtered(network: Network) -> None:
    result = analyze(network)
    assert not result.reachable("app", "internet", "tcp", 23)  # the 5-tuple drop
    assert result.reachable("app", "internet", "tcp", 443)
    assert not result.unknown_ports("app", "internet", "tcp")
    assert not result.ports("app", "internet", "udp")  # default drop (no domain list for udp)
    assert result.tiers["app"].exposure == "private"
    assert any("listed domains only (.amazonaws.com" in w for w in result.warnings)
    answer = query(network, "app", "internet", "tcp", 443)
    assert any(f"through firewall {FIREWALL} in us-east-1" in leg.detail
               for leg in answer.legs), answer.legs
    blocked = query(network, "app", "internet", "tcp", 23)
    assert [leg.layer for leg in blocked.blocking] == ["firewall"]
    assert _kinds(network) == []


@pytest.mark.parametrize(("edits", "kinds"), [
    # The app route goes straight to the NAT gateway: never inspected.
    ([(r"vpc_endpoint_id = one\(\[\n.*\n.*\n  \]\)",
       "nat_gateway_id = aws_nat_gateway.this[count.index].id")], ["bypass"]),
    # The app route picks the other AZ's endpoint (and the reply comes back another way).
    ([(r"s.availability_zone == aws_subnet.app\[count.index\]",
       "s.availability_zone == aws_subnet.app[1 - count.index]")], ["asymmetric", "cross-AZ"]),
    # The NAT subnets no longer route the app CIDRs back through the endpoint.
    ([(r'resource "aws_route" "public_return" \{[^}]*\}', "")], ["asymmetric"]),
], ids=["app-route-skips-firewall", "other-az-endpoint", "return-bypasses"])
def test_routing_mutants_are_caught(tierform_cache_dir: Path, tierform_terraform: str | None,
                                    edits: list[tuple[str, str]], kinds: list[str]) -> None:
    mutant = _network(tierform_cache_dir, tierform_terraform, *edits)
    assert not mutant.unresolved, mutant.unresolved
    assert _kinds(mutant) == kinds
    if kinds == ["bypass"]:  # not inspected: the firewall's telnet drop no longer applies
        assert analyze(mutant).reachable("app", "internet", "tcp", 23)
    else:  # the firewall sees one direction only: unknown, never reachable nor blocked
        result = analyze(mutant)
        assert 443 in result.unknown_ports("app", "internet", "tcp")
        assert any("asymmetric" in r for r in result.incomplete_reasons)


def test_a_policy_rule_that_drops_the_flow_blocks_it_by_name(
        tierform_cache_dir: Path, tierform_terraform: str | None) -> None:
    mutant = _network(tierform_cache_dir, tierform_terraform,
                      (r'action = "PASS"', 'action = "DROP"'))
    answer = query(mutant, "app", "internet", "tcp", 443)
    assert answer.verdict == "blocked"
    [leg] = answer.blocking
    assert leg.layer == "firewall"
    assert "$EXTERNAL_NET 443" in leg.detail
    assert _kinds(mutant) == []  # the path is inspected: the rule is what blocks


def test_without_the_hcl_the_endpoint_routes_are_unresolved_not_guessed(
        tierform_cache_dir: Path, tierform_terraform: str | None) -> None:
    plan = plan_files(module_files(MODULE), region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    network = network_from_plan(plan.raw)  # the plan's references only
    assert any(u.attribute == "vpc_endpoint_id" for u in network.unresolved)
    result = analyze(network)
    assert not result.complete
    assert not result.reachable("app", "internet", "tcp", 23)
    assert 23 in result.unknown_ports("app", "internet", "tcp")  # never blocked
