"""R15, east-west: a route more specific than local to a Network Firewall endpoint is a
firewall hop between two tiers: the firewall subnet's NACL, the firewall's rules (both
addresses), then the firewall subnet's local route; the reply must come back through the
same endpoint, else the answer is unknown (asymmetric), never reachable or blocked. On the
network derived from tests/plan/fixtures/inspected-east-west.yaml, mutated in memory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.layout.network import firewall_endpoint_id
from tierform.network.model import FirewallRuleGroup, Network, Route
from tierform.verify import inspected_from_blueprint, inspection_findings
from unit.analyze.test_matrix_reference import as_dict, reference

ROOT = Path(__file__).resolve().parents[3]
EAST_WEST = ROOT / "tests" / "plan" / "fixtures" / "inspected-east-west.yaml"
A, B = firewall_endpoint_id("us-east-1a"), firewall_endpoint_id("us-east-1b")


def _network() -> Network:
    return workflow.check(workflow.load(EAST_WEST)).network


def _set_route(network: Network, table: str, destination: str,
               route: Route | None) -> None:
    """Replace (or with None remove) ``table``'s route to ``destination``; it must exist."""
    rid = f"aws_route_table.{table}"
    old = network.route_tables[rid]
    kept = tuple(r for r in old.routes if r.destination != destination)
    assert len(kept) == len(old.routes) - 1, (table, destination)
    network.route_tables[rid] = replace(old, routes=kept + ((route,) if route else ()))


def test_the_derived_network_crosses_the_firewall_both_ways() -> None:
    network = _network()
    result = query(network, "app", "db", "tcp", 3306)
    assert result.verdict == "reachable"
    layers = {(leg.layer, leg.leg) for leg in result.legs}
    assert ("firewall", "forward") in layers
    assert any("through firewall" in leg.detail and "east_west" in leg.detail
               for leg in result.legs if leg.layer == "routes")
    matrix = analyze(network)
    assert matrix.unknown == []
    assert matrix.verdict("app", "db", "tcp", 3306) == "reachable"
    assert matrix.verdict("app", "db", "tcp", 3307) == "blocked"


def test_the_firewall_rules_filter_east_west() -> None:
    # Without the flows' PASS rules, the default action drops app -> db: blocked, and
    # the firewall is the layer that says so.
    network = _network()
    rid = "aws_networkfirewall_rule_group.flows"
    group = network.firewall_rule_groups[rid]
    network.firewall_rule_groups[rid] = replace(
        group, rules=tuple(r for r in group.rules
                           if not {"10.0.21.0/24", "10.0.22.0/24"} & set(r.destinations)))
    assert len(network.firewall_rule_groups[rid].rules) < len(group.rules)
    result = query(network, "app", "db", "tcp", 3306)
    assert result.verdict == "blocked"
    assert {leg.layer for leg in result.blocking} == {"firewall"}
    assert analyze(network).verdict("app", "db", "tcp", 3306) == "blocked"


APP = {"app_a": "10.0.11.0/24", "app_b": "10.0.12.0/24"}
DB = {"db_a": "10.0.21.0/24", "db_b": "10.0.22.0/24"}


def _mutate(network: Network, mutant: str) -> None:
    """One misconfiguration, made on every subnet pair (the tier pair answers by its best
    subnet pair: a mutant of one pair only is verify's finding, test_inspection_verify)."""
    for app, app_cidr in APP.items():
        for db, db_cidr in DB.items():
            if mutant == "return":  # the db table misses the route back: local
                _set_route(network, db, app_cidr, None)
            elif mutant == "other":  # app routes to the endpoint db does not use
                used = next(r.target for r in network.route_tables[
                    f"aws_route_table.{db}"].routes if r.destination == app_cidr)
                _set_route(network, app, db_cidr, Route(db_cidr, "gwlbe",
                                                        B if used == A else A, "mutant"))
            elif mutant == "skip":  # app sends by local, db still replies through it
                _set_route(network, app, db_cidr, None)
    if mutant == "hop":
        for fw in [t for t in network.route_tables.values()
                   if t.source.startswith("aws_route_table.firewall_")]:
            network.route_tables[fw.id] = replace(fw, routes=(
                *fw.routes, Route("10.0.16.0/20", "eni", "eni-0abc", "mutant")))


