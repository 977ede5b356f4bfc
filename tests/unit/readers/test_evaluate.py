"""The symbolic evaluation of wiring (readers/evaluate.py through readers/resolver.py), one
idiom per test, on small hand-written HCL and the plan instances Terraform would make of it.

Each case writes its ``.tf`` files, lists the planned instances (address -> known values;
ids are never known), and asks the resolver what an attribute names: an instance (its
address; ``address.attr`` for another attribute), a known value ('quoted'), or why not.
The plan's configuration section is derived from the HCL as Terraform records it (each
expression's references), so these tests exercise the evaluation, not the check that the
HCL is the plan's (tests/plan/test_community_plan_wiring.py holds real plans to that).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tierform.network.model import Network, Unresolved
from tierform.readers.hcl import ModuleConfig, Sources, load_sources
from tierform.readers.plan import network_from_plan, plan_resolver
from tierform.readers.resolver import Resolver, Symbol

# ---------------------------------------------------------------- the harness


def _config_module(sources: Sources, path: str, config: ModuleConfig) -> dict[str, Any]:
    """The plan's ``configuration`` of one module, as Terraform writes it."""
    resources = []
    for address, resource in config.resources.items():
        expressions = {name: _expression(expr) for name, expr in resource.body.attributes.items()
                       if name not in ("count", "for_each", "depends_on", "provider")}
        entry = {"address": address, "mode": resource.mode, "type": resource.type,
                 "name": address.rsplit(".", 1)[1], "expressions": expressions}
        resources.append(entry)
    calls = {}
    for name, call in config.calls.items():
        child = f"{path}.module.{name}" if path else f"module.{name}"
        child_config = sources.module(child)
        calls[name] = {"source": call.source,
                       "expressions": {key: _expression(expr)
                                       for key, expr in call.inputs.items()},
                       "module": _config_module(sources, child, child_config)
                       if child_config is not None else {}}
    outputs = {name: {"expression": _expression(expr)} for name, expr in config.outputs.items()}
    return {"resources": resources, "module_calls": calls, "outputs": outputs}


def _expression(expr: Any) -> dict[str, Any]:
    return {"references": sorted(expr.heads)} if expr.heads else {"constant_value": None}


def _split(address: str) -> tuple[str, str, str, str, Any]:
    """(module path, mode, type, name, index) of a full instance address."""
    parts = address.split(".")
    module: list[str] = []
    while parts[0] == "module":
        module += parts[:2]
        parts = parts[2:]
    mode = "managed"
    if parts[0] == "data":
        mode, parts = "data", parts[1:]
    kind, rest = parts[0], ".".join(parts[1:])
    name, index = rest, None
    if "[" in rest:
        name, raw = rest.split("[", 1)
        index = json.loads(raw[:-1])
    return ".".join(module), mode, kind, name, index


def plan_document(sources: Sources, instances: dict[str, dict[str, Any]],
                  variables: dict[str, Any] | None = None) -> dict[str, Any]:
    modules: dict[str, list[dict[str, Any]]] = {}
    for address, values in instances.items():
        module, mode, kind, name, index = _split(address)
        entry = {"address": address, "mode": mode, "type": kind, "name": name,
                 "values": values}
        if index is not None:
            entry["index"] = index
        modules.setdefault(module, []).append(entry)
    root: dict[str, Any] = {"resources": modules.pop("", []),
                            "child_modules": [{"address": m, "resources": r}
                                              for m, r in modules.items()]}
    root_config = sources.module("")
    assert root_config is not None
    return {"format_version": "1.2", "planned_values": {"root_module": root},
            "variables": {k: {"value": v} for k, v in (variables or {}).items()},
            "configuration": {"root_module": _config_module(sources, "", root_config)}}


def write(tmp_path: Path, files: dict[str, str] | str) -> Path:
    for relative, text in ({"main.tf": files} if isinstance(files, str) else files).items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def resolver(tmp_path: Path, files: dict[str, str] | str, instances: dict[str, dict[str, Any]],
             variables: dict[str, Any] | None = None) -> Resolver:
    sources = load_sources(write(tmp_path, files))
    return plan_resolver(plan_document(sources, instances, variables), sources)


def wired(r: Resolver, address: str, attribute: str) -> list[str] | str:
    """What the attribute names: addresses, 'known values', or "UNRESOLVED: why"."""
    got = r.attribute(r.instances[address], attribute)
    if got is None:
        return "NOT CONFIGURED"
    if isinstance(got, Unresolved):
        return f"UNRESOLVED: {got.reason}"
    return [repr(item) if isinstance(item, str) else _name(item) for item in got]


def _name(symbol: Symbol) -> str:
    if symbol.attribute in (None, "id"):
        return symbol.instance.address
    return f"{symbol.instance.address}.{symbol.attribute}"


