"""The community-style fixtures plan offline with their defaults, in the shape their
hand-written matrices assume (tests/fixtures/community/*.expected.json).

Only what a plan knows is checked here: resource counts and keys, tags, CIDRs and AZs.
The wiring (ids unknown until apply) is what the plan reader must resolve; its equality
with the expected matrix is tests/plan/test_community_plan_matrix.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from community_support import NAMES, REGION, Expected, load_expected
from tierform.terraform.plan import Plan
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform

AZS = ["us-east-1a", "us-east-1b"]

# Resources per type under the defaults, counted by hand from each fixture's HCL.
SHAPES: dict[str, dict[str, int]] = {
    "count-vpc": {
        "aws_vpc": 1, "aws_vpc_ipv4_cidr_block_association": 1,
        "aws_default_security_group": 1, "aws_default_route_table": 1,
        "aws_default_network_acl": 1, "aws_internet_gateway": 1,
        "aws_subnet": 6,
        # public[0], private[0..1] (one per NAT gateway), database[0..1] (not single NAT)
        "aws_route_table": 5,
        "aws_route": 3,  # public_internet_gateway[0], private_nat_gateway[0..1]
        "aws_route_table_association": 6,
        "aws_eip": 2, "aws_nat_gateway": 2,
        "aws_network_acl": 3,
        "aws_network_acl_rule": 12,  # public 2 + 3, private 2 + 3, database 1 + 1
        "aws_security_group": 3,  # web and app by name, db by name_prefix
        "aws_security_group_rule": 6,  # web 2, app 3, db 1
    },
    "foreach-vpc": {
        "aws_vpc": 1, "aws_internet_gateway": 1,
        "aws_subnet": 6, "aws_route_table": 6, "aws_route_table_association": 6,
        "aws_route": 4,  # public_to_igw x2, private_to_nat x2 (not database)
        "aws_eip": 2, "aws_nat_gateway": 2,  # all_azs
        "aws_network_acl": 3,
        "aws_network_acl_rule": 19,  # public 4 + 5, private 3 + 5, database 1 + 1
        "aws_security_group": 3,
        "aws_vpc_security_group_ingress_rule": 3, "aws_vpc_security_group_egress_rule": 4,
    },
    "conditional": {
        "aws_vpc": 1, "aws_internet_gateway": 1,
        "aws_subnet": 6,  # no bastion subnet
        "aws_route_table": 3,  # web, app[0] (single NAT), db[0]
        "aws_route": 2,  # web_internet[0], app_nat[0]; no db_nat
        "aws_route_table_association": 6,
        "aws_eip": 1, "aws_nat_gateway": 1,
        "aws_network_acl": 3, "aws_network_acl_association": 2,
        "aws_network_acl_rule": 10,  # app 6 + 2 icmp, db 2
        "aws_security_group": 3,  # no bastion group
        "aws_vpc_security_group_egress_rule": 4,  # 3 links + app_internet[0]
        "aws_vpc_security_group_ingress_rule": 3,  # 3 links; no ssh_from_bastion
    },
}


@pytest.fixture(scope="module", params=NAMES)
def planned(request: pytest.FixtureRequest,
            tierform_plan: PlanFactory) -> tuple[Expected, Plan]:
    """Each fixture planned once, offline, with no input (shared plan cache)."""
    expected = load_expected(request.param)
    return expected, tierform_plan(expected.module, region=REGION)


def test_plans_only_creates_in_the_hand_counted_shape(planned: tuple[Expected, Plan]) -> None:
    expected, plan = planned
    assert plan.only_creates()
    assert Counter(r.type for r in plan.values()) == SHAPES[expected.name]


def test_subnets_are_the_expected_tiers(planned: tuple[Expected, Plan]) -> None:
    expected, plan = planned
    by_tier: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for subnet in plan.resources("aws_subnet"):
        by_tier[subnet.tags["Tier"]].append((subnet["cidr_block"], subnet["availability_zone"]))
    assert {tier: sorted(c for c, _ in found) for tier, found in by_tier.items()} == {
        tier: info["subnets"] for tier, info in expected.tiers.items()}
    for tier, found in by_tier.items():
        assert sorted(az for _, az in found) == AZS, tier
    public = {s["cidr_block"] for s in plan.resources("aws_subnet")
              if s["map_public_ip_on_launch"]}
    assert public == set(expected.tiers["web"]["subnets"])


def test_each_tier_has_one_tagged_group_table_and_acl(planned: tuple[Expected, Plan]) -> None:
    """The readers place groups on tiers by the Tier tag: one group per tier, no other."""
    expected, plan = planned
    groups = Counter(g.tags.get("Tier") for g in plan.resources("aws_security_group"))
    assert groups == dict.fromkeys(expected.tiers, 1)
    acls = Counter(a.tags.get("Tier") for a in plan.resources("aws_network_acl"))
    assert acls == dict.fromkeys(expected.tiers, 1)
    tables = {t.tags.get("Tier") for t in plan.resources("aws_route_table")}
    assert tables == set(expected.tiers)


def test_for_each_keys_are_type_and_az(tierform_plan: PlanFactory) -> None:
    plan = tierform_plan(load_expected("foreach-vpc").module, region=REGION)
    private = {f"{t}/{az}" for t in ("private", "database") for az in AZS}
    for kind in ("aws_subnet", "aws_route_table", "aws_route_table_association"):
        assert {r.index for r in plan.resources(kind) if r.name == "public"} == \
            {f"public/{az}" for az in AZS}, kind
        assert {r.index for r in plan.resources(kind) if r.name == "private"} == private, kind
    assert {r.index for r in plan.resources("aws_nat_gateway")} == set(AZS)
    assert {r.index for r in plan.resources("aws_route") if r.name == "private_to_nat"} == \
        {f"private/{az}" for az in AZS}
    assert all(r.address.startswith("module.vpc.") for r in plan.resources("aws_subnet"))


def test_conditional_shape_follows_the_known_switches(tierform_plan: PlanFactory) -> None:
    plan = tierform_plan(load_expected("conditional").module, region=REGION)
    assert not [a for a in plan if "bastion" in a]  # enable_bastion = false
    assert "aws_route.db_nat[0]" not in plan  # database_internet_access = false
    # single_nat_gateway = true: one NAT, one app table; db has its own table.
    assert [r.address for r in plan.resources("aws_nat_gateway")] == ["aws_nat_gateway.this[0]"]
    assert [r.address for r in plan.resources("aws_route_table") if r.name != "web"] == [
        "aws_route_table.app[0]", "aws_route_table.db[0]"]
    icmp = {a for a in plan if a.startswith("aws_vpc_security_group_") and "icmp" in a}
    assert len(icmp) == 2  # enable_icmp_from_web = true: the egress and the ingress link