def _unknown_reasons(network: Network) -> list[str]:
    matrix = analyze(network)
    assert matrix.verdict("app", "db", "tcp", 3306) == "unknown"
    found = [f for f in matrix.unknown if (f.src, f.dst, f.protocol) == ("app", "db", "tcp")]
    assert found
    assert 3306 in found[0].ports
    assert query(network, "app", "db", "tcp", 3306).verdict == "unknown"
    return list(found[0].reasons)


@pytest.mark.parametrize(("mutant", "words"), [
    ("return", "not back through"), ("other", "asymmetric"), ("skip", "came by"),
    ("hop", "further hop")])
def test_each_mutant_is_unknown_with_its_reason(mutant: str, words: str) -> None:
    network = _network()
    _mutate(network, mutant)
    reasons = _unknown_reasons(network)
    assert any(words in r for r in reasons), reasons


def test_a_loop_back_to_the_same_endpoint_blocks() -> None:
    network = _network()
    for fw in [t for t in network.route_tables.values()
               if t.source.startswith("aws_route_table.firewall_")]:
        endpoint = A if fw.source.endswith("_a") else B
        network.route_tables[fw.id] = replace(fw, routes=(
            *fw.routes, Route("10.0.16.0/20", "gwlbe", endpoint, "mutant")))
    result = query(network, "app", "db", "tcp", 3306)
    assert result.verdict == "blocked"
    assert any("a loop" in leg.detail for leg in result.blocking)
    assert analyze(network).verdict("app", "db", "tcp", 3306) == "blocked"


@pytest.mark.parametrize("mutant", ["none", "return", "other", "skip", "hop"])
def test_the_matrix_equals_the_pairwise_reference(mutant: str) -> None:
    network = _network()
    _mutate(network, mutant)
    expected, _ = reference(network, None)
    assert as_dict(analyze(network)) == expected


def test_a_firewall_group_not_read_is_unknown_not_blocked() -> None:
    network = _network()
    rid = "aws_networkfirewall_rule_group.flows"
    network.firewall_rule_groups[rid] = FirewallRuleGroup(
        rid, unparsed=("a rule the reader does not parse",), strict_order=True)
    assert query(network, "app", "db", "tcp", 3306).verdict == "unknown"


# --- verify (F8): bypass, cross-AZ, asymmetric between two tiers --------------------------


def _findings(network: Network) -> list[tuple[str, str]]:
    bp = workflow.check(workflow.load(EAST_WEST)).loaded.blueprint
    inspected = inspected_from_blueprint(bp)
    assert ("app", "db") in inspected
    assert ("web", "app") not in inspected  # opted out
    return [(f.message.split(":")[0], f.resource) for f in
            inspection_findings(network, inspected)]


def test_verify_accepts_the_design_cross_az_pairs_included() -> None:
    # app_b -> db_a crosses AZs through app_b's endpoint (b): the design, no finding
    assert _findings(_network()) == []


def test_verify_names_a_missing_return_route_asymmetric() -> None:
    network = _network()
    _set_route(network, "db_b", "10.0.11.0/24", None)
    assert _findings(network) == [("asymmetric", "aws_route_table.db_b local route")]


def test_verify_names_a_route_to_the_other_endpoint() -> None:
    network = _network()  # app_a -> db_a, one AZ: the b endpoint is in neither's AZ
    _set_route(network, "app_a", "10.0.21.0/24", Route("10.0.21.0/24", "gwlbe", B, "mutant"))
    assert sorted(_findings(network)) == [("asymmetric", "aws_route.db_a_east_west_app_a"),
                                          ("cross-AZ", "mutant")]
    network = _network()  # app_a -> db_b across AZs: b is db_b's AZ, but db_b replies by a
    _set_route(network, "app_a", "10.0.22.0/24", Route("10.0.22.0/24", "gwlbe", B, "mutant"))
    assert _findings(network) == [("asymmetric", "aws_route.db_b_east_west_app_a")]


def test_verify_names_a_route_that_skips_the_firewall() -> None:
    network = _network()
    _set_route(network, "app_b", "10.0.22.0/24", None)
    assert _findings(network) == [("bypass", "aws_route_table.app_b local route")]
