"""Plan and state readers on small JSON documents built here (no terraform)."""

from __future__ import annotations

import json
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from tierform.errors import ReadError
from tierform.network.model import DEFAULT_NACL_ID, MAIN_ROUTE_TABLE_ID
from tierform.readers.plan import detect_kind, network_from_json_file, network_from_plan
from tierform.readers.state import (
    DEFAULT_SECURITY_GROUP_ID,
    ROUTE_BLOCK,
    network_from_state,
)

STATE_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "handwritten" / \
    "three-tier.state.json"

Res = tuple[str, dict[str, Any], dict[str, Any]]  # address (type.name[idx]), values, expressions


def _ref(*addresses: str) -> dict[str, Any]:
    """Terraform's reference list: each traversal followed by its prefixes."""
    out: list[str] = []
    for address in addresses:
        out.append(address)
        head = address.rsplit(".", 1)[0]
        if "[" in head:
            out += [head, head.split("[")[0]]
        elif address.count(".") > 1:
            out.append(head)
    return {"references": out}


def _module(resources: list[Res], path: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """(planned_values module, configuration module) for resources in one module."""
    planned: list[dict[str, Any]] = []
    config: dict[str, dict[str, Any]] = {}
    for address, values, expressions in resources:
        name = address.split("[")[0]
        rtype, rname = name.split(".")
        index: Any = None
        if "[" in address:
            raw = address.split("[", 1)[1].rstrip("]")
            index = raw.strip('"') if raw.startswith('"') else int(raw)
        full = f"{path}.{address}" if path else address
        planned.append({"address": full, "mode": "managed", "type": rtype, "name": rname,
                        "index": index, "values": values})
        entry = config.setdefault(name, {"address": name, "mode": "managed", "type": rtype,
                                         "name": rname, "expressions": {}})
        extra = expressions.pop("__meta__", {}) if expressions else {}
        entry.update(extra)
        entry["expressions"].update(expressions)
    return {"resources": planned}, {"resources": list(config.values())}


def _plan(resources: list[Res], *, child: tuple[str, list[Res], dict[str, Any]] | None = None
          ) -> dict[str, Any]:
    planned, config = _module(resources)
    if child is not None:
        name, child_resources, call_expressions = child
        child_planned, child_config = _module(child_resources, f"module.{name}")
        planned["child_modules"] = [{"address": f"module.{name}", **child_planned}]
        config["module_calls"] = {name: {"source": f"./{name}", "module": child_config,
                                         "expressions": call_expressions}}
    return {"format_version": "1.2", "planned_values": {"root_module": planned},
            "resource_changes": [], "configuration": {"root_module": config}}


VPC: Res = ("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}, {})
IN_VPC = {"vpc_id": _ref("aws_vpc.main.id")}


def _subnet(name: str, cidr: str, tier: str = "App", **expressions: Any) -> Res:
    return (f"aws_subnet.{name}", {"cidr_block": cidr, "availability_zone": "us-east-1a",
                                   "tags": {"Tier": tier, "Name": name}},
            {**IN_VPC, **expressions})


# ------------------------------------------------------------ direct wiring

def test_direct_references_wire_routes_and_associations() -> None:
    plan = _plan([
        VPC, _subnet("web", "10.0.1.0/24", "Web"),
        ("aws_internet_gateway.main", {}, dict(IN_VPC)),
        ("aws_route_table.web", {"tags": {"Tier": "Web"}}, dict(IN_VPC)),
        ("aws_route.web_default", {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": None},
         {"route_table_id": _ref("aws_route_table.web.id"),
          "gateway_id": _ref("aws_internet_gateway.main.id")}),
        ("aws_route_table_association.web", {},
         {"route_table_id": _ref("aws_route_table.web.id"),
          "subnet_id": _ref("aws_subnet.web.id")}),
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
    plan = _plan([VPC, ("aws_subnet.a", {"cidr_block": "10.0.1.0/24",
                                         "tags": {"Layer": "front", "Tier": "x"}}, dict(IN_VPC))])
    network = network_from_plan(plan, tier_tag="Layer",
                                named_networks={"corp": IPv4Network("192.168.0.0/16")})
    assert network.subnets["aws_subnet.a"].tier == "front"
    assert network.named_networks == {"corp": IPv4Network("192.168.0.0/16")}


def test_inline_route_resolved_when_unambiguous_else_unresolved() -> None:
    # As in a real plan: every field present, the unknown gateway_id missing.
    empty = dict.fromkeys(ROUTE_BLOCK, "")
    del empty["gateway_id"]
    one_route = [{**empty, "cidr_block": "0.0.0.0/0"}]
    two_routes = [{**empty, "cidr_block": "0.0.0.0/0"}, {**empty, "cidr_block": "10.9.0.0/16"}]
    plan = _plan([
        VPC,
        ("aws_internet_gateway.a", {}, dict(IN_VPC)),
        ("aws_internet_gateway.b", {}, dict(IN_VPC)),
        ("aws_route_table.one", {"route": one_route},
         {**IN_VPC, "route": _ref("aws_internet_gateway.a.id")}),
        ("aws_route_table.two", {"route": two_routes},
         {**IN_VPC, "route": _ref("aws_internet_gateway.a.id", "aws_internet_gateway.b.id")}),
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
    plan = _plan([
        VPC,
        _subnet("db[0]", "10.0.21.0/24", "Db"), _subnet("db[1]", "10.0.22.0/24", "Db"),
        _subnet("spare", "10.0.23.0/24", "Db"),
        ("aws_route_table.db[0]", {}, dict(IN_VPC)), ("aws_route_table.db[1]", {}, {}),
        ("aws_route_table_association.db[0]", {},
         {**count2, "subnet_id": {"references": ["aws_subnet.db", "count.index"]},
          "route_table_id": {"references": ["aws_route_table.db", "count.index"]}}),
        ("aws_route_table_association.db[1]", {}, {}),
        # element(aws_route_table.db[*].id, count.index % 2) with count = 1
        ("aws_route_table_association.spare[0]", {},
         {"__meta__": {"count_expression": {"constant_value": 1}},
          "subnet_id": _ref("aws_subnet.spare.id"),
          "route_table_id": {"references": ["aws_route_table.db", "count.index"]}}),
    ])
    network = network_from_plan(plan)
    assert network.route_tables["aws_route_table.db[0]"].subnet_ids == {"aws_subnet.db[0]"}
    assert network.route_tables["aws_route_table.db[1]"].subnet_ids == {"aws_subnet.db[1]"}
    assert [(u.address, u.attribute) for u in network.unresolved] == [
        ("aws_route_table_association.spare[0]", "route_table_id")]


def test_for_each_each_value_and_literal_keys() -> None:
    plan = _plan([
        VPC,
        _subnet('app["a"]', "10.0.11.0/24"), _subnet('app["b"]', "10.0.12.0/24"),
        ("aws_route_table.app[\"a\"]", {}, dict(IN_VPC)), ("aws_route_table.app[\"b\"]", {}, {}),
        ("aws_route_table_association.app[\"a\"]", {},
         {"__meta__": {"for_each_expression": {"references": ["aws_subnet.app"]}},
          "subnet_id": {"references": ["each.value.id", "each.value"]},
          "route_table_id": {"references": ["aws_route_table.app", "each.key"]}}),
        ("aws_route_table_association.app[\"b\"]", {}, {}),
        ("aws_nat_gateway.x", {"connectivity_type": "private"},
         {"subnet_id": _ref('aws_subnet.app["b"].id')}),
    ])
    network = network_from_plan(plan)
    assert network.route_tables['aws_route_table.app["a"]'].subnet_ids == {'aws_subnet.app["a"]'}
    assert network.route_tables['aws_route_table.app["b"]'].subnet_ids == {'aws_subnet.app["b"]'}
    nat = network.nat_gateways["aws_nat_gateway.x"]
    assert (nat.subnet_id, nat.public) == ('aws_subnet.app["b"]', False)
    assert network.unresolved == []


def test_splat_without_index_is_unresolved() -> None:
    plan = _plan([
        VPC, _subnet("a[0]", "10.0.1.0/24"), _subnet("a[1]", "10.0.2.0/24"),
        ("aws_network_acl.app", {}, {**IN_VPC, "subnet_ids": {"references": ["aws_subnet.a"]}}),
    ])
    network = network_from_plan(plan)
    assert network.nacls["aws_network_acl.app"].subnet_ids == frozenset()
    assert network.unresolved[0].attribute == "subnet_ids"
    assert "every instance" in network.unresolved[0].reason


def test_module_variable_forwarding_a_reference() -> None:
    plan = _plan([VPC], child=("net", [
        ("aws_subnet.a", {"cidr_block": "10.0.5.0/24"}, {"vpc_id": {"references": ["var.vpc_id"]}}),
    ], {"vpc_id": _ref("aws_vpc.main.id")}))
    network = network_from_plan(plan)
    # The VPC is in the root module, so child addresses keep their module path.
    assert list(network.subnets) == ["module.net.aws_subnet.a"]


def test_child_module_addresses_are_relative() -> None:
    plan = _plan([], child=("net", [VPC, _subnet("a", "10.0.1.0/24")], {}))
    network = network_from_plan(plan)
    assert network.vpc_id == "aws_vpc.main"
    assert list(network.subnets) == ["aws_subnet.a"]
    assert network.subnets["aws_subnet.a"].source == "module.net.aws_subnet.a"


# ----------------------------------------------------------------- rules

def test_security_groups_egress_and_rule_resources() -> None:
    plan = _plan([
        VPC,
        ("aws_security_group.web", {"tags": {"Tier": "Web"}, "ingress": [
            {"cidr_blocks": ["0.0.0.0/0", "::/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
             "security_groups": [], "self": False, "protocol": "tcp", "from_port": 443,
             "to_port": 443, "description": ""}],
            "egress": [{"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                        "self": False, "protocol": "tcp", "from_port": 8080, "to_port": 8080}]},
         {**IN_VPC, "ingress": {"constant_value": []},
          "egress": _ref("aws_security_group.app.id")}),
        # no ingress/egress arguments: values unknown, Terraform manages none (S4)
        ("aws_security_group.app", {"tags": {"Tier": "App"}}, dict(IN_VPC)),
        ("aws_vpc_security_group_ingress_rule.app", {"ip_protocol": "-1", "from_port": None,
                                                     "to_port": None, "cidr_ipv4": None},
         {"security_group_id": _ref("aws_security_group.app.id"),
          "referenced_security_group_id": _ref("aws_security_group.web.id")}),
        ("aws_security_group_rule.app_out", {"type": "egress", "protocol": "udp",
                                             "from_port": 53, "to_port": 53,
                                             "cidr_blocks": ["10.0.0.2/32"]},
         {"security_group_id": _ref("aws_security_group.app.id")}),
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
    plan = _plan([
        VPC, _subnet("a", "10.0.1.0/24"),
        ("aws_network_acl.app", {"ingress": [
            {"rule_no": 200, "protocol": "-1", "action": "deny", "cidr_block": "0.0.0.0/0",
             "ipv6_cidr_block": "", "from_port": 0, "to_port": 0}], "egress": []},
         {**IN_VPC, "ingress": {"constant_value": []}, "egress": {"constant_value": []}}),
        ("aws_network_acl_rule.in_ssh", {"rule_number": 100, "egress": False, "protocol": "6",
                                         "rule_action": "allow", "cidr_block": "10.1.0.0/16",
                                         "from_port": 22, "to_port": 22},
         {"network_acl_id": _ref("aws_network_acl.app.id")}),
        ("aws_network_acl_association.a", {}, {"network_acl_id": _ref("aws_network_acl.app.id"),
                                               "subnet_id": _ref("aws_subnet.a.id")}),
    ])
    network = network_from_plan(plan)
    nacl = network.nacl_of("aws_subnet.a")
    assert nacl is not None
    assert nacl.id == "aws_network_acl.app"
    assert [(e.rule_number, e.protocol, e.action, e.from_port, e.to_port) for e in nacl.entries] \
        == [(100, "6", "allow", 22, 22), (200, "-1", "deny", 0, 65535)]


def test_several_vpcs_read_the_one_with_most_subnets() -> None:
    other: Res = ("aws_vpc.other", {"cidr_block": "172.16.0.0/16"}, {})
    plan = _plan([
        VPC, other, _subnet("a", "10.0.1.0/24"), _subnet("b", "10.0.2.0/24"),
        ("aws_subnet.c", {"cidr_block": "172.16.1.0/24"}, {"vpc_id": _ref("aws_vpc.other.id")}),
    ])
    network = network_from_plan(plan)
    assert network.vpc_cidrs == (IPv4Network("10.0.0.0/16"),)
    assert set(network.subnets) == {"aws_subnet.a", "aws_subnet.b"}
    assert [(u.address, u.attribute) for u in network.unresolved] == [("aws_vpc.other", "vpc")]


# ------------------------------------------------------------------ state

def _state(resources: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {"format_version": "1.0", "terraform_version": "1.11.0", "values": {"root_module": {
        "resources": [{"address": a, "mode": "managed", "type": a.split(".")[0],
                       "name": a.split(".")[1], "values": v} for a, v in resources]}}}


def test_state_wires_by_aws_id_and_dedupes_refreshed_rules() -> None:
    state = _state([
        ("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16",
                          "main_route_table_id": "rtb-main", "default_network_acl_id": "acl-def",
                          "default_security_group_id": "sg-def"}),
        ("aws_subnet.a", {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
                          "tags_all": {"Tier": "Web"}}),
        ("aws_internet_gateway.main", {"id": "igw-1", "vpc_id": "vpc-1"}),
        # A refreshed table lists the aws_route below too: one route, not two.
        ("aws_route_table.web", {"id": "rtb-web", "vpc_id": "vpc-1", "route": [
            {"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": ""}]}),
        ("aws_route.web", {"id": "r-rtb-web1080289494", "route_table_id": "rtb-web",
                           "destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}),
        ("aws_route_table_association.a", {"id": "rtbassoc-1", "subnet_id": "subnet-a",
                                           "route_table_id": "rtb-web"}),
        ("aws_security_group.web", {"id": "sg-web", "vpc_id": "vpc-1", "ingress": [
            {"protocol": "tcp", "from_port": 80, "to_port": 80, "security_groups": ["sg-web"],
             "cidr_blocks": []}], "egress": []}),
        # moto names the peer "<account>/sg-..." after a refresh
        ("aws_vpc_security_group_ingress_rule.web", {
            "id": "sgr-1", "security_group_id": "sg-web", "ip_protocol": "tcp", "from_port": 80,
            "to_port": 80, "referenced_security_group_id": "123456789012/sg-web"}),
    ])
    network = network_from_state(state)
    assert network.source == "state"
    assert network.vpc_id == "vpc-1"
    web = network.route_tables["rtb-web"]
    assert [(r.destination, r.kind, r.target) for r in web.routes] == [
        ("0.0.0.0/0", "igw", "igw-1")]
    assert web.routes[0].source == "r-rtb-web1080289494 (aws_route.web)"
    assert network.route_tables["rtb-main"].is_main
    assert network.nacls["acl-def"].is_default
    assert network.security_groups["sg-def"].is_default
    rules = network.security_groups["sg-web"].rules
    assert [(r.protocol, r.group) for r in rules] == [("6", "sg-web")]


def test_state_of_the_applied_three_tier_fixture() -> None:
    """The state saved after applying tests/fixtures/handwritten/three-tier to moto."""
    network = network_from_json_file(STATE_FIXTURE)
    assert network.source == "state"
    assert network.tiers == ["Web", "Application", "Database"]
    by_name = {t.name: t for t in network.route_tables.values()}
    public = by_name["Public-Route-Table"]
    assert [(r.destination, r.kind) for r in public.routes] == [("0.0.0.0/0", "igw")]
    assert {network.subnets[s].tier for s in public.subnet_ids} == {"Web"}
    private = by_name["Private-Route-Table-1"]
    nat = network.nat_gateways[next(str(r.target) for r in private.routes if r.kind == "nat")]
    assert network.subnets[nat.subnet_id].name == "Public-Subnet-1"
    database = by_name["Database-Route-Table"]
    assert sorted(r.destination for r in database.routes) == [
        "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    main = [t for t in network.route_tables.values() if t.is_main]
    assert len(main) == 1
    assert main[0].routes == ()
    (default_nacl,) = [n for n in network.nacls.values() if n.is_default]
    assert default_nacl.entries == ()
    groups = {g.name: g for g in network.security_groups.values()}
    app = groups["App-Tier-SG"]
    assert {(r.egress, r.from_port, groups_name(network, r.group)) for r in app.rules} == {
        (False, 8080, "Web-Tier-SG"), (True, 3306, "Database-Tier-SG")}
    assert network.unresolved == []


def groups_name(network: Any, group: str | None) -> str | None:
    return network.security_groups[group].name if group else None


# ------------------------------------------------------------ file / kind

def test_detect_kind_and_file_errors(tmp_path: Path) -> None:
    assert detect_kind({"planned_values": {}}) == "plan"
    assert detect_kind({"values": {"root_module": {}}}) == "state"
    raw = tmp_path / "terraform.tfstate"
    raw.write_text(json.dumps({"version": 4, "resources": []}))
    with pytest.raises(ReadError, match="terraform show -json"):
        network_from_json_file(raw)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ReadError, match="neither a plan nor a state"):
        network_from_json_file(other)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ReadError, match="not JSON"):
        network_from_json_file(broken)
    with pytest.raises(ReadError, match="cannot read"):
        network_from_json_file(tmp_path / "missing.json")
