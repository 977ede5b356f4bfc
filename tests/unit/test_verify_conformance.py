"""verify's stricter rules on the shipped three-tier and four-tier networks, one change each:
routes judged alone, each layer alone, every subnet pair, single-layer return legs, tiers
and named networks from the blueprint, and the gate."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze
from tierform.network.model import Appliance, NaclEntry, Network, Route, SecurityGroup, SgRule
from tierform.report import single_layer_table, verify_json, verify_sarif, verify_table
from tierform.verify import VerifyReport

ROOT = Path(__file__).resolve().parents[2]


def _loaded(name: str) -> workflow.LoadedBlueprint:
    return workflow.load(ROOT / "blueprints" / f"{name}.yaml")


def _network(name: str) -> Network:
    return workflow.check(_loaded(name)).network


def _verify(network: Network, name: str = "three-tier", **kw: object) -> VerifyReport:
    return workflow.verify_network(_loaded(name), network, **kw)  # type: ignore[arg-type]


def _with_route(network: Network, table: str, route: Route) -> Network:
    tables = dict(network.route_tables)
    tables[table] = replace(tables[table], routes=(*tables[table].routes, route))
    return replace(network, route_tables=tables)


def _kinds(report: VerifyReport) -> list[tuple[str, str | None, str | None]]:
    return [(f.kind, f.layer, f.resource) for f in report.findings]


@pytest.mark.parametrize("route", [
    Route("::/0", "igw", "aws_internet_gateway.this", "aws_route.db_a_v6"),
    Route("0.0.0.0/0", "other", "tgw-1", "aws_route.db_a_tgw"),
    Route("::/0", "eigw", "eigw-1", "aws_route.db_a_eigw"),
    Route("10.1.0.0/16", "other", "pcx-1", "aws_route.db_a_peer"),
    Route("192.168.0.0/16", "vgw", "vgw-1", "aws_route.db_a_vgw"),
], ids=["ipv6-igw", "tgw", "eigw", "peering", "vgw"])
def test_a_route_leaving_the_vpc_from_an_isolated_tier_is_a_finding(route: Route) -> None:
    report = _verify(_with_route(_network("three-tier"), "aws_route_table.db_a", route))
    routes = [f for f in report.findings if f.kind == "route"]
    assert [(f.src, f.layer, f.resource) for f in routes] == [("db", "routes", route.source)]
    assert "isolated tier db" in routes[0].message
    assert route.destination in routes[0].message
    assert report.exit_code == 1


def test_a_gateway_endpoint_route_is_not_a_finding() -> None:
    route = Route("pl-63a5400a", "endpoint", "aws_vpc_endpoint.s3", "aws_vpc_endpoint_rta.db")
    assert _verify(_with_route(_network("three-tier"), "aws_route_table.db_a", route)).ok


def test_a_route_to_a_named_network_a_flow_names_is_intended() -> None:
    """four-tier: corp -> mgmt is a flow; corp -> db is not."""
    network = _network("four-tier")
    mgmt = next(t.id for t in network.route_tables.values()
                if any(network.subnets[s].tier == "mgmt" for s in t.subnet_ids))
    db = next(t.id for t in network.route_tables.values()
              if any(network.subnets[s].tier == "db" for s in t.subnet_ids))
    to_corp = Route("192.168.0.0/16", "vgw", "vgw-1", "aws_route.to_corp")
    assert _verify(_with_route(network, mgmt, to_corp), "four-tier").ok
    report = _verify(_with_route(network, db, to_corp), "four-tier")
    assert [(f.kind, f.src) for f in report.findings] == [("route", "db")]


def test_tiers_come_from_the_blueprint_cidrs_when_subnets_carry_no_tag() -> None:
    network = _network("three-tier")
    untagged = replace(network, subnets={k: replace(s, tier=None)
                                         for k, s in network.subnets.items()})
    assert untagged.tiers == []
    report = _verify(untagged)
    assert report.ok, _kinds(report)
    assert set(report.reachability.tiers) == {"web", "app", "db"}


def test_named_networks_of_the_blueprint_are_endpoints_of_every_read() -> None:
    network = replace(_network("four-tier"), named_networks={})
    report = _verify(network, "four-tier")
    assert report.ok, _kinds(report)
    assert "corp" in report.reachability.endpoints
    assert report.reachability.reachable("corp", "mgmt", "tcp", 22)


def _group_rule(network: Network, group: str, rule: SgRule) -> Network:
    groups = dict(network.security_groups)
    groups[group] = replace(groups[group], rules=(*groups[group].rules, rule))
    return replace(network, security_groups=groups)


def test_a_group_open_to_the_internet_is_a_layer_finding_while_the_acls_hold() -> None:
    rule = SgRule(False, "6", 3306, 3306, cidr="0.0.0.0/0", source="aws_security_group_rule.x")
    report = _verify(_group_rule(_network("three-tier"), "aws_security_group.db", rule))
    layer = [f for f in report.findings if f.kind == "layer"]
    assert layer
    assert all(f.layer == "security_groups" and f.dst == "db" for f in layer)
    assert any("aws_security_group_rule.x" in f.resource for f in layer)
    assert any(f.src == "internet" and "3306" in f.message for f in layer)
    assert not [f for f in report.findings if f.kind == "unintended"]  # the ACLs hold
    assert report.exit_code == 1
    gated = _verify(_group_rule(_network("three-tier"), "aws_security_group.db", rule),
                    gate="end-to-end")
    assert gated.ok
    assert gated.exit_code == 0
    assert {f.level for f in gated.findings} == {"warning"}
    assert "WARNING" in verify_table(gated)


def test_an_allow_all_acl_rule_is_a_layer_finding_naming_it() -> None:
    network = _network("three-tier")
    nacls = dict(network.nacls)
    db = nacls["aws_network_acl.db"]
    nacls[db.id] = replace(db, entries=(
        NaclEntry(50, False, "-1", "allow", "0.0.0.0/0", source="aws_network_acl.db rule 50"),
        *db.entries))
    report = _verify(replace(network, nacls=nacls))
    # db's outbound rules still drop the replies: a single-rule finding, lowest severity.
    rule = [f for f in report.findings if f.kind == "rule"]
    assert rule
    assert {(f.layer, f.dst, f.grade) for f in rule} == {("nacls", "db", "rule")}
    assert any("rule 50" in f.resource for f in rule)
    assert report.exit_code == 1
    assert _verify(replace(network, nacls=nacls), gate="layer").ok


def test_a_flow_broken_between_one_subnet_pair_is_broken() -> None:
    """db's ACL drops the replies to app_b only: the tier pair still connects via app_a."""
    network = _network("three-tier")
    nacls = dict(network.nacls)
    db = nacls["aws_network_acl.db"]
    nacls[db.id] = replace(db, entries=tuple(
        e for e in db.entries if not (e.egress and e.cidr == "10.0.12.0/24")))
    report = _verify(replace(network, nacls=nacls))
    broken = [f for f in report.findings if f.kind == "broken"]
    assert len(broken) == 2, _kinds(report)  # app_b -> db_a and app_b -> db_b
    assert all("aws_subnet.app_b" in f.message and f.layer == "nacls"
               and "aws_network_acl.db" in f.resource for f in broken)
    assert report.reachability.reachable("app", "db", "tcp", 3306)  # the tier pair holds