VPC = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
VPC_I = {"aws_vpc.main": {"cidr_block": "10.0.0.0/16"}}


def subnets(name: str, keys: list[Any]) -> dict[str, dict[str, Any]]:
    return {f"aws_subnet.{name}[{json.dumps(k)}]": {"cidr_block": f"10.0.{i}.0/24"}
            for i, k in enumerate(keys)}


# ----------------------------------------------------------- references, keys


def test_a_direct_reference_names_the_instance(tmp_path: Path) -> None:
    r = resolver(tmp_path, VPC + 'resource "aws_subnet" "a" {\n  vpc_id = aws_vpc.main.id\n}\n',
                 {**VPC_I, "aws_subnet.a": {}})
    assert wired(r, "aws_subnet.a", "vpc_id") == ["aws_vpc.main"]


def test_literal_keys_of_count_and_for_each(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
resource "aws_subnet" "c" { count = 2 }
resource "aws_subnet" "f" { for_each = toset(["a", "b"]) }
resource "aws_route_table_association" "x" {
  subnet_id = aws_subnet.c[1].id
  route_table_id = aws_subnet.f["b"].id
}
""", {**subnets("c", [0, 1]), **subnets("f", ["a", "b"]),
      "aws_route_table_association.x": {}})
    assert wired(r, "aws_route_table_association.x", "subnet_id") == ["aws_subnet.c[1]"]
    assert wired(r, "aws_route_table_association.x", "route_table_id") == ['aws_subnet.f["b"]']


def test_count_index_picks_the_instance_of_the_same_index(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
resource "aws_subnet" "s" { count = 3 }
resource "aws_route_table_association" "a" {
  count     = 3
  subnet_id = aws_subnet.s[count.index].id
}
""", {**subnets("s", [0, 1, 2]), **{f"aws_route_table_association.a[{i}]": {}
                                     for i in range(3)}})
    assert [wired(r, f"aws_route_table_association.a[{i}]", "subnet_id")[0]
            for i in range(3)] == ["aws_subnet.s[0]", "aws_subnet.s[1]", "aws_subnet.s[2]"]


def test_element_over_a_splat_wraps_around(tmp_path: Path) -> None:
    """The references fallback cannot tell these apart; the evaluation can."""
    r = resolver(tmp_path, """
resource "aws_route_table" "rt" { count = 2 }
resource "aws_route_table_association" "a" {
  count          = 3
  route_table_id = element(aws_route_table.rt[*].id, count.index)
}
resource "aws_route_table_association" "odd" {
  count          = 2
  route_table_id = element(aws_route_table.rt.*.id, count.index % 2 + 1)
}
""", {"aws_route_table.rt[0]": {}, "aws_route_table.rt[1]": {},
      **{f"aws_route_table_association.a[{i}]": {} for i in range(3)},
      **{f"aws_route_table_association.odd[{i}]": {} for i in range(2)}})
    assert [wired(r, f"aws_route_table_association.a[{i}]", "route_table_id")[0]
            for i in range(3)] == ["aws_route_table.rt[0]", "aws_route_table.rt[1]",
                                   "aws_route_table.rt[0]"]
    assert wired(r, "aws_route_table_association.odd[0]", "route_table_id") == [
        "aws_route_table.rt[1]"]


def test_a_splat_as_a_list_names_every_instance(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
resource "aws_subnet" "s" { count = 2 }
resource "aws_network_acl" "n" { subnet_ids = aws_subnet.s[*].id }
""", {**subnets("s", [0, 1]), "aws_network_acl.n": {}})
    assert wired(r, "aws_network_acl.n", "subnet_ids") == ["aws_subnet.s[0]", "aws_subnet.s[1]"]


def test_each_key_and_each_value_of_a_map_and_of_a_resource(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
locals {
  tables = { a = "x", b = "y" }
}
resource "aws_subnet" "s" { for_each = toset(["a", "b"]) }
resource "aws_route_table" "t" { for_each = toset(["x", "y"]) }
resource "aws_route_table_association" "a" {
  for_each       = local.tables
  subnet_id      = aws_subnet.s[each.key].id
  route_table_id = aws_route_table.t[each.value].id
}
resource "aws_route_table_association" "r" {
  for_each  = aws_subnet.s
  subnet_id = each.value.id
}
""", {**subnets("s", ["a", "b"]), 'aws_route_table.t["x"]': {}, 'aws_route_table.t["y"]': {},
      'aws_route_table_association.a["a"]': {}, 'aws_route_table_association.a["b"]': {},
      'aws_route_table_association.r["a"]': {}, 'aws_route_table_association.r["b"]': {}})
    assert wired(r, 'aws_route_table_association.a["b"]', "subnet_id") == ['aws_subnet.s["b"]']
    assert wired(r, 'aws_route_table_association.a["b"]', "route_table_id") == [
        'aws_route_table.t["y"]']
    assert wired(r, 'aws_route_table_association.r["a"]', "subnet_id") == ['aws_subnet.s["a"]']


