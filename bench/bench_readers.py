"""Time the plan reader on synthetic plans of 4k, 16k and 32k resources.

Run: ``python bench/bench_readers.py [--repeat N] [--sizes 4000,16000,32000]`` from the
repository root. Real plans of that size take minutes to make, so the plan JSON is
generated here in the shape ``terraform show -json`` writes (planned_values,
resource_changes, configuration with each expression's references, variables), for a
count-based, community-style module: subnets, route tables, associations through
``element(aws_subnet.s[*].id, count.index)``, routes, one NACL per tier through a
``for`` expression, security groups and rules, all wired through ``local.vpc_id``.

Two ways of reading each plan are timed: with the configuration's HCL (written next to
the plan; the symbolic evaluation) and without it (the plan's references only). Each is
printed in seconds and as a ratio to ``json.loads`` of the same document, measured in
the same run (the machine is shared: every figure is the fastest of N runs, and the
ratio is what stays comparable from one machine to another). "per doubling" is the
growth of the HCL reading per doubling of the plan's size: 2 means linear.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tierform.readers.hcl import load_sources
from tierform.readers.plan import network_from_plan

TIERS = ("web", "app", "db", "cache")

HCL = """\
variable "cells" {
  type = number
}

locals {
  tiers  = ["web", "app", "db", "cache"]
  vpc_id = try(aws_vpc_ipv4_cidr_block_association.this[0].vpc_id, aws_vpc.this.id, "")
}

resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/8"
}

resource "aws_vpc_ipv4_cidr_block_association" "this" {
  count      = 0
  vpc_id     = aws_vpc.this.id
  cidr_block = "100.64.0.0/16"
}

resource "aws_internet_gateway" "this" {
  vpc_id = local.vpc_id
}

resource "aws_subnet" "s" {
  count      = var.cells
  vpc_id     = local.vpc_id
  cidr_block = cidrsubnet("10.0.0.0/8", 16, count.index)
  tags       = { Tier = element(local.tiers, count.index) }
}

resource "aws_route_table" "rt" {
  count  = var.cells
  vpc_id = local.vpc_id
  tags   = { Tier = element(local.tiers, count.index) }
}

resource "aws_route_table_association" "a" {
  count          = var.cells
  subnet_id      = element(aws_subnet.s[*].id, count.index)
  route_table_id = aws_route_table.rt[count.index].id
}

resource "aws_route" "r" {
  count                  = var.cells
  route_table_id         = element(aws_route_table.rt[*].id, count.index)
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_network_acl" "tier" {
  count      = length(local.tiers)
  vpc_id     = local.vpc_id
  subnet_ids = [for i, s in aws_subnet.s : s.id if i % length(local.tiers) == count.index]
  tags       = { Tier = local.tiers[count.index] }
}

resource "aws_security_group" "tier" {
  for_each = toset(local.tiers)
  name     = each.key
  vpc_id   = local.vpc_id
  tags     = { Tier = each.key }
}