def test_single_layer_return_legs_are_listed_not_dropped() -> None:
    """db's groups failed open with an allow-all ACL and an internet route: every port."""
    network = _network("three-tier")
    nacls = dict(network.nacls)
    nacls["aws_network_acl.db"] = replace(nacls["aws_network_acl.db"], entries=tuple(
        NaclEntry(1, egress, "-1", "allow", "0.0.0.0/0", source="rule 1")
        for egress in (False, True)))
    network = _with_route(replace(network, nacls=nacls), "aws_route_table.db_a",
                          Route("0.0.0.0/0", "igw", "aws_internet_gateway.this", "aws_route.x"))
    report = _verify(network)
    legs = report.return_legs["security_groups"]
    assert any(f.dst == "db" and f.ports is not None and (3306 + 2000) in f.ports
               for f in legs)
    assert "return legs" in single_layer_table(report)


def test_sarif_knows_every_finding_kind() -> None:
    """An identity finding used to have no SARIF rule (ValueError from rule_ids.index)."""
    network = replace(_network("three-tier"), subnets={
        k: replace(s, tier="other") if s.tier == "db" else s
        for k, s in _network("three-tier").subnets.items()})
    report = _verify(network)
    assert "identity" in {f.kind for f in report.findings}
    sarif = verify_sarif(report, "bp.yaml", lambda path: (1, 1))
    json.dumps(sarif)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"tierform/identity"}