# ------------------------------------------------------------------- functions


@pytest.mark.parametrize(("associations", "expected"), [
    (1, "aws_vpc.secondary"),  # the association exists: its vpc_id, followed to its expression
    (0, "aws_vpc.this[0]"),  # [0] of no instance is an error: try moves on
])
def test_try_takes_the_first_argument_that_evaluates(tmp_path: Path, associations: int,
                                                     expected: str) -> None:
    """The community VPC module's ``local.vpc_id`` (the association's VPC is another one
    here only to show which argument was taken)."""
    r = resolver(tmp_path, """
locals {
  vpc_id = try(aws_vpc_ipv4_cidr_block_association.this[0].vpc_id, aws_vpc.this[0].id, "")
}
resource "aws_vpc" "this" { count = 1 }
resource "aws_vpc" "secondary" {}
resource "aws_vpc_ipv4_cidr_block_association" "this" {
  count  = var.secondary ? 1 : 0
  vpc_id = aws_vpc.secondary.id
}
resource "aws_subnet" "s" { vpc_id = local.vpc_id }
variable "secondary" { type = bool }
""", {"aws_vpc.this[0]": {}, "aws_vpc.secondary": {}, "aws_subnet.s": {},
      **({"aws_vpc_ipv4_cidr_block_association.this[0]": {}} if associations else {})},
        {"secondary": bool(associations)})
    assert wired(r, "aws_subnet.s", "vpc_id") == [expected]


def test_variables_are_converted_to_their_type_and_nullable_false_takes_the_default(
        tmp_path: Path) -> None:
    r = resolver(tmp_path, {
        "main.tf": """
resource "aws_subnet" "s" { for_each = toset(["a", "b"]) }
module "m" {
  source  = "./m"
  subnets = { web = { keys = ["b", "a", "b"] } }
  pick    = null
}
""",
        "m/main.tf": """
variable "subnets" {
  type = map(object({
    keys   = set(string)
    public = optional(bool, true)
  }))
}
variable "pick" {
  type     = string
  default  = "a"
  nullable = false
}
resource "aws_network_acl" "n" {
  subnet_ids = var.subnets["web"].public ? [for k in var.subnets["web"].keys : "subnet-${k}"] : []
}
resource "aws_route_table_association" "a" { subnet_id = "subnet-${var.pick}" }
""",
    }, {**subnets("s", ["a", "b"]), "module.m.aws_network_acl.n": {},
        "module.m.aws_route_table_association.a": {}})
    assert wired(r, "module.m.aws_network_acl.n", "subnet_ids") == ["'subnet-a'", "'subnet-b'"]
    assert wired(r, "module.m.aws_route_table_association.a", "subnet_id") == ["'subnet-a'"]


def test_coalesce_coalescelist_concat_lookup_one_length(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
variable "given" { default = null }
locals {
  groups = { web = aws_security_group.web.id }
}
resource "aws_security_group" "web" {}
resource "aws_security_group" "opt" { count = 0 }
resource "aws_route_table" "db" { count = 0 }
resource "aws_route_table" "private" { count = 2 }
resource "aws_subnet" "s" { count = 2 }
resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id            = coalesce(var.given, aws_security_group.web.id)
  referenced_security_group_id = lookup(local.groups, "web")
}
resource "aws_vpc_security_group_egress_rule" "r" {
  security_group_id            = one(aws_security_group.opt[*].id)
  referenced_security_group_id = concat(aws_security_group.opt[*].id,
                                        [aws_security_group.web.id])[0]
}
resource "aws_route_table_association" "a" {
  count          = length(aws_subnet.s)
  subnet_id      = aws_subnet.s[count.index].id
  route_table_id = element(
    coalescelist(aws_route_table.db[*].id, aws_route_table.private[*].id), count.index)
}
""", {"aws_security_group.web": {}, "aws_route_table.private[0]": {},
      "aws_route_table.private[1]": {}, **subnets("s", [0, 1]),
      "aws_vpc_security_group_ingress_rule.r": {}, "aws_vpc_security_group_egress_rule.r": {},
      "aws_route_table_association.a[0]": {}, "aws_route_table_association.a[1]": {}})
    rule = "aws_vpc_security_group_ingress_rule.r"
    assert wired(r, rule, "security_group_id") == ["aws_security_group.web"]
    assert wired(r, rule, "referenced_security_group_id") == ["aws_security_group.web"]
    egress = "aws_vpc_security_group_egress_rule.r"
    assert wired(r, egress, "security_group_id") == []  # one([]) is null: not set
    assert wired(r, egress, "referenced_security_group_id") == ["aws_security_group.web"]
    assert wired(r, "aws_route_table_association.a[1]", "route_table_id") == [
        "aws_route_table.private[1]"]


@pytest.mark.parametrize(("single", "expected"), [
    (True, ["aws_route_table.app[0]", "aws_route_table.app[0]"]),
    (False, ["aws_route_table.app[0]", "aws_route_table.app[1]"]),
])
def test_a_known_condition_picks_its_branch(tmp_path: Path, single: bool,
                                            expected: list[str]) -> None:
    tables = 1 if single else 2
    r = resolver(tmp_path, """