resource "aws_vpc_security_group_ingress_rule" "r" {
  count                        = var.cells
  security_group_id            = aws_security_group.tier[element(local.tiers, count.index)].id
  referenced_security_group_id = aws_security_group.tier[element(local.tiers, count.index + 1)].id
  ip_protocol                  = "tcp"
  from_port                    = 1000 + count.index
  to_port                      = 1000 + count.index
}
"""

# Each counted resource: (type, name, known values of instance i, unknown attributes,
# configuration expressions: attribute -> references, as Terraform records them).
_COUNTED: tuple[tuple[str, str, Callable[[int], dict[str, Any]], tuple[str, ...],
                      dict[str, list[str]]], ...] = (
    ("aws_subnet", "s",
     lambda i: {"cidr_block": f"10.{i // 256}.{i % 256}.0/24",
                "tags": {"Tier": TIERS[i % 4]}, "tags_all": {"Tier": TIERS[i % 4]}},
     ("id", "vpc_id", "arn"),
     {"vpc_id": ["local.vpc_id"], "cidr_block": ["count.index"],
      "tags": ["local.tiers", "count.index"]}),
    ("aws_route_table", "rt",
     lambda i: {"tags": {"Tier": TIERS[i % 4]}, "tags_all": {"Tier": TIERS[i % 4]}},
     ("id", "vpc_id", "route"),
     {"vpc_id": ["local.vpc_id"], "tags": ["local.tiers", "count.index"]}),
    ("aws_route_table_association", "a", lambda i: {}, ("id", "subnet_id", "route_table_id"),
     {"subnet_id": ["aws_subnet.s", "count.index"],
      "route_table_id": ["aws_route_table.rt[count.index].id", "aws_route_table.rt",
                         "count.index"]}),
    ("aws_route", "r", lambda i: {"destination_cidr_block": "0.0.0.0/0"},
     ("id", "route_table_id", "gateway_id"),
     {"route_table_id": ["aws_route_table.rt", "count.index"],
      "destination_cidr_block": [],
      "gateway_id": ["aws_internet_gateway.this.id", "aws_internet_gateway.this"]}),
    ("aws_vpc_security_group_ingress_rule", "r",
     lambda i: {"ip_protocol": "tcp", "from_port": 1000 + i, "to_port": 1000 + i,
                "cidr_ipv4": None, "cidr_ipv6": None, "prefix_list_id": None},
     ("id", "security_group_id", "referenced_security_group_id"),
     {"security_group_id": ["aws_security_group.tier", "local.tiers", "count.index"],
      "referenced_security_group_id": ["aws_security_group.tier", "local.tiers",
                                       "count.index"],
      "ip_protocol": [], "from_port": ["count.index"], "to_port": ["count.index"]}),
)
_FIXED = 1 + 1 + len(TIERS) + len(TIERS)  # vpc, igw, NACLs, groups


def _instance(kind: str, name: str, index: Any, values: dict[str, Any],
              unknown: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(planned_values entry, resource_changes entry) of one instance."""
    key = "" if index is None else f"[{json.dumps(index)}]"
    address = f"{kind}.{name}{key}"
    planned = {"address": address, "mode": "managed", "type": kind, "name": name,
               "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
               "values": values, "sensitive_values": {}}
    if index is not None:
        planned["index"] = index
    change = {k: v for k, v in planned.items() if k not in ("values", "sensitive_values",
                                                            "schema_version")}
    change["change"] = {"actions": ["create"], "before": None, "after": values,
                        "after_unknown": dict.fromkeys(unknown, True),
                        "before_sensitive": False, "after_sensitive": {}}
    return planned, change


