"""Gateway endpoints as the analyzer's ends ``aws:s3`` / ``aws:dynamodb`` (R5).

From the network the blueprint derives (tests/plan/fixtures/gateway_flows.yaml), then
with what a reader may or may not have: the prefix list's entries read (state, live), not
read while a rule names public addresses that could hold them (unknown, never blocked),
and a rule naming a prefix list that is not the endpoint's (a refused live read).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint_text
from tierform.layout import derive
from tierform.network.model import Network, SgRule

FIXTURE = (Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "gateway_flows.yaml"
           ).read_text("utf-8")
S3 = "aws_vpc_endpoint.s3"
ENTRIES = ("52.216.0.0/15", "54.231.0.0/16")


def _network(text: str = FIXTURE) -> Network:
    loaded = load_blueprint_text(text, "t.yaml")
    return derive(loaded.blueprint, loaded.allocation)


def _with_entries(net: Network, cidrs: tuple[str, ...] | None, pl: str | None = S3) -> Network:
    endpoints = dict(net.endpoints)
    endpoints[S3] = replace(endpoints[S3], cidrs=cidrs, prefix_list_id=pl)
    return replace(net, endpoints=endpoints)


def test_the_flows_tier_reaches_the_service_through_its_endpoint_only() -> None:
    net = _network()
    assert net.services == ["aws:dynamodb", "aws:s3"]
    through = query(net, "app", "aws:s3", "tcp", 443)
    assert through.verdict == "reachable"
    assert next(leg.detail for leg in through.legs if leg.layer == "routes").startswith(
        "com.amazonaws.us-east-1.s3 -> endpoint aws_vpc_endpoint.s3")
    blocked = query(net, "db", "aws:s3", "tcp", 443)
    assert blocked.verdict == "blocked"
    assert {(leg.layer, leg.resource) for leg in blocked.legs if not leg.ok} >= {
        ("routes", "aws_route_table.db_a"), ("security_groups", "aws_security_group.db")}
    flows = analyze(net).flows
    assert {(f.src, f.dst) for f in flows if "aws:" in f.src + f.dst} == {
        ("app", "aws:s3"), ("db", "aws:dynamodb")}  # a service never opens a connection
    # The group rule names the prefix list, not the internet.
    assert query(net, "app", "internet", "tcp", 443).verdict == "blocked"


def test_read_entries_place_the_service_and_leave_the_internet() -> None:
    net = _with_entries(_network(), ENTRIES, "pl-0123456789abcdef0")
    groups = dict(net.security_groups)
    app = groups["aws_security_group.app"]
    # A reader that expands the prefix list rule by its entries (live does).
    rules = tuple(r for r in app.rules if r.prefix_list is None) + tuple(
        SgRule(True, "6", 443, 443, cidr=c, source="s3 rule") for c in ENTRIES)
    groups[app.id] = replace(app, rules=rules)
    net = replace(net, security_groups=groups)
    assert query(net, "app", "aws:s3", "tcp", 443).verdict == "reachable"
    # Those CIDR rules admit S3's addresses only, which are aws:s3, not "the internet".
    assert query(net, "app", "internet", "tcp", 443).verdict == "blocked"
    assert query(net, "db", "aws:s3", "tcp", 443).verdict == "blocked"


def test_unread_entries_beside_a_public_rule_are_unknown_never_blocked() -> None:
    text = FIXTURE.replace("nat: single\n", "nat: single\nnetworks: {partner: 203.0.113.0/24}\n"
                           ).replace("flows:\n", "flows:\n  - {from: app, to: partner, "
                                     "ports: [443]}\n")
    net = _network(text)
    for src in ("app", "db"):
        answer = query(net, src, "aws:s3", "tcp", 443)
        assert answer.verdict == "unknown", src
        assert any("prefix list are not in the input" in r for r in answer.reasons)
    # Read, the same network answers.
    read = _with_entries(net, ENTRIES)
    assert query(read, "app", "aws:s3", "tcp", 443).verdict == "reachable"
    assert query(read, "db", "aws:s3", "tcp", 443).verdict == "blocked"


def test_a_prefix_list_that_is_not_the_endpoints_stays_unknown() -> None:
    # A live read whose DescribePrefixLists was refused: the rule's pl-... is unknown.
    net = _network()
    groups = dict(net.security_groups)
    app = groups["aws_security_group.app"]
    groups[app.id] = replace(app, rules=tuple(
        replace(r, prefix_list="pl-0123456789abcdef0") if r.prefix_list else r
        for r in app.rules))
    net = replace(_with_entries(net, None, None), security_groups=groups)
    assert query(net, "app", "aws:s3", "tcp", 443).verdict == "unknown"
    assert query(net, "app", "internet", "tcp", 443).verdict == "unknown"