variable "single_nat_gateway" { type = bool }
resource "aws_route_table" "app" { count = var.single_nat_gateway ? 1 : 2 }
resource "aws_route_table_association" "app" {
  count          = 2
  route_table_id = aws_route_table.app[var.single_nat_gateway ? 0 : count.index].id
}
""", {**{f"aws_route_table.app[{i}]": {} for i in range(tables)},
      "aws_route_table_association.app[0]": {}, "aws_route_table_association.app[1]": {}},
        {"single_nat_gateway": single})
    assert [wired(r, f"aws_route_table_association.app[{i}]", "route_table_id")[0]
            for i in range(2)] == expected


def test_for_expressions_with_conditions_and_grouping(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
locals {
  by_tier = { for key, s in aws_subnet.s : split("/", key)[0] => s.id... }
}
resource "aws_subnet" "s" { for_each = toset(["app/a", "app/b", "db/a"]) }
resource "aws_network_acl" "app" {
  subnet_ids = [for key, s in aws_subnet.s : s.id if startswith(key, "app/")]
}
resource "aws_network_acl" "db" { subnet_ids = local.by_tier["db"] }
""", {**subnets("s", ["app/a", "app/b", "db/a"]), "aws_network_acl.app": {},
      "aws_network_acl.db": {}})
    assert wired(r, "aws_network_acl.app", "subnet_ids") == [
        'aws_subnet.s["app/a"]', 'aws_subnet.s["app/b"]']
    assert wired(r, "aws_network_acl.db", "subnet_ids") == ['aws_subnet.s["db/a"]']


# ------------------------------------------------------ modules and variables


MODULE_SG = """
variable "vpc_id" { type = string }
variable "rules" {
  type = list(object({
    peer = optional(string)
    port = optional(number, 443)
  }))
  default = []
}
resource "aws_security_group" "this" {
  count  = 1
  vpc_id = var.vpc_id
}
resource "aws_vpc_security_group_ingress_rule" "r" {
  count                        = length(var.rules)
  security_group_id            = local.id
  referenced_security_group_id = var.rules[count.index]["peer"]
  from_port                    = var.rules[count.index].port
}
locals {
  id = concat(aws_security_group.this[*].id, [""])[0]
}
output "id" { value = local.id }
"""


def test_module_inputs_outputs_and_a_list_of_objects_with_an_id_inside(tmp_path: Path) -> None:
    """The community SG module idiom: module.vpc.vpc_id in, a group id out, another
    module's output inside a list of rule objects (type-converted with optional())."""
    r = resolver(tmp_path, {
        "main.tf": VPC + """
module "vpc" {
  source = "./modules/vpc"
}
module "web" {
  source = "./modules/sg"
  vpc_id = module.vpc.vpc_id
}
module "app" {
  source = "./modules/sg"
  vpc_id = module.vpc.vpc_id
  rules  = [{ peer = module.web.id }]
}
""",
        "modules/vpc/main.tf": 'resource "aws_vpc" "this" {}\n'
                               'output "vpc_id" { value = aws_vpc.this.id }\n',
        "modules/sg/main.tf": MODULE_SG,
    }, {**VPC_I, "module.vpc.aws_vpc.this": {}, "module.web.aws_security_group.this[0]": {},
        "module.app.aws_security_group.this[0]": {},
        "module.app.aws_vpc_security_group_ingress_rule.r[0]": {}})
    assert wired(r, "module.web.aws_security_group.this[0]", "vpc_id") == [
        "module.vpc.aws_vpc.this"]
    rule = "module.app.aws_vpc_security_group_ingress_rule.r[0]"
    assert wired(r, rule, "security_group_id") == ["module.app.aws_security_group.this[0]"]
    assert wired(r, rule, "referenced_security_group_id") == [
        "module.web.aws_security_group.this[0]"]
    assert wired(r, rule, "from_port") == ["'443'"]  # the optional() default