def synthetic_plan(resources: int) -> dict[str, Any]:
    """A plan document of about ``resources`` managed resource instances."""
    cells = max(4, (resources - _FIXED) // len(_COUNTED))
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []

    def add(kind: str, name: str, index: Any, values: dict[str, Any],
            unknown: tuple[str, ...]) -> None:
        entry, change = _instance(kind, name, index, values, unknown)
        planned.append(entry)
        changes.append(change)

    add("aws_vpc", "this", None, {"cidr_block": "10.0.0.0/8"},
        ("id", "default_network_acl_id", "default_route_table_id",
         "default_security_group_id", "main_route_table_id"))
    add("aws_internet_gateway", "this", None, {}, ("id", "vpc_id"))
    for index, tier in enumerate(TIERS):
        add("aws_network_acl", "tier", index, {"tags": {"Tier": tier}, "tags_all": {"Tier": tier},
                                               "ingress": [], "egress": []},
            ("id", "vpc_id", "subnet_ids"))
        add("aws_security_group", "tier", tier, {"name": tier, "tags": {"Tier": tier},
                                                 "tags_all": {"Tier": tier}},
            ("id", "vpc_id", "ingress", "egress"))
    for kind, name, values, unknown, _ in _COUNTED:
        for i in range(cells):
            add(kind, name, i, values(i), unknown)
    vpc_ref = ["local.vpc_id"]
    config_resources: list[dict[str, Any]] = [
        {"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this",
         "provider_config_key": "aws", "schema_version": 1,
         "expressions": {"cidr_block": {"constant_value": "10.0.0.0/8"}}},
        {"address": "aws_vpc_ipv4_cidr_block_association.this", "mode": "managed",
         "type": "aws_vpc_ipv4_cidr_block_association", "name": "this",
         "provider_config_key": "aws", "schema_version": 0,
         "count_expression": {"constant_value": 0},
         "expressions": {"vpc_id": {"references": ["aws_vpc.this.id", "aws_vpc.this"]},
                         "cidr_block": {"constant_value": "100.64.0.0/16"}}},
        {"address": "aws_internet_gateway.this", "mode": "managed",
         "type": "aws_internet_gateway", "name": "this", "provider_config_key": "aws",
         "schema_version": 0, "expressions": {"vpc_id": {"references": vpc_ref}}},
        {"address": "aws_network_acl.tier", "mode": "managed", "type": "aws_network_acl",
         "name": "tier", "provider_config_key": "aws", "schema_version": 0,
         "count_expression": {"references": ["local.tiers"]},
         "expressions": {"vpc_id": {"references": vpc_ref},
                         "subnet_ids": {"references": ["aws_subnet.s", "local.tiers",
                                                       "count.index"]},
                         "tags": {"references": ["local.tiers", "count.index"]}}},
        {"address": "aws_security_group.tier", "mode": "managed", "type": "aws_security_group",
         "name": "tier", "provider_config_key": "aws", "schema_version": 1,
         "for_each_expression": {"references": ["local.tiers"]},
         "expressions": {"name": {"references": ["each.key"]}, "vpc_id": {"references": vpc_ref},
                         "tags": {"references": ["each.key"]}}},
    ]
    for kind, name, _, _, expressions in _COUNTED:
        config_resources.append({
            "address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
            "provider_config_key": "aws", "schema_version": 0,
            "count_expression": {"references": ["var.cells"]},
            "expressions": {attr: {"references": refs} if refs else {"constant_value": "x"}
                            for attr, refs in expressions.items()}})
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "variables": {"cells": {"value": cells}},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name":
                                        "registry.terraform.io/hashicorp/aws"}},
            "root_module": {"resources": config_resources,
                            "variables": {"cells": {}}}},
        "applyable": True, "complete": True, "errored": False,
    }


def _fastest(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument("--sizes", default="4000,16000,32000",
                        help="resource counts, comma-separated (default 4000,16000,32000)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print("plan reader (readers/plan.py) on synthetic plans; ratio = seconds / json.loads")
    print(f"{'resources':>9} {'MB':>5} {'json.loads s':>12} {'hcl s':>7} {'x json':>7} "
          f"{'refs s':>7} {'x json':>7} {'unresolved':>10} {'per doubling':>12}")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory(prefix="tierform-bench-readers-") as tmp:
        config_dir = Path(tmp)
        (config_dir / "main.tf").write_text(HCL, encoding="utf-8")
        sources = load_sources(config_dir)  # parsed once: a module's HCL does not grow
        for size in sizes:
            document = synthetic_plan(size)
            count = len(document["planned_values"]["root_module"]["resources"])
            text = json.dumps(document)
            loads, _ = _fastest(lambda text=text: json.loads(text), args.repeat)  # type: ignore[misc]
            with_hcl, network = _fastest(
                lambda document=document: network_from_plan(document, sources=sources),  # type: ignore[misc]
                args.repeat)
            refs, _ = _fastest(lambda document=document: network_from_plan(document),  # type: ignore[misc]
                               args.repeat)
            unresolved = len(network.unresolved)  # type: ignore[attr-defined]
            doubling = "-"
            if previous is not None:
                growth = (with_hcl / previous[1]) ** (1 / math.log2(count / previous[0]))
                doubling = f"x{growth:.1f}"
            print(f"{count:>9} {len(text) / 1e6:>5.1f} {loads:>12.3f} {with_hcl:>7.2f} "
                  f"{with_hcl / loads:>7.1f} {refs:>7.2f} {refs / loads:>7.1f} {unresolved:>10} "
                  f"{doubling:>12}")
            previous = (count, with_hcl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
