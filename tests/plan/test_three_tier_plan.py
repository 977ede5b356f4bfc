"""The shipped three-tier module, read through its plan: layers, routes, NACLs, security groups.

One shared plan (session-scoped, cached by content). Expectations are written out by
hand from blueprints/three-tier.yaml and the derivation rules in DESIGN.md, not
computed by tierform's own derive(): a rendering bug must show up here. Wiring is
checked through configuration references, since IDs are unknown at plan time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipped_support import plan_variables
from tierform.terraform.cache import prepare_workdir
from tierform.terraform.plan import Plan, PlannedResource
from tierform.terraform.runner import Runner, module_files
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "modules"
THREE_TIER = MODULES / "three-tier"

ANY = "0.0.0.0/0"
WEB = ("10.0.1.0/24", "10.0.2.0/24")
APP = ("10.0.11.0/24", "10.0.12.0/24")
DB = ("10.0.21.0/24", "10.0.22.0/24")
EPHEMERAL = (1024, 65535)


@pytest.fixture(scope="module")
def plan(tierform_plan: PlanFactory) -> Plan:
    assert (THREE_TIER / "versions.tf").is_file(), (
        f"{THREE_TIER} is missing: render it with `tierform render blueprints/three-tier.yaml`")
    return tierform_plan(THREE_TIER)


def _one(plan: Plan, address: str, attribute: str) -> PlannedResource:
    """The single resource an attribute refers to (fails when unresolved or ambiguous)."""
    targets = plan.references(address, attribute)
    assert len(targets) == 1, f"{address}.{attribute} refers to {targets}"
    return plan.resource(targets[0])


def _subnets_of_route_table(plan: Plan, table: str) -> list[PlannedResource]:
    return [_one(plan, a.address, "subnet_id")
            for a in plan.resources("aws_route_table_association")
            if plan.references(a.address, "route_table_id") == [table]]


def test_six_subnets_with_cidrs_zones_and_tags(plan: Plan) -> None:
    expected = {
        "aws_subnet.web_a": ("10.0.1.0/24", "us-east-1a", "web"),
        "aws_subnet.web_b": ("10.0.2.0/24", "us-east-1b", "web"),
        "aws_subnet.app_a": ("10.0.11.0/24", "us-east-1a", "app"),
        "aws_subnet.app_b": ("10.0.12.0/24", "us-east-1b", "app"),
        "aws_subnet.db_a": ("10.0.21.0/24", "us-east-1a", "db"),
        "aws_subnet.db_b": ("10.0.22.0/24", "us-east-1b", "db"),
    }
    subnets = plan.resources("aws_subnet")
    assert [s.address for s in subnets] == sorted(expected)
    for subnet in subnets:
        cidr, zone, tier = expected[subnet.address]
        subnet.assert_matches({
            "cidr_block": cidr, "availability_zone": zone, "map_public_ip_on_launch": False,
            "tags": {"Tier": tier, "Name": f"three-tier-{tier}-{zone[-1]}"},
        })
        assert _one(plan, subnet.address, "vpc_id").address == "aws_vpc.this"


def test_every_tier_has_its_own_route_tables_nacl_and_security_group(plan: Plan) -> None:
    for tier in ("web", "app", "db"):
        for subnet in plan.resources("aws_subnet", tier=tier):
            table = [_one(plan, a.address, "route_table_id")
                     for a in plan.resources("aws_route_table_association")
                     if plan.references(a.address, "subnet_id") == [subnet.address]]
            assert [t.tags["Tier"] for t in table] == [tier], subnet.address
            acl = [_one(plan, a.address, "network_acl_id")
                   for a in plan.resources("aws_network_acl_association")
                   if plan.references(a.address, "subnet_id") == [subnet.address]]
            assert [a.tags["Tier"] for a in acl] == [tier], subnet.address
        assert [g.tags["Tier"] for g in plan.resources("aws_security_group", tier=tier)] == [tier]


def test_two_nat_gateways_in_the_web_subnets(plan: Plan) -> None:
    nats = plan.resources("aws_nat_gateway")
    assert len(nats) == 2
    homes = sorted(_one(plan, n.address, "subnet_id").address for n in nats)
    assert homes == ["aws_subnet.web_a", "aws_subnet.web_b"]
    for nat in nats:
        nat.assert_matches({"connectivity_type": "public"})
        assert _one(plan, nat.address, "allocation_id").type == "aws_eip"


def test_web_route_tables_default_to_the_internet_gateway(plan: Plan) -> None:
    routes = plan.resources("aws_route", tier="web")
    assert len(routes) == 2
    for route in routes:
        route.assert_matches({"destination_cidr_block": ANY})
        assert _one(plan, route.address, "gateway_id").type == "aws_internet_gateway"


def test_each_app_route_table_defaults_to_the_nat_of_its_zone(plan: Plan) -> None:
    tables = plan.resources("aws_route_table", tier="app")
    assert len(tables) == 2
    for table in tables:
        routes = [r for r in plan.resources("aws_route")
                  if plan.references(r.address, "route_table_id") == [table.address]]
        assert len(routes) == 1, f"{table.address}: {routes}"
        route = routes[0]
        route.assert_matches({"destination_cidr_block": ANY, "gateway_id": None})
        nat_subnet = _one(plan, _one(plan, route.address, "nat_gateway_id").address, "subnet_id")
        zones = {s["availability_zone"] for s in _subnets_of_route_table(plan, table.address)}
        assert zones == {nat_subnet["availability_zone"]}, table.address


def test_db_route_tables_have_no_route_to_any_gateway(plan: Plan) -> None:
    tables = {t.address for t in plan.resources("aws_route_table", tier="db")}
    assert len(tables) == 2
    for table in tables:
        assert plan.resource(table)["route"] == []  # no inline routes either
    into_db = [r.address for r in plan.resources("aws_route")
               if set(plan.references(r.address, "route_table_id")) & tables]
    assert into_db == []
    # Gateway endpoints (S3, DynamoDB) may be associated; nothing else may point at db tables.
    allowed = {"aws_route_table_association", "aws_vpc_endpoint_route_table_association"}
    for resource in plan.values():
        if set(plan.references(resource.address, "route_table_id")) & tables:
            assert resource.type in allowed, resource.address


def _acl_rules(plan: Plan) -> set[tuple[str, str, str, str, int | None, int | None, str]]:
    rules = set()
    for rule in plan.resources("aws_network_acl_rule"):
        acl = _one(plan, rule.address, "network_acl_id")
        rules.add((acl.tags["Tier"], "out" if rule["egress"] else "in", rule["rule_action"],
                   rule["protocol"], rule["from_port"], rule["to_port"], rule["cidr_block"]))
    return rules


def test_nacl_entries_are_exactly_what_the_flows_require(plan: Plan) -> None:
    expected = set()

    def flow(src: str, src_cidrs: tuple[str, ...], dst: str, dst_cidrs: tuple[str, ...],
             port: int) -> None:
        # Forward leg leaves the source subnet and enters the destination subnet; the
        # return leg (stateless NACLs) comes back on the client's ephemeral ports.
        for s in src_cidrs:
            for d in dst_cidrs:
                if src != "internet":
                    expected.add((src, "out", "allow", "tcp", port, port, d))
                    expected.add((src, "in", "allow", "tcp", *EPHEMERAL, d))
                expected.add((dst, "in", "allow", "tcp", port, port, s))
                expected.add((dst, "out", "allow", "tcp", *EPHEMERAL, s))

    flow("internet", (ANY,), "web", WEB, 80)
    flow("internet", (ANY,), "web", WEB, 443)
    flow("web", WEB, "app", APP, 8080)
    flow("app", APP, "db", DB, 3306)
    # "internet" is every address outside the VPC: before its first 0.0.0.0/0 rule, each
    # direction of web's ACL denies the VPC, so other tiers cannot ride the internet rules.
    expected.add(("web", "in", "deny", "-1", None, None, "10.0.0.0/16"))
    expected.add(("web", "out", "deny", "-1", None, None, "10.0.0.0/16"))
    assert _acl_rules(plan) == expected


def test_nacl_rule_order_keeps_tier_rules_before_the_internet_range(plan: Plan) -> None:
    """First match wins: tier rules < VPC deny < internet allows, in each ACL direction."""
    by_direction: dict[tuple[str, bool], list[tuple[int, str, str]]] = {}
    for rule in plan.resources("aws_network_acl_rule"):
        acl = _one(plan, rule.address, "network_acl_id").address
        by_direction.setdefault((acl, rule["egress"]), []).append(
            (rule["rule_number"], rule["rule_action"], rule["cidr_block"]))
    for key, rules in by_direction.items():
        rules.sort()
        kinds = ["tier" if cidr not in (ANY, "10.0.0.0/16") else
                 ("deny" if action == "deny" else "internet") for _, action, cidr in rules]
        order = {"tier": 0, "deny": 1, "internet": 2}
        assert [order[k] for k in kinds] == sorted(order[k] for k in kinds), (key, rules)
        if "internet" in kinds:
            assert "deny" in kinds, key


def test_default_nacl_and_default_security_group_fail_closed(plan: Plan) -> None:
    plan.resource("aws_default_network_acl.this").assert_matches({"ingress": [], "egress": []})
    plan.resource("aws_default_security_group.this").assert_matches(
        {"ingress": [], "egress": []})


def test_security_group_rules_are_exactly_what_the_flows_require(plan: Plan) -> None:
    assert plan.resources("aws_security_group_rule") == []  # only the per-rule resources
    found = set()
    for kind, way in (("aws_vpc_security_group_ingress_rule", "in"),
                      ("aws_vpc_security_group_egress_rule", "out")):
        for rule in plan.resources(kind):
            group = _one(plan, rule.address, "security_group_id")
            peers = plan.references(rule.address, "referenced_security_group_id")
            peer = (f"sg:{plan.resource(peers[0]).tags['Tier']}" if peers
                    else rule["cidr_ipv4"])
            assert plan.tier_of(rule.address) == group.tags["Tier"], rule.address
            found.add((group.tags["Tier"], way, rule["ip_protocol"], rule["from_port"],
                       rule["to_port"], peer))
    assert found == {
        ("web", "in", "tcp", 80, 80, ANY),
        ("web", "in", "tcp", 443, 443, ANY),
        ("app", "in", "tcp", 8080, 8080, "sg:web"),
        ("web", "out", "tcp", 8080, 8080, "sg:app"),
        ("db", "in", "tcp", 3306, 3306, "sg:app"),
        ("app", "out", "tcp", 3306, 3306, "sg:db"),
    }


def test_plan_only_creates(plan: Plan) -> None:
    assert plan.only_creates()


def test_modules_are_shipped() -> None:
    assert sorted(p.name for p in MODULES.iterdir() if p.is_dir()), f"nothing in {MODULES}"


@pytest.mark.parametrize("module", sorted(p.name for p in MODULES.iterdir() if p.is_dir())
                         if MODULES.is_dir() else [])
def test_every_module_validates_and_plans(module: str, tierform_plan: PlanFactory,
                                          tierform_cache_dir: Path) -> None:
    workdir = prepare_workdir(module_files(MODULES / module), cache_dir=tierform_cache_dir)
    assert Runner(workdir).validate()["valid"] is True
    planned = tierform_plan(MODULES / module, plan_variables(MODULES / module))
    assert planned.only_creates()
    assert planned.resources("aws_vpc"), module