def test_modules_with_for_each_and_count_take_each_and_count_in_their_inputs(
        tmp_path: Path) -> None:
    r = resolver(tmp_path, {
        "main.tf": VPC + """
resource "aws_subnet" "s" { count = 2 }
module "nat" {
  source    = "./nat"
  for_each  = { a = 0, b = 1 }
  subnet_id = aws_subnet.s[each.value].id
}
module "rt" {
  source = "./rt"
  count  = 2
  nat_id = module.nat[count.index == 0 ? "a" : "b"].id
}
""",
        "nat/main.tf": 'variable "subnet_id" {}\nresource "aws_nat_gateway" "this" {\n'
                       '  subnet_id = var.subnet_id\n}\n'
                       'output "id" { value = aws_nat_gateway.this.id }\n',
        "rt/main.tf": 'variable "nat_id" {}\nresource "aws_route" "r" {\n'
                      '  nat_gateway_id = var.nat_id\n}\n',
    }, {**VPC_I, **subnets("s", [0, 1]), 'module.nat["a"].aws_nat_gateway.this': {},
        'module.nat["b"].aws_nat_gateway.this': {}, "module.rt[0].aws_route.r": {},
        "module.rt[1].aws_route.r": {}})
    assert wired(r, 'module.nat["b"].aws_nat_gateway.this', "subnet_id") == ["aws_subnet.s[1]"]
    assert wired(r, "module.rt[1].aws_route.r", "nat_gateway_id") == [
        'module.nat["b"].aws_nat_gateway.this']


def test_root_variables_come_from_the_plan_then_their_defaults(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
variable "pick" { default = 0 }
variable "other" { default = 1 }
resource "aws_subnet" "s" { count = 2 }
resource "aws_route_table_association" "a" { subnet_id = aws_subnet.s[var.pick].id }
resource "aws_route_table_association" "b" { subnet_id = aws_subnet.s[var.other].id }
""", {**subnets("s", [0, 1]), "aws_route_table_association.a": {},
      "aws_route_table_association.b": {}}, {"pick": 1})
    assert wired(r, "aws_route_table_association.a", "subnet_id") == ["aws_subnet.s[1]"]
    assert wired(r, "aws_route_table_association.b", "subnet_id") == ["aws_subnet.s[1]"]


def test_module_sources_after_init_come_from_modules_json(tmp_path: Path) -> None:
    """A registry module is not at its ``source``: Terraform's manifest says where it is."""
    write(tmp_path, {
        "main.tf": 'module "vpc" {\n  source  = "example-org/vpc/aws"\n  version = "1.0.0"\n}\n'
                   'resource "aws_subnet" "s" {\n  vpc_id = module.vpc.id\n}\n',
        ".terraform/modules/vpc/main.tf": 'resource "aws_vpc" "this" {}\n'
                                          'output "id" { value = aws_vpc.this.id }\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "vpc", "Source": "registry.terraform.io/example-org/vpc/aws",
             "Version": "1.0.0", "Dir": ".terraform/modules/vpc"}]}),
    })
    sources = load_sources(tmp_path)
    r = plan_resolver(plan_document(sources, {"module.vpc.aws_vpc.this": {},
                                              "aws_subnet.s": {}}), sources)
    assert wired(r, "aws_subnet.s", "vpc_id") == ["module.vpc.aws_vpc.this"]


def test_a_known_attribute_is_the_planned_value_and_a_vpc_default_stays_a_symbol(
        tmp_path: Path) -> None:
    r = resolver(tmp_path, VPC + """
resource "aws_subnet" "s" { cidr_block = "10.0.1.0/24" }
resource "aws_network_acl_rule" "r" { cidr_block = aws_subnet.s.cidr_block }
resource "aws_default_route_table" "d" {
  default_route_table_id = aws_vpc.main.default_route_table_id
}
""", {**VPC_I, "aws_subnet.s": {"cidr_block": "10.0.1.0/24"}, "aws_network_acl_rule.r": {},
      "aws_default_route_table.d": {}})
    assert wired(r, "aws_network_acl_rule.r", "cidr_block") == ["'10.0.1.0/24'"]
    assert wired(r, "aws_default_route_table.d", "default_route_table_id") == [
        "aws_vpc.main.default_route_table_id"]


# -------------------------------------------------------------- inline blocks


def test_dynamic_and_static_blocks_and_attribute_blocks_are_evaluated(tmp_path: Path) -> None:
    r = resolver(tmp_path, VPC + """
locals {
  peers = { app = aws_security_group.app.id }
}
resource "aws_security_group" "app" {}
resource "aws_security_group" "web" {
  dynamic "egress" {
    for_each = local.peers
    content {
      protocol        = "tcp"
      from_port       = 8080
      to_port         = 8080
      security_groups = [egress.value]
      description     = "to ${egress.key}"
    }
  }
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_internet_gateway" "gw" {}
resource "aws_route_table" "t" {
  route = [{ cidr_block = "0.0.0.0/0", gateway_id = aws_internet_gateway.gw.id }]
}
""", {**VPC_I, "aws_security_group.app": {}, "aws_security_group.web": {},
      "aws_internet_gateway.gw": {}, "aws_route_table.t": {}})
    web = r.instances["aws_security_group.web"]
    egress = r.blocks(web, "egress")
    assert isinstance(egress, list)
    assert [(b["from_port"], [s.instance.address for s in b["security_groups"]],
             b["description"]) for b in egress] == [(8080, ["aws_security_group.app"], "to app")]
    assert r.blocks(web, "ingress") == [{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                         "cidr_blocks": ["0.0.0.0/0"]}]
    routes = r.blocks(r.instances["aws_route_table.t"], "route")
    assert isinstance(routes, list)
    assert routes[0]["gateway_id"].instance.address == "aws_internet_gateway.gw"


