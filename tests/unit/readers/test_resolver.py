"""The one reference resolver (readers/resolver.py), asked directly.

The same documents drive the network reader in test_plan.py and the typed Plan in
tests/unit/test_plan_model.py; here: what a reference list resolves to, and why not.
"""

from __future__ import annotations

from typing import Any

import pytest

from terraform_documents import IN_VPC, VPC, plan_document, ref, subnet
from tierform.network.model import Unresolved
from tierform.readers.plan import planned_instances
from tierform.readers.resolver import Resolver, Symbol, maximal, parse_address


def _resolver(document: dict[str, Any]) -> Resolver:
    return Resolver(document["configuration"], planned_instances(document))


def _resolve(resolver: Resolver, address: str, attribute: str, *,
             skip_root_variables: bool = False) -> list[tuple[str, str | None]] | str:
    """(address, attribute) of each symbol, or the reason it could not be resolved."""
    inst = resolver.instances[address]
    expression = resolver.expression(inst, attribute)
    assert expression is not None, f"{address}.{attribute} is not configured"
    got = resolver.resolve(inst, expression["references"],
                           skip_root_variables=skip_root_variables)
    if isinstance(got, Unresolved):
        return got.reason
    return [(s.instance.address, s.attribute) for s in got]


COUNT_2 = {"__meta__": {"count_expression": {"constant_value": 2}}}
DOCUMENT = plan_document([
    VPC,
    subnet("db[0]", "10.0.21.0/24"), subnet("db[1]", "10.0.22.0/24"),
    ("aws_route_table.db[0]", {}, dict(IN_VPC)), ("aws_route_table.db[1]", {}, {}),
    # aws_route_table.db[count.index].id: Terraform records no index expression
    ("aws_route_table_association.db[0]", {},
     {**COUNT_2, "route_table_id": {"references": ["aws_route_table.db", "count.index"]},
      "subnet_id": {"references": ["aws_subnet.db[1].id", "aws_subnet.db[1]",
                                   "aws_subnet.db"]}}),
    ("aws_route_table_association.db[1]", {}, {}),
    ("aws_network_acl.db", {}, {**IN_VPC, "subnet_ids": {"references": ["aws_subnet.db"]},
                                "ingress": [{"cidr_block": ref("aws_subnet.db[0].cidr_block"),
                                             "rule_no": {"constant_value": 100}},
                                            {"cidr_block": {"references": ["var.office"]}}]}),
    ("aws_route.local", {}, {"route_table_id": {"references": ["local.table"]},
                             "destination_cidr_block": {"references": ["var.cidr"]}}),
], child=("net", [
    ("aws_subnet.x", {"cidr_block": "10.0.5.0/24"},
     {"vpc_id": {"references": ["var.vpc_id"]},
      "tags": {"references": ["var.tags"]}}),
], {"vpc_id": ref("aws_vpc.main.id"), "tags": {"references": ["var.root_tags"]}}))


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return _resolver(DOCUMENT)


def test_count_index_lines_up_with_the_instance_own_key(resolver: Resolver) -> None:
    assert _resolve(resolver, "aws_route_table_association.db[1]", "route_table_id") == [
        ("aws_route_table.db[1]", None)]


def test_a_literal_key_names_that_instance(resolver: Resolver) -> None:
    assert _resolve(resolver, "aws_route_table_association.db[0]", "subnet_id") == [
        ("aws_subnet.db[1]", "id")]


def test_a_splat_is_not_guessed(resolver: Resolver) -> None:
    assert _resolve(resolver, "aws_network_acl.db", "subnet_ids") == (
        "refers to every instance of aws_subnet.db (splat or function): cannot tell which")


def test_blocks_give_the_references_of_every_block_and_a_path_picks_one(
        resolver: Resolver) -> None:
    inst = resolver.instances["aws_network_acl.db"]
    assert resolver.expression(inst, "ingress") == {"references": [
        "aws_subnet.db[0].cidr_block", "aws_subnet.db[0]", "aws_subnet.db", "var.office"]}
    assert _resolve(resolver, "aws_network_acl.db", "ingress.0.cidr_block") == [
        ("aws_subnet.db[0]", "cidr_block")]
    assert resolver.expression(inst, "ingress.2.cidr_block") is None
    assert resolver.expression(inst, "egress") is None


def test_root_variables_name_no_resource_but_are_not_wiring(resolver: Resolver) -> None:
    assert _resolve(resolver, "aws_route.local", "destination_cidr_block") == \
        "depends on var.cidr"
    assert _resolve(resolver, "aws_route.local", "destination_cidr_block",
                    skip_root_variables=True) == []
    assert _resolve(resolver, "aws_route.local", "route_table_id",
                    skip_root_variables=True) == "depends on local.table"