def test_db_inbound_rule_from_web_is_a_rule_finding_though_web_egress_blocks() -> None:
    """3306 is in the ephemeral range: the reply exception (web -> internet's 443 seen from
    db) once hid it, because it was taken from the widened needs instead of the intents."""
    rule = SgRule(False, "6", 3306, 3306, group="aws_security_group.web",
                  source="aws_security_group_rule.web_to_db")
    report = _verify(_group_rule(_network("three-tier"), "aws_security_group.db", rule))
    found = [f for f in report.findings if f.kind == "rule"]
    assert [(f.src, f.dst, f.layer, f.grade) for f in found] == [
        ("web", "db", "security_groups", "rule")]
    assert "aws_security_group_rule.web_to_db" in found[0].resource


def test_public_tier_ephemeral_ports_from_the_internet_are_stated() -> None:
    """The NAT gateways share the public tier's ACL, which admits replies from 0.0.0.0/0 on
    1024-65535: with the groups failed open the internet opens those ports into web. verify
    says so (it listed only private and isolated tiers before, printing "nothing")."""
    report = _verify(_network("four-tier"), "four-tier")
    legs = [(f.src, f.dst, f.protocol, str(f.ports))
            for f in report.return_legs["security_groups"]]
    assert ("internet", "web", "tcp", "1024-65535") in legs
    assert not report.return_legs["nacls"]
    assert not report.return_legs["routes"]
    row = next(line for line in single_layer_table(report).splitlines()
               if line.startswith("security_groups"))
    assert "internet -> web tcp 1024-65535" in row
    assert "nothing" not in row
    document = verify_json(report)
    assert {"from": "internet", "to": "web", "protocol": "tcp", "ports": [[1024, 65535]]} in [
        {k: leg[k] for k in ("from", "to", "protocol", "ports")}
        for leg in document["return_legs"]["security_groups"]]


def test_a_route_from_an_isolated_tier_through_an_appliance_is_a_finding_naming_it() -> None:
    """R14: db routed to the internet through a forwarding network interface in web: the
    routes layer alone admits it, named by the hop; db's exposure becomes private."""
    network = _network("three-tier")
    web = network.subnets_of("web")[0].id
    route = Route("0.0.0.0/0", "eni", "aws_network_interface.nat", "aws_route.db_a_nat")
    network = _with_route(network, "aws_route_table.db_a", route)
    network.security_groups["aws_security_group.nat"] = SecurityGroup(
        "aws_security_group.nat", tuple(SgRule(egress, "-1", cidr="0.0.0.0/0")
                                        for egress in (False, True)))
    network.appliances["aws_network_interface.nat"] = Appliance(
        "aws_network_interface.nat", web, ("aws_security_group.nat",), False,
        "aws_network_interface.nat")
    report = _verify(network)
    routes = [f for f in report.findings if f.kind == "route"]
    assert [(f.src, f.layer, f.resource) for f in routes] == [("db", "routes", route.source)]
    assert "eni aws_network_interface.nat" in routes[0].message
    assert report.exit_code == 1
    assert analyze(network).tiers["db"].exposure == "private"  # followed through the hop