# ------------------------------------------------- what is not resolved, and why


UNRESOLVED_CASES = [
    # (name, HCL of aws_route.r's gateway_id, extra HCL, the expression, why)
    ("data source not in the plan", "data.aws_internet_gateway.gw.id",
     'data "aws_internet_gateway" "gw" {}', "data.aws_internet_gateway.gw.id",
     "data source data.aws_internet_gateway.gw is read only at apply time"),
    ("function not evaluated", 'jsondecode(var.ids)["gw"]',
     'variable "ids" { default = "{}" }', 'jsondecode(var.ids)["gw"]',
     "function jsondecode() is not evaluated"),
    ("condition unknown at plan time",
     'aws_vpc.main.owner_id == "1" ? aws_internet_gateway.a.id : aws_internet_gateway.b.id',
     'resource "aws_internet_gateway" "a" {}\nresource "aws_internet_gateway" "b" {}',
     'aws_vpc.main.owner_id == "1"', "unknown at plan time"),
    ("index unknown at plan time", "aws_internet_gateway.m[aws_vpc.main.owner_id].id",
     'resource "aws_internet_gateway" "m" {\n  for_each = toset(["a"])\n}',
     "aws_internet_gateway.m[aws_vpc.main.owner_id].id", "known only after apply"),
    ("template directive", '"%{if true}igw-1%{endif}"', "", '"%{if true}igw-1%{endif}"',
     "template directives (%{...}) are not evaluated"),
    ("regular expression", 'replace("igw-x", "/x/", "1")', "", 'replace("igw-x", "/x/", "1")',
     "replace() with a regular expression is not evaluated"),
    ("provider function", 'provider::aws::arn_parse("x").id', "",
     'provider::aws::arn_parse("x")',
     "provider function provider::aws::arn_parse is not evaluated"),
    ("iteration over an unknown", "[for g in data.aws_internet_gateway.all.ids : g][0]",
     'data "aws_internet_gateway" "all" {}', "[for g in data.aws_internet_gateway.all.ids",
     "read only at apply time"),
    ("non-id attribute known only after apply", "aws_vpc.main.owner_id", "",
     "aws_vpc.main.owner_id", "aws_vpc.main.owner_id is known only after apply"),
    # try() moves on only past errors, never past what is not modelled
    ("try does not skip what is not modelled",
     'try(jsondecode("{}").id, aws_internet_gateway.a.id)',
     'resource "aws_internet_gateway" "a" {}', 'jsondecode("{}")',
     "function jsondecode() is not evaluated"),
    ("can of an unknown", 'can(aws_vpc.main.owner_id) ? aws_internet_gateway.a.id : null',
     'resource "aws_internet_gateway" "a" {}', "can(aws_vpc.main.owner_id)",
     "aws_vpc.main.owner_id is known only after apply"),
]


def _route_network(tmp_path: Path, gateway: str, extra: str,
                   instances: dict[str, dict[str, Any]] | None = None) -> Network:
    files = VPC + extra + f"""
resource "aws_subnet" "s" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
  tags       = {{ Tier = "web" }}
}}
resource "aws_route_table" "t" {{ vpc_id = aws_vpc.main.id }}
resource "aws_route" "r" {{
  route_table_id         = aws_route_table.t.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = {gateway}
}}
"""
    sources = load_sources(write(tmp_path, files))
    planned = {**VPC_I, "aws_subnet.s": {"cidr_block": "10.0.1.0/24", "tags": {"Tier": "web"}},
               "aws_route_table.t": {}, "aws_route.r": {"destination_cidr_block": "0.0.0.0/0"},
               'aws_internet_gateway.m["a"]': {}, "aws_internet_gateway.a": {},
               "aws_internet_gateway.b": {}, **(instances or {})}
    declared = {a for a in planned if a.split("[")[0] in sources.modules[""].resources}
    document = plan_document(sources, {a: v for a, v in planned.items() if a in declared})
    return network_from_plan(document, sources=sources)


@pytest.mark.parametrize(("gateway", "extra", "expression", "why"),
                         [case[1:] for case in UNRESOLVED_CASES],
                         ids=[case[0] for case in UNRESOLVED_CASES])
