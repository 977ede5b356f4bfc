"""The typed Plan over `terraform show -json`: queries, unknowns, references, matching.

Uses a real plan JSON of tests/plan/fixtures/tiny (terraform 1.11, AWS provider 5.100),
saved beside the fixture module, plus hand-written documents for the edge cases.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from terraform_documents import IN_VPC, VPC, plan_document, subnet
from tierform.analyze import query
from tierform.errors import ReadError
from tierform.terraform.plan import UNKNOWN, Plan

TINY = Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "tiny.plan.json"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.from_file(TINY)


def test_resources_by_type_are_sorted_by_address(plan: Plan) -> None:
    subnets = plan.resources("aws_subnet")
    assert [s.address for s in subnets] == ["aws_subnet.db_a", "aws_subnet.web_a"]
    assert len(plan) == 12
    assert len(plan.resources()) == 12


def test_tier_from_tags_and_from_the_referenced_owner(plan: Plan) -> None:
    assert [r.address for r in plan.resources(tier="web")] == [
        "aws_route.web_default",
        "aws_route_table.web",
        "aws_route_table_association.web_a",
        "aws_security_group.web",
        "aws_subnet.web_a",
    ]
    # The rule belongs to the group it is attached to (db), not to its peer (web).
    assert plan.tier_of("aws_vpc_security_group_ingress_rule.db_from_web_5432") == "db"
    assert plan.tier_of("aws_vpc.this") is None


def test_unknown_values_are_explicit(plan: Plan) -> None:
    route = plan.resource("aws_route.web_default")
    assert route["route_table_id"] is UNKNOWN
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert route.get("nat_gateway_id") is None
    assert repr(UNKNOWN) == "UNKNOWN"
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_tags_leave_out_unknowns(plan: Plan) -> None:
    assert plan.resource("aws_subnet.db_a").tags == {"Name": "tiny-db-a", "Tier": "db"}
    assert plan.resource("aws_route.web_default").tags == {}


def test_references_resolve_to_plan_addresses(plan: Plan) -> None:
    assert plan.references("aws_route.web_default", "route_table_id") == ["aws_route_table.web"]
    assert plan.references("aws_route.web_default", "gateway_id") == ["aws_internet_gateway.this"]
    # var.* references are not resources.
    assert plan.references("aws_subnet.db_a", "cidr_block") == []
    assert plan.references("aws_subnet.db_a", "no_such_attribute") == []


def test_resource_lookup_suggests_close_addresses(plan: Plan) -> None:
    with pytest.raises(KeyError, match=r"did you mean aws_subnet\.web_a"):
        plan.resource("aws_subnet.web_b")
    assert "aws_vpc.this" in plan
    assert "aws_vpc.that" not in plan


def test_actions_and_only_creates(plan: Plan) -> None:
    assert set(plan.actions().values()) == {("create",)}
    assert plan.only_creates()


def test_outputs_known_and_unknown(plan: Plan) -> None:
    assert plan.outputs == {"db_subnet_cidr_blocks": ["10.9.21.0/24"], "vpc_id": UNKNOWN}


def test_matches_is_a_subset_match(plan: Plan) -> None:
    subnet = plan.resource("aws_subnet.web_a")
    assert subnet.matches({"cidr_block": "10.9.1.0/24", "tags": {"Tier": "web"}})
    assert subnet.matches({"id": UNKNOWN})
    assert not subnet.matches({"id": "subnet-123"})
    assert not subnet.matches({"tags": {"Tier": "db"}})
    assert not subnet.matches({"no_such": 1})
    subnet.assert_matches({"availability_zone": "us-east-1a"})


def test_assert_matches_lists_every_difference(plan: Plan) -> None:
    subnet = plan.resource("aws_subnet.web_a")
    with pytest.raises(AssertionError) as failure:
        subnet.assert_matches({"cidr_block": "10.9.2.0/24", "tags": {"Tier": "app", "Name": "x"}})
    text = str(failure.value)
    assert "aws_subnet.web_a does not match" in text
    assert "cidr_block: expected '10.9.2.0/24', got '10.9.1.0/24'" in text
    assert "tags.Tier: expected 'app', got 'web'" in text
    assert "tags.Name: expected 'x', got 'tiny-web-a'" in text


def test_lists_match_element_by_element_with_equal_length(plan: Plan) -> None:
    group = plan.resource("aws_security_group.db")
    assert group.matches({"egress": []})
    assert not group.matches({"egress": [{"from_port": 0}]})


def _change(address: str, after: dict[str, Any], unknown: dict[str, Any],
            actions: list[str] | None = None, module: str | None = None) -> dict[str, Any]:
    kind, name = address.rsplit(".", 2)[-2:]
    change: dict[str, Any] = {
        "address": address, "mode": "managed", "type": kind, "name": name.split("[")[0],
        "change": {"actions": actions or ["create"], "before": None, "after": after,
                   "after_unknown": unknown},
    }
    if module:
        change["module_address"] = module
    return change


def test_nested_unknowns_inside_blocks() -> None:
    raw = {"resource_changes": [_change(
        "aws_network_acl.db",
        {"ingress": [{"rule_no": 100, "cidr_block": "10.0.0.0/16"}, {"rule_no": 200}]},
        {"id": True, "ingress": [{}, {"cidr_block": True}]},
    )]}
    acl = Plan(raw).resource("aws_network_acl.db")
    assert acl["ingress"] == [{"rule_no": 100, "cidr_block": "10.0.0.0/16"},
                              {"rule_no": 200, "cidr_block": UNKNOWN}]
    assert acl["id"] is UNKNOWN


def test_child_module_references_are_module_relative() -> None:
    raw: dict[str, Any] = {
        "resource_changes": [
            _change("module.net.aws_route_table.app", {"tags": {"Tier": "app"}}, {"id": True},
                    module="module.net"),
            _change("module.net.aws_route.app", {"destination_cidr_block": "0.0.0.0/0"},
                    {"route_table_id": True}, module="module.net"),
            _change("data.aws_region.here", {}, {}),
        ],
        "configuration": {"root_module": {"module_calls": {"net": {"module": {"resources": [
            {"address": "aws_route.app", "expressions": {
                "route_table_id": {"references": ["aws_route_table.app.id", "aws_route_table.app"]},
            }},
        ]}}}}},
    }
    raw["resource_changes"][2]["mode"] = "data"
    plan = Plan(raw)
    assert plan.references("module.net.aws_route.app", "route_table_id") == [
        "module.net.aws_route_table.app"]
    assert plan.tier_of("module.net.aws_route.app") == "app"
    assert "data.aws_region.here" not in plan


def test_count_instances_resolve_only_when_unambiguous() -> None:
    raw = {
        "resource_changes": [
            _change("aws_route_table.app[0]", {"tags": {"Tier": "app"}}, {}),
            _change("aws_route_table.app[1]", {"tags": {"Tier": "app"}}, {}),
            _change("aws_route.one", {}, {}),
            _change("aws_route.any", {}, {}),
        ],
        "configuration": {"root_module": {"resources": [
            # aws_route_table.app[0].id: a literal key names one instance
            {"address": "aws_route.one",
             "expressions": {"route_table_id": {"references": ["aws_route_table.app[0].id",
                                                               "aws_route_table.app"]}}},
            # element(aws_route_table.app[*].id, 1): which one is not recorded
            {"address": "aws_route.any",
             "expressions": {"route_table_id": {"references": ["aws_route_table.app"]}}},
        ]}},
    }
    plan = Plan(raw)
    assert plan.references("aws_route.one", "route_table_id") == ["aws_route_table.app[0]"]
    assert plan.tier_of("aws_route.one") == "app"
    # Two instances and no key: no guess.
    assert plan.references("aws_route.any", "route_table_id") == []
    assert plan.tier_of("aws_route.any") is None


def test_count_module_tiers_agree_with_the_network() -> None:
    """The reviewer's case: associations with ``count`` on both sides, no tags of their own.

    ``Plan.resources(tier=)`` follows ``route_table_id`` with the resolver the network
    reader uses, so every association it puts in a tier wires that tier's table in
    ``plan.network()``, and the other way round.
    """
    count = {"__meta__": {"count_expression": {"references": ["var.db_subnets"]}}}
    raw = plan_document([
        VPC, subnet("db[0]", "10.0.21.0/24", "db"), subnet("db[1]", "10.0.22.0/24", "db"),
        ("aws_route_table.db[0]", {"tags": {"Tier": "db"}}, dict(IN_VPC)),
        ("aws_route_table.db[1]", {"tags": {"Tier": "db"}}, {}),
        # subnet_id = aws_subnet.db[count.index].id
        # route_table_id = element(aws_route_table.db[*].id, count.index)
        ("aws_route_table_association.db[0]", {},
         {**count, "subnet_id": {"references": ["aws_subnet.db", "count.index"]},
          "route_table_id": {"references": ["aws_route_table.db", "count.index"]}}),
        ("aws_route_table_association.db[1]", {}, {}),
    ])
    plan = Plan(raw)
    associations = plan.resources("aws_route_table_association", tier="db")
    assert [a.address for a in associations] == [
        "aws_route_table_association.db[0]", "aws_route_table_association.db[1]"]
    wired = {(s, t.id) for t in plan.network().route_tables.values() if t.tier == "db"
             for s in t.subnet_ids}
    assert wired == {(plan.references(a.address, "subnet_id")[0],
                      plan.references(a.address, "route_table_id")[0]) for a in associations}
    assert wired == {("aws_subnet.db[0]", "aws_route_table.db[0]"),
                     ("aws_subnet.db[1]", "aws_route_table.db[1]")}


def test_replacements_are_not_only_creates() -> None:
    raw = {"resource_changes": [_change("aws_subnet.a", {}, {}, ["delete", "create"])]}
    plan = Plan(raw)
    assert not plan.only_creates()
    assert plan.actions() == {"aws_subnet.a": ("delete", "create")}


def test_not_a_plan_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        Plan({"values": {}})
    broken = tmp_path / "plan.json"
    broken.write_text("{not json")
    with pytest.raises(ReadError, match="cannot read plan JSON"):
        Plan.from_file(broken)


def test_raw_is_the_document() -> None:
    document = json.loads(TINY.read_text())
    assert Plan(document).raw is document


def test_network_and_flows_read_the_same_document(plan: Plan) -> None:
    network = plan.network()
    assert {s.id: s.tier for s in network.subnets.values()} == {
        "aws_subnet.db_a": "db", "aws_subnet.web_a": "web"}
    reach = plan.flows()
    # The tiny module's groups have no egress rules (S4: none but the configured ones), so
    # the db group's ingress from web on 5432 opens nothing: the matrix is empty.
    assert reach.flows == []
    assert {name: (t.subnets, t.exposure) for name, t in reach.tiers.items()} == {
        "web": (["10.9.1.0/24"], "public"), "db": (["10.9.21.0/24"], "isolated")}
    blocked = query(network, "web", "db", "tcp", 5432)
    assert [(leg.layer, leg.resource) for leg in blocked.blocking] == [
        ("security_groups", "aws_security_group.web")]
