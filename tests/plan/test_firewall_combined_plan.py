"""R15 on a plan, AWS's combined design (hand-written, for_each over AZs): ingress into
web by the internet gateway's edge table through its AZ's firewall endpoint, app's
egress through the NAT gateway then the firewall (which sees the NAT's address), and
mutants the proof must catch: the edge route of one AZ to the other AZ's endpoint, web's
route straight to the internet gateway, a rule that drops web's 443."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutant_support import planned_network
from tierform.analyze import analyze, query
from tierform.network.model import Network, firewall_endpoint_key
from tierform.verify import inspection_findings

pytestmark = pytest.mark.terraform

MODULE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten" / "firewall-combined"
PAIRS = [("internet", "web"), ("app", "internet")]


def _network(cache: Path, terraform: str | None, *edits: tuple[str, str]) -> Network:
    return planned_network(MODULE, cache, terraform, *edits)


@pytest.fixture(scope="module")
def network(tierform_cache_dir: Path, tierform_terraform: str | None) -> Network:
    return _network(tierform_cache_dir, tierform_terraform)


def _kinds(network: Network) -> list[str]:
    return sorted({f.message.split(":")[0] for f in inspection_findings(network, PAIRS)})


def test_the_edge_table_and_the_endpoint_idioms_are_read(network: Network) -> None:
    assert not network.unresolved, network.unresolved
    edge = network.route_tables["aws_route_table.edge"]
    assert edge.gateway_ids == frozenset({"aws_internet_gateway.this"})
    assert not edge.subnet_ids
    targets = {r.destination: r.target for r in edge.routes}
    assert targets["10.40.1.0/24"] == firewall_endpoint_key(
        "aws_networkfirewall_firewall.this", "us-east-1a")
    [web] = network.route_tables['aws_route_table.web["us-east-1b"]'].routes
    assert web.target == firewall_endpoint_key("aws_networkfirewall_firewall.this",
                                               "us-east-1b")


def test_ingress_and_egress_are_proven_through_the_firewall(network: Network) -> None:
    result = analyze(network)
    assert result.complete, result.incomplete_reasons
    assert str(result.ports("internet", "web", "tcp")) == "443"  # 80: the firewall drops it
    assert str(result.ports("app", "internet", "tcp")) == "443"  # 23 dropped, default drop
    assert result.tiers["web"].exposure == "public"
    assert result.tiers["app"].exposure == "private"
    assert [leg.layer for leg in query(network, "internet", "web", "tcp", 80).blocking] == [
        "firewall"]
    assert _kinds(network) == []


@pytest.mark.parametrize(("edits", "kinds", "unknown"), [
    # The edge table sends AZ a's web CIDR to AZ b's endpoint: in by one, out by another.
    ([(r"vpc_endpoint_id        = local.endpoint_by_az\[each.key\]",
       'vpc_endpoint_id        = local.endpoint_by_az["us-east-1b"]')], ["asymmetric"], True),
    # web's default route goes straight to the internet gateway: never inspected.
    ([(r"vpc_endpoint_id = \[\n.*\n.*\n  \]\[0\]",
       "gateway_id = aws_internet_gateway.this.id")], ["bypass"], False),
], ids=["edge-to-other-az", "web-skips-firewall"])
def test_mutants_are_caught(tierform_cache_dir: Path, tierform_terraform: str | None,
                            edits: list[tuple[str, str]], kinds: list[str],
                            unknown: bool) -> None:
    mutant = _network(tierform_cache_dir, tierform_terraform, *edits)
    assert not mutant.unresolved, mutant.unresolved
    assert kinds[0] in _kinds(mutant)
    result = analyze(mutant)
    if unknown:  # AZ b is still symmetric: the tier pair connects there; F8 names AZ a
        assert result.reachable("internet", "web", "tcp", 443)
        found = inspection_findings(mutant, PAIRS)
        # web in AZ a (ingress) and app in AZ a (its NAT's replies come in the same way)
        assert sorted((f.src, f.dst) for f in found) == [("app", "internet"),
                                                         ("internet", "web")]
        assert all('web["us-east-1a"]' in f.message or 'app["us-east-1a"]' in f.message
                   for f in found)
    else:  # not through the firewall: its drop of 80 no longer holds
        assert result.reachable("internet", "web", "tcp", 80)


def test_a_rule_that_drops_web_443_blocks_it(tierform_cache_dir: Path,
                                              tierform_terraform: str | None) -> None:
    mutant = _network(tierform_cache_dir, tierform_terraform,
                      (r"pass tcp any any -> \[", "drop tcp any any -> ["))
    answer = query(mutant, "internet", "web", "tcp", 443)
    assert answer.verdict == "blocked"
    assert [leg.layer for leg in answer.blocking] == ["firewall"]