def test_what_is_not_resolved_is_listed_with_its_expression_and_why(
        tmp_path: Path, gateway: str, extra: str, expression: str, why: str) -> None:
    network = _route_network(tmp_path, gateway, extra)
    found = [u for u in network.unresolved if (u.address, u.attribute) == ("aws_route.r",
                                                                            "gateway_id")]
    assert len(found) == 1, network.unresolved
    assert f"`{gateway}`" in found[0].reason  # the attribute's whole expression, as written
    assert expression in found[0].reason
    assert why in found[0].reason
    # never a guess: the route is left out, not given a target
    assert all(not t.routes for t in network.route_tables.values())


def test_a_resolved_route_for_contrast(tmp_path: Path) -> None:
    network = _route_network(tmp_path, "aws_internet_gateway.a.id",
                             'resource "aws_internet_gateway" "a" {}')
    assert network.unresolved == []
    assert [(r.kind, r.target) for r in network.route_tables["aws_route_table.t"].routes] == [
        ("igw", "aws_internet_gateway.a")]


def test_a_module_whose_source_is_not_on_disk_falls_back_and_says_why(tmp_path: Path) -> None:
    write(tmp_path, 'module "vpc" {\n  source = "example-org/vpc/aws"\n}\n'
                    'resource "aws_subnet" "s" {\n  vpc_id = module.vpc.id\n}\n')
    sources = load_sources(tmp_path)
    document = plan_document(sources, {"module.vpc.aws_vpc.this": {}, "aws_subnet.s": {}})
    document["configuration"]["root_module"]["module_calls"]["vpc"]["module"] = {
        "resources": [{"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc",
                       "name": "this", "expressions": {}}],
        "outputs": {"id": {"expression": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}}}
    r = plan_resolver(document, sources)
    got = wired(r, "aws_subnet.s", "vpc_id")
    assert isinstance(got, str)
    assert "`module.vpc.id`" in got
    assert "run `terraform init`" in got


def test_a_module_input_that_is_not_the_plan_s_stops_the_evaluation_of_that_module(
        tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, {
        "main.tf": VPC + 'resource "aws_vpc" "other" {}\n'
                         'module "m" {\n  source = "./m"\n  vpc_id = aws_vpc.main.id\n}\n',
        "m/main.tf": 'variable "vpc_id" {}\nresource "aws_subnet" "s" { vpc_id = var.vpc_id }\n'
                     'output "id" { value = aws_subnet.s.id }\n',
    }))
    document = plan_document(sources, {**VPC_I, "aws_vpc.other": {}, "module.m.aws_subnet.s": {}})
    document["configuration"]["root_module"]["module_calls"]["m"]["expressions"]["vpc_id"] = {
        "references": ["aws_vpc.other.id", "aws_vpc.other"]}
    r = plan_resolver(document, sources)
    # The plan's references say aws_vpc.other: the HCL's aws_vpc.main is not used there;
    # the root module itself is still evaluated.
    assert wired(r, "module.m.aws_subnet.s", "vpc_id") == ["aws_vpc.other"]
    assert "input vpc_id of module m: not the plan's" in r.hcl_problem(
        r.instances["module.m.aws_subnet.s"])
    assert r.hcl_problem(r.instances["aws_vpc.other"]) == ""


def test_hcl_that_is_not_the_plan_configuration_is_not_used(tmp_path: Path) -> None:
    """A stale checkout: the plan's references differ from the file's expression."""
    sources = load_sources(write(tmp_path, VPC + """
resource "aws_internet_gateway" "a" {}
resource "aws_internet_gateway" "b" {}
resource "aws_route" "r" { gateway_id = aws_internet_gateway.b.id }
"""))
    document = plan_document(sources, {**VPC_I, "aws_internet_gateway.a": {},
                                       "aws_internet_gateway.b": {}, "aws_route.r": {}})
    route = next(r for r in document["configuration"]["root_module"]["resources"]
                 if r["address"] == "aws_route.r")
    route["expressions"]["gateway_id"] = {"references": ["aws_internet_gateway.a.id",
                                                         "aws_internet_gateway.a"]}
    r = plan_resolver(document, sources)
    assert wired(r, "aws_route.r", "gateway_id") == ["aws_internet_gateway.a"]  # the plan's
    del route["expressions"]["gateway_id"]["references"][:]
    route["expressions"]["gateway_id"]["references"] += ["local.gw"]
    got = wired(plan_resolver(document, sources), "aws_route.r", "gateway_id")
    assert isinstance(got, str)
    assert "its references differ" in got


def test_a_file_python_hcl2_cannot_parse_is_named(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, 'resource "aws_vpc" "main" {\n  cidr_block = \n}\n'))
    assert "main.tf" in sources.modules[""].problem
    assert "cannot parse" in sources.modules[""].problem


