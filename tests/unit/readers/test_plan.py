"""The plan reader (readers/plan.py) on small plan documents built here (no terraform)."""

from __future__ import annotations

from ipaddress import IPv4Network

from terraform_documents import IN_VPC, VPC, plan_document, ref, subnet
from tierform.network.model import DEFAULT_NACL_ID, MAIN_ROUTE_TABLE_ID
from tierform.readers.plan import network_from_plan
from tierform.readers.terraform_json import DEFAULT_SECURITY_GROUP_ID, ROUTE_BLOCK

# ------------------------------------------------------------ direct wiring

def test_direct_references_wire_routes_and_associations() -> None:
    plan = plan_document([
        VPC, subnet("web", "10.0.1.0/24", "Web"),
        ("aws_internet_gateway.main", {}, dict(IN_VPC)),
        ("aws_route_table.web", {"tags": {"Tier": "Web"}}, dict(IN_VPC)),
        ("aws_route.web_default", {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": None},
         {"route_table_id": ref("aws_route_table.web.id"),
          "gateway_id": ref("aws_internet_gateway.main.id")}),
        ("aws_route_table_association.web", {},
         {"route_table_id": ref("aws_route_table.web.id"),
          "subnet_id": ref("aws_subnet.web.id")}),
    ])
    network = network_from_plan(plan)
    table = network.route_tables["aws_route_table.web"]
    assert [(r.destination, r.kind, r.target) for r in table.routes] == [
        ("0.0.0.0/0", "igw", "aws_internet_gateway.main")]
    assert table.subnet_ids == {"aws_subnet.web"}
    assert table.tier == "Web"
    assert network.route_table_of("aws_subnet.web") is table
    # Unmanaged defaults are AWS's: a main table with local routes, an allow-all NACL,
    # and the default security group's rules.
    assert network.route_tables[MAIN_ROUTE_TABLE_ID].is_main
    assert network.nacls[DEFAULT_NACL_ID].entries[0].action == "allow"
    assert network.security_groups[DEFAULT_SECURITY_GROUP_ID].is_default
    assert network.unresolved == []


def test_custom_tier_tag_and_named_networks() -> None:
    plan = plan_document([VPC, ("aws_subnet.a", {"cidr_block": "10.0.1.0/24",
                                         "tags": {"Layer": "front", "Tier": "x"}}, dict(IN_VPC))])
    network = network_from_plan(plan, tier_tag="Layer",
                                named_networks={"corp": IPv4Network("192.168.0.0/16")})
    assert network.subnets["aws_subnet.a"].tier == "front"
    assert network.named_networks == {"corp": (IPv4Network("192.168.0.0/16"),)}


def test_inline_route_resolved_when_unambiguous_else_unresolved() -> None:
    # As in a real plan: every field present, the unknown gateway_id missing.
    empty = dict.fromkeys(ROUTE_BLOCK, "")
    del empty["gateway_id"]
    one_route = [{**empty, "cidr_block": "0.0.0.0/0"}]
    two_routes = [{**empty, "cidr_block": "0.0.0.0/0"}, {**empty, "cidr_block": "10.9.0.0/16"}]
    plan = plan_document([
        VPC,
        ("aws_internet_gateway.a", {}, dict(IN_VPC)),
        ("aws_internet_gateway.b", {}, dict(IN_VPC)),
        ("aws_route_table.one", {"route": one_route},
         {**IN_VPC, "route": ref("aws_internet_gateway.a.id")}),
        ("aws_route_table.two", {"route": two_routes},
         {**IN_VPC, "route": ref("aws_internet_gateway.a.id", "aws_internet_gateway.b.id")}),
    ])
    network = network_from_plan(plan)
    assert [(r.kind, r.target) for r in network.route_tables["aws_route_table.one"].routes] == [
        ("igw", "aws_internet_gateway.a")]
    assert network.route_tables["aws_route_table.two"].routes == ()
    assert {(u.address, u.attribute.split("[")[0]) for u in network.unresolved} == {
        ("aws_route_table.two", "route")}


# --------------------------------------------------------- count / for_each

def test_count_index_resolves_only_when_keys_line_up() -> None:
    count2 = {"__meta__": {"count_expression": {"constant_value": 2}}}
    plan = plan_document([
        VPC,
        subnet("db[0]", "10.0.21.0/24", "Db"), subnet("db[1]", "10.0.22.0/24", "Db"),
        subnet("spare", "10.0.23.0/24", "Db"),
        ("aws_route_table.db[0]", {}, dict(IN_VPC)), ("aws_route_table.db[1]", {}, {}),
        ("aws_route_table_association.db[0]", {},
         {**count2, "subnet_id": {"references": ["aws_subnet.db", "count.index"]},
          "route_table_id": {"references": ["aws_route_table.db", "count.index"]}}),
        ("aws_route_table_association.db[1]", {}, {}),
        # element(aws_route_table.db[*].id, count.index % 2) with count = 1
        ("aws_route_table_association.spare[0]", {},
         {"__meta__": {"count_expression": {"constant_value": 1}},
          "subnet_id": ref("aws_subnet.spare.id"),
          "route_table_id": {"references": ["aws_route_table.db", "count.index"]}}),
    ])
    network = network_from_plan(plan)
    assert network.route_tables["aws_route_table.db[0]"].subnet_ids == {"aws_subnet.db[0]"}
    assert network.route_tables["aws_route_table.db[1]"].subnet_ids == {"aws_subnet.db[1]"}
    assert [(u.address, u.attribute) for u in network.unresolved] == [
        ("aws_route_table_association.spare[0]", "route_table_id")]


def test_for_each_each_value_and_literal_keys() -> None:
    plan = plan_document([
        VPC,
        subnet('app["a"]', "10.0.11.0/24"), subnet('app["b"]', "10.0.12.0/24"),
        ("aws_route_table.app[\"a\"]", {}, dict(IN_VPC)), ("aws_route_table.app[\"b\"]", {}, {}),
        ("aws_route_table_association.app[\"a\"]", {},
         {"__meta__": {"for_each_expression": {"references": ["aws_subnet.app"]}},
          "subnet_id": {"references": ["each.value.id", "each.value"]},
          "route_table_id": {"references": ["aws_route_table.app", "each.key"]}}),
        ("aws_route_table_association.app[\"b\"]", {}, {}),
        ("aws_nat_gateway.x", {"connectivity_type": "private"},
         {"subnet_id": ref('aws_subnet.app["b"].id')}),
    ])
    network = network_from_plan(plan)
    assert network.route_tables['aws_route_table.app["a"]'].subnet_ids == {'aws_subnet.app["a"]'}
    assert network.route_tables['aws_route_table.app["b"]'].subnet_ids == {'aws_subnet.app["b"]'}
    nat = network.nat_gateways["aws_nat_gateway.x"]
    assert (nat.subnet_id, nat.public) == ('aws_subnet.app["b"]', False)
    assert network.unresolved == []


def test_splat_without_index_is_unresolved() -> None:
    plan = plan_document([
        VPC, subnet("a[0]", "10.0.1.0/24"), subnet("a[1]", "10.0.2.0/24"),
        ("aws_network_acl.app", {}, {**IN_VPC, "subnet_ids": {"references": ["aws_subnet.a"]}}),
    ])
    network = network_from_plan(plan)
    assert network.nacls["aws_network_acl.app"].subnet_ids == frozenset()
    assert network.unresolved[0].attribute == "subnet_ids"
    assert "every instance" in network.unresolved[0].reason


def test_module_variable_forwarding_a_reference() -> None:
    plan = plan_document([VPC], child=("net", [
        ("aws_subnet.a", {"cidr_block": "10.0.5.0/24"}, {"vpc_id": {"references": ["var.vpc_id"]}}),
    ], {"vpc_id": ref("aws_vpc.main.id")}))
    network = network_from_plan(plan)
    # The VPC is in the root module, so child addresses keep their module path.
    assert list(network.subnets) == ["module.net.aws_subnet.a"]


def test_child_module_addresses_are_relative() -> None:
    plan = plan_document([], child=("net", [VPC, subnet("a", "10.0.1.0/24")], {}))
    network = network_from_plan(plan)
    assert network.vpc_id == "aws_vpc.main"
    assert list(network.subnets) == ["aws_subnet.a"]
    assert network.subnets["aws_subnet.a"].source == "module.net.aws_subnet.a"


# ----------------------------------------------------------------- rules

def test_security_groups_egress_and_rule_resources() -> None:
    plan = plan_document([
        VPC,
        ("aws_security_group.web", {"tags": {"Tier": "Web"}, "ingress": [
            {"cidr_blocks": ["0.0.0.0/0", "::/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
             "security_groups": [], "self": False, "protocol": "tcp", "from_port": 443,
             "to_port": 443, "description": ""}],
            "egress": [{"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                        "self": False, "protocol": "tcp", "from_port": 8080, "to_port": 8080}]},
         {**IN_VPC, "ingress": {"constant_value": []},
          "egress": ref("aws_security_group.app.id")}),
        # no ingress/egress arguments: values unknown, Terraform manages none (S4)
        ("aws_security_group.app", {"tags": {"Tier": "App"}}, dict(IN_VPC)),
        ("aws_vpc_security_group_ingress_rule.app", {"ip_protocol": "-1", "from_port": None,
                                                     "to_port": None, "cidr_ipv4": None},
         {"security_group_id": ref("aws_security_group.app.id"),
          "referenced_security_group_id": ref("aws_security_group.web.id")}),
        ("aws_security_group_rule.app_out", {"type": "egress", "protocol": "udp",
                                             "from_port": 53, "to_port": 53,
                                             "cidr_blocks": ["10.0.0.2/32"]},
         {"security_group_id": ref("aws_security_group.app.id")}),
    ])
    network = network_from_plan(plan)
    web = network.security_groups["aws_security_group.web"]
    assert {(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group) for r in web.rules} \
        == {(False, "6", 443, 443, "0.0.0.0/0", None), (False, "6", 443, 443, "::/0", None),
            (True, "6", 8080, 8080, None, "aws_security_group.app")}
    app = network.security_groups["aws_security_group.app"]
    assert {(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group) for r in app.rules} \
        == {(False, "-1", 0, 65535, None, "aws_security_group.web"),
            (True, "17", 53, 53, "10.0.0.2/32", None)}
    assert [g.id for g in network.groups_of("App")] == ["aws_security_group.app"]


def test_nacl_rules_inline_and_separate() -> None:
    plan = plan_document([
        VPC, subnet("a", "10.0.1.0/24"),
        ("aws_network_acl.app", {"ingress": [
            {"rule_no": 200, "protocol": "-1", "action": "deny", "cidr_block": "0.0.0.0/0",
             "ipv6_cidr_block": "", "from_port": 0, "to_port": 0}], "egress": []},
         {**IN_VPC, "ingress": {"constant_value": []}, "egress": {"constant_value": []}}),
        ("aws_network_acl_rule.in_ssh", {"rule_number": 100, "egress": False, "protocol": "6",
                                         "rule_action": "allow", "cidr_block": "10.1.0.0/16",
                                         "from_port": 22, "to_port": 22},
         {"network_acl_id": ref("aws_network_acl.app.id")}),
        ("aws_network_acl_association.a", {}, {"network_acl_id": ref("aws_network_acl.app.id"),
                                               "subnet_id": ref("aws_subnet.a.id")}),
    ])
    network = network_from_plan(plan)
    nacl = network.nacl_of("aws_subnet.a")
    assert nacl is not None
    assert nacl.id == "aws_network_acl.app"
    assert [(e.rule_number, e.protocol, e.action, e.from_port, e.to_port) for e in nacl.entries] \
        == [(100, "6", "allow", 22, 22), (200, "-1", "deny", 0, 65535)]
