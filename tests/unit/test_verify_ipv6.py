"""verify over IPv6 (docs/network-semantics.md F7, R6): IPv6 holes are findings naming the
tier, the layer and the resource, also on a network whose subnets have no IPv6 blocks yet."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tierform import workflow
from tierform.network.model import NaclEntry, Route, SgRule
from tierform.verify import VerifyReport

THREE_TIER = Path(__file__).resolve().parents[2] / "blueprints" / "three-tier.yaml"
V6_BLOCK = "2600:1f18:aa:100::/56"


def _verify(*, rule: SgRule | None = None, route: Route | None = None,
            dual_stack: bool = False, db_acl_v6: bool = False) -> VerifyReport:
    loaded = workflow.load(THREE_TIER)
    network = workflow.check(loaded).network
    if dual_stack:
        network = replace(network, vpc_ipv6_cidrs=(V6_BLOCK,), subnets={
            key: replace(s, ipv6_cidr=f"2600:1f18:aa:1{index:02x}::/64")
            for index, (key, s) in enumerate(network.subnets.items())})
    if rule is not None:
        db = next(g for g in network.security_groups.values() if g.tier == "db")
        network.security_groups[db.id] = replace(db, rules=(*db.rules, rule))
    if route is not None:
        for key, table in list(network.route_tables.items()):
            if table.tier == "db":
                network.route_tables[key] = replace(table, routes=(*table.routes, route))
    for key, nacl in list(network.nacls.items()):
        if db_acl_v6 and nacl.tier == "db":  # db's ACL admits ::/0 both ways
            network.nacls[key] = replace(nacl, entries=(*nacl.entries, *(
                NaclEntry(32000, egress, "-1", "allow", "::/0", source="db_v6_acl")
                for egress in (False, True))))
    return workflow.verify_network(loaded, network)


def test_the_shipped_blueprint_verifies_clean_in_both_families() -> None:
    assert _verify().exit_code == 0
    report = _verify(dual_stack=True)
    assert report.exit_code == 0, [f.message for f in report.findings]
    assert report.reachability.tiers["db"].exposure_ipv6 == "isolated"


def test_an_ipv6_group_rule_is_a_layer_finding_before_any_subnet_has_ipv6() -> None:
    report = _verify(rule=SgRule(False, "6", 3306, 3306, cidr="::/0",
                                 source="aws_vpc_security_group_ingress_rule.db_v6"))
    assert report.exit_code == 1
    layer = [f for f in report.findings if f.kind == "layer"]
    assert [(f.src, f.dst, f.layer, f.family, f.resource) for f in layer] == [
        ("internet", "db", "security_groups", "ipv6",
         "aws_vpc_security_group_ingress_rule.db_v6")]
    assert "over IPv6" in layer[0].message
    assert "one edit away" in layer[0].message
    assert not any(f.kind == "unintended" for f in report.findings)  # no IPv6 hosts yet


def test_ipv6_exposure_wider_than_declared_is_a_finding() -> None:
    route = Route("::/0", "igw", "aws_internet_gateway.this", source="aws_route.db_v6")
    report = _verify(route=route, dual_stack=True)
    assert report.reachability.tiers["db"].exposure == "isolated"
    assert report.reachability.tiers["db"].exposure_ipv6 == "public"
    kinds = {(f.kind, f.family) for f in report.findings if f.dst == "db" or f.src == "db"}
    assert ("exposure", "ipv6") in kinds
    assert any(f.kind == "route" and f.resource == "aws_route.db_v6" for f in report.findings)
    assert report.exit_code == 1


def test_an_ipv6_hole_in_the_groups_is_held_by_ipv4_only_acls() -> None:
    """db's group open to ::/0 on a dual-stack network whose db table routes ::/0 to the
    internet gateway: reachable end to end over IPv6 only if the ACLs admit it; three-tier's
    ACLs have IPv4 entries only, so they hold (A7) and the finding is the layer's."""
    route = Route("::/0", "igw", "aws_internet_gateway.this", source="aws_route.db_v6")
    rule = SgRule(False, "6", 3306, 3306, cidr="::/0", source="db_v6_rule")
    report = _verify(rule=rule, route=route, dual_stack=True)
    assert report.reachability.verdict("internet", "db", "tcp", 3306, "ipv6") == "blocked"
    assert any(f.kind == "layer" and f.layer == "security_groups" and f.family == "ipv6"
               and f.resource == "db_v6_rule" for f in report.findings)


def test_an_ipv6_hole_through_every_layer_is_unintended_over_ipv6() -> None:
    """The same, with db's ACL admitting ::/0 both ways: the hole is end to end."""
    route = Route("::/0", "igw", "aws_internet_gateway.this", source="aws_route.db_v6")
    rule = SgRule(False, "6", 3306, 3306, cidr="::/0", source="db_v6_rule")
    report = _verify(rule=rule, route=route, dual_stack=True, db_acl_v6=True)
    assert report.reachability.verdict("internet", "db", "tcp", 3306, "ipv6") == "reachable"
    assert report.reachability.verdict("internet", "db", "tcp", 3306, "ipv4") == "blocked"
    unintended = [f for f in report.findings if f.kind == "unintended"]
    assert [(f.src, f.dst, f.family) for f in unintended] == [("internet", "db", "ipv6")]
    assert "over IPv6" in unintended[0].message
    assert report.exit_code == 1