def test_a_data_source_read_at_plan_time_gives_its_values(tmp_path: Path) -> None:
    r = resolver(tmp_path, """
data "aws_vpc" "main" {}
resource "aws_subnet" "s" { vpc_id = data.aws_vpc.main.id }
""", {"data.aws_vpc.main": {"id": "vpc-0abc"}, "aws_subnet.s": {}})
    assert wired(r, "aws_subnet.s", "vpc_id") == ["'vpc-0abc'"]


def test_count_instances_that_are_not_0_to_n_are_not_indexed(tmp_path: Path) -> None:
    """A targeted plan may hold some instances only: positions would shift."""
    r = resolver(tmp_path, """
resource "aws_subnet" "s" { count = 3 }
resource "aws_network_acl" "n" { subnet_ids = [element(aws_subnet.s[*].id, 1)] }
""", {"aws_subnet.s[0]": {}, "aws_subnet.s[2]": {}, "aws_network_acl.n": {}})
    got = wired(r, "aws_network_acl.n", "subnet_ids")
    assert isinstance(got, str)
    assert "not 0..n-1" in got


def test_an_inline_block_field_that_is_not_resolved_is_listed_with_its_expression(
        tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, VPC + """
data "aws_security_group" "office" {}
resource "aws_security_group" "app" { vpc_id = aws_vpc.main.id }
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    security_groups = [data.aws_security_group.office.id]
  }
  ingress {
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    security_groups = [aws_security_group.app.id]
  }
}
"""))
    # Terraform plans the blocks with the group ids unknown (absent from the values).
    blocks = [{"protocol": "tcp", "from_port": p, "to_port": p, "cidr_blocks": [],
               "ipv6_cidr_blocks": [], "prefix_list_ids": [], "self": False,
               "description": ""} for p in (22, 443)]
    document = plan_document(sources, {**VPC_I, "aws_security_group.app": {},
                                       "aws_security_group.web": {"ingress": blocks}})
    network = network_from_plan(document, sources=sources)
    assert [(u.address, u.attribute) for u in network.unresolved] == [
        ("aws_security_group.web", "ingress[0]")]
    reason = network.unresolved[0].reason
    assert "`[data.aws_security_group.office.id]`" in reason
    assert "data source data.aws_security_group.office is read only at apply time" in reason
    rules = network.security_groups["aws_security_group.web"].rules
    assert [(r.from_port, r.group) for r in rules] == [(443, "aws_security_group.app")]


def test_try_never_falls_back_past_what_the_evaluation_cannot_tell(tmp_path: Path) -> None:
    """Terraform evaluated the association's vpc_id to make the plan: that the evaluation
    cannot (here: a .tf.json module it does not read) is unknown, not try()'s error."""
    r = resolver(tmp_path, {
        "main.tf": """
module "ids" { source = "./ids" }
resource "aws_vpc" "a" {}
resource "aws_vpc" "b" {}
resource "aws_vpc_ipv4_cidr_block_association" "x" { vpc_id = module.ids.vpc }
resource "aws_subnet" "s" {
  vpc_id = try(aws_vpc_ipv4_cidr_block_association.x.vpc_id, aws_vpc.b.id)
}
""",
        "ids/main.tf.json": json.dumps({"output": {"vpc": {"value": "${aws_vpc.a.id}"}}}),
    }, {"aws_vpc.a": {}, "aws_vpc.b": {}, "aws_vpc_ipv4_cidr_block_association.x": {},
        "aws_subnet.s": {}})
    got = wired(r, "aws_subnet.s", "vpc_id")
    assert isinstance(got, str)
    assert ".tf.json files (main.tf.json) are not read" in got


def test_a_dynamic_block_unknown_at_plan_time_is_read_from_the_hcl(tmp_path: Path) -> None:
    """The plan's configuration records no dynamic block, and its planned value is unknown
    (absent) exactly as for a group with no inline rules: only the HCL tells them apart."""
    sources = load_sources(write(tmp_path, VPC + """
resource "aws_security_group" "app" { vpc_id = aws_vpc.main.id }
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  dynamic "egress" {
    for_each = [aws_security_group.app.id]
    content {
      protocol        = "tcp"
      from_port       = 8080
      to_port         = 8080
      security_groups = [egress.value]
    }
  }
}
"""))
    document = plan_document(sources, {**VPC_I, "aws_security_group.app": {},
                                       "aws_security_group.web": {}})
    network = network_from_plan(document, sources=sources)
    assert network.unresolved == []
    assert [(r.egress, r.from_port, r.group)
            for r in network.security_groups["aws_security_group.web"].rules] == [
        (True, 8080, "aws_security_group.app")]
    assert network.security_groups["aws_security_group.app"].rules == ()