def test_module_variables_follow_the_call(resolver: Resolver) -> None:
    assert _resolve(resolver, "module.net.aws_subnet.x", "vpc_id") == [("aws_vpc.main", "id")]
    assert _resolve(resolver, "module.net.aws_subnet.x", "tags") == "depends on var.root_tags"
    assert _resolve(resolver, "module.net.aws_subnet.x", "tags",
                    skip_root_variables=True) == []


def test_keys_that_do_not_line_up_are_unresolved() -> None:
    document = plan_document([
        subnet("db[0]", "10.0.21.0/24"), subnet("db[1]", "10.0.22.0/24"),
        ("aws_route_table_association.one[0]", {},
         {"__meta__": {"count_expression": {"constant_value": 1}},
          "subnet_id": {"references": ["aws_subnet.db", "count.index"]}}),
    ])
    assert _resolve(_resolver(document), "aws_route_table_association.one[0]", "subnet_id") == \
        "aws_subnet.db[count.index]: keys of the two resources do not line up"


def test_each_value_is_the_for_each_resource_of_the_same_key() -> None:
    document = plan_document([
        subnet('app["a"]', "10.0.11.0/24"), subnet('app["b"]', "10.0.12.0/24"),
        ('aws_route_table_association.app["b"]', {},
         {"__meta__": {"for_each_expression": {"references": ["aws_subnet.app"]}},
          "subnet_id": {"references": ["each.value.id", "each.value"]}}),
        ('aws_route_table_association.app["a"]', {}, {}),
        ("aws_route_table_association.locals", {},
         {"__meta__": {"for_each_expression": {"references": ["local.subnets"]}},
          "subnet_id": {"references": ["each.value.id", "each.value"]}}),
    ])
    resolver = _resolver(document)
    assert _resolve(resolver, 'aws_route_table_association.app["a"]', "subnet_id") == [
        ('aws_subnet.app["a"]', "id")]
    assert _resolve(resolver, "aws_route_table_association.locals", "subnet_id") == \
        "each.value.id: for_each is not one resource"


def test_missing_resources_and_keys_are_named() -> None:
    document = plan_document([
        subnet("a", "10.0.1.0/24"),
        ("aws_route_table_association.x", {},
         {"subnet_id": ref('aws_subnet.a["z"].id'),
          "route_table_id": ref("aws_route_table.gone.id"),
          "gateway_id": {"references": ["aws_subnet.a[var.i].id"]}}),
    ])
    resolver = _resolver(document)
    address = "aws_route_table_association.x"
    assert _resolve(resolver, address, "subnet_id") == \
        "aws_subnet.a[\"z\"].id: no instance with key 'z'"
    assert _resolve(resolver, address, "route_table_id") == \
        "aws_route_table.gone.id: no such resource in the plan"
    assert _resolve(resolver, address, "gateway_id") == \
        "aws_subnet.a[var.i].id: index [var.i] is not a literal key"


def test_symbols_name_the_instance_and_the_reference() -> None:
    resolver = _resolver(DOCUMENT)
    inst = resolver.instances["aws_network_acl.db"]
    got = resolver.reference(inst, "aws_subnet.db[0].cidr_block")
    assert not isinstance(got, Unresolved)
    (symbol,) = got
    assert symbol == Symbol(resolver.instances["aws_subnet.db[0]"], "cidr_block",
                            "aws_subnet.db[0].cidr_block")
    assert symbol.instance.values["cidr_block"] == "10.0.21.0/24"
    assert resolver.type_of("aws_subnet.db[0]") == "aws_subnet"
    assert resolver.type_of("10.0.21.0/24") == ""


def test_maximal_drops_the_prefixes_terraform_lists() -> None:
    assert maximal(["aws_subnet.a[0].id", "aws_subnet.a[0]", "aws_subnet.a", "count.index",
                    "aws_vpc.main.id", "aws_vpc.main"]) == [
        "aws_subnet.a[0].id", "count.index", "aws_vpc.main.id"]


@pytest.mark.parametrize(("address", "parsed"), [
    ("aws_subnet.a", ("", "aws_subnet.a", None)),
    ("aws_subnet.a[3]", ("", "aws_subnet.a", 3)),
    ('aws_subnet.a["x/y"]', ("", "aws_subnet.a", "x/y")),
    ('module.net[0].module.inner["k"].aws_subnet.a[1]',
     ('module.net[0].module.inner["k"]', "aws_subnet.a", 1)),
])
def test_parse_address(address: str, parsed: tuple[str, str, object]) -> None:
    assert parse_address(address) == parsed
