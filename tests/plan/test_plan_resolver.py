"""``Plan.resources(tier=)`` and ``Plan.network()`` agree on a module that uses ``count``.

They read wiring with one resolver (tierform.readers.resolver). The fixture
(tests/plan/fixtures/counted) is in the count-over-lists idiom of community VPC
modules: untagged associations and routes reach their tables and subnets through
``element(x[*].id, count.index)`` and ``x[0].id``, inside a child module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.network.model import Network
from tierform.terraform.plan import Plan
from tierform.testing import PlanFactory

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "counted"

MODULE = "module.vpc."  # the fixture's network lives in this child module
TIERS = ("public", "private", "db")


@pytest.fixture(scope="module")
def plan(tierform_plan: PlanFactory) -> Plan:
    return tierform_plan(FIXTURE)


@pytest.fixture(scope="module")
def network(plan: Plan) -> Network:
    return plan.network()


def _one(addresses: list[str]) -> str:
    assert len(addresses) == 1, addresses
    return addresses[0]


def test_the_network_reads_every_count_instance(network: Network) -> None:
    assert network.unresolved == []
    assert network.tiers == list(TIERS)
    assert sorted((s.tier, s.id) for s in network.subnets.values()) == sorted(
        [(tier, f"aws_subnet.{kind}[{i}]") for tier, kind in
         (("public", "public"), ("private", "private"), ("db", "database")) for i in (0, 1)])


@pytest.mark.parametrize("tier", TIERS)
def test_associations_of_a_tier_are_the_ones_the_network_wires(plan: Plan, network: Network,
                                                                tier: str) -> None:
    associations = plan.resources("aws_route_table_association", tier=tier)
    assert len(associations) == 2
    from_plan = {(_one(plan.references(a.address, "subnet_id")),
                  _one(plan.references(a.address, "route_table_id"))) for a in associations}
    from_network = {(MODULE + subnet, MODULE + table.id)
                    for table in network.route_tables.values() if table.tier == tier
                    for subnet in table.subnet_ids}
    assert from_plan == from_network
    assert {plan.tier_of(subnet) for subnet, _ in from_plan} == {tier}


def test_routes_of_a_tier_are_the_routes_of_its_tables(plan: Plan, network: Network) -> None:
    for tier, kind, count in (("public", "igw", 1), ("private", "nat", 2), ("db", None, 0)):
        routes = plan.resources("aws_route", tier=tier)
        assert len(routes) == count, tier
        in_network = {(MODULE + table.id, route.kind) for table in network.route_tables.values()
                      if table.tier == tier for route in table.routes}
        assert {(_one(plan.references(r.address, "route_table_id")), kind)
                for r in routes} == in_network


def test_the_single_nat_gateway_is_in_the_first_public_subnet(plan: Plan,
                                                              network: Network) -> None:
    (nat,) = network.nat_gateways.values()
    assert (nat.id, nat.subnet_id) == ("aws_nat_gateway.this[0]", "aws_subnet.public[0]")
    assert plan.tier_of(MODULE + "aws_nat_gateway.this[0]") == "public"
