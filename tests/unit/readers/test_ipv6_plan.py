"""IPv6 read from a plan (N4): an Amazon-provided block is unknown until apply, so the
configuration's ``cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, k)`` becomes a symbolic
prefix; without the HCL (or for anything else unknown) the reader lists it as unresolved
and every answer it could change is ``?`` with exit code 3, never blocked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import tierform
from tierform.analyze import analyze
from tierform.readers.files import read_network

HCL = """
resource "aws_vpc" "main" {
  cidr_block                       = "10.0.0.0/16"
  assign_generated_ipv6_cidr_block = true
}
resource "aws_subnet" "web" {
  vpc_id          = aws_vpc.main.id
  cidr_block      = "10.0.1.0/24"
  ipv6_cidr_block = cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 1)
  tags            = { Tier = "web" }
}
resource "aws_subnet" "db" {
  vpc_id          = aws_vpc.main.id
  cidr_block      = "10.0.21.0/24"
  ipv6_cidr_block = cidrsubnet(cidrsubnet(aws_vpc.main.ipv6_cidr_block, 4, 1), 4, 5)
  tags            = { Tier = "db" }
}
resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "web" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "web_v6" {
  route_table_id              = aws_route_table.web.id
  destination_ipv6_cidr_block = "::/0"
  gateway_id                  = aws_internet_gateway.this.id
}
resource "aws_route_table_association" "web" {
  subnet_id      = aws_subnet.web.id
  route_table_id = aws_route_table.web.id
}
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  tags   = { Tier = "web" }
}
resource "aws_vpc_security_group_ingress_rule" "web_https_v6" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}
resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  tags   = { Tier = "db" }
}
resource "aws_security_group_rule" "db_from_vpc_v6" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  ipv6_cidr_blocks  = [aws_vpc.main.ipv6_cidr_block]
}
"""

_REFS = {  # attribute -> what it references (unknown at plan time: absent from values)
    "aws_subnet.web": {"vpc_id": "aws_vpc.main.id",
                       "ipv6_cidr_block": "aws_vpc.main.ipv6_cidr_block"},
    "aws_subnet.db": {"vpc_id": "aws_vpc.main.id",
                      "ipv6_cidr_block": "aws_vpc.main.ipv6_cidr_block"},
    "aws_internet_gateway.this": {"vpc_id": "aws_vpc.main.id"},
    "aws_route_table.web": {"vpc_id": "aws_vpc.main.id"},
    "aws_route.web_v6": {"route_table_id": "aws_route_table.web.id",
                         "gateway_id": "aws_internet_gateway.this.id"},
    "aws_route_table_association.web": {"subnet_id": "aws_subnet.web.id",
                                        "route_table_id": "aws_route_table.web.id"},
    "aws_security_group.web": {"vpc_id": "aws_vpc.main.id"},
    "aws_vpc_security_group_ingress_rule.web_https_v6": {
        "security_group_id": "aws_security_group.web.id"},
    "aws_security_group.db": {"vpc_id": "aws_vpc.main.id"},
    "aws_security_group_rule.db_from_vpc_v6": {
        "security_group_id": "aws_security_group.db.id",
        "ipv6_cidr_blocks": "aws_vpc.main.ipv6_cidr_block"},
}
_KNOWN: dict[str, dict[str, Any]] = {
    "aws_vpc.main": {"cidr_block": "10.0.0.0/16", "assign_generated_ipv6_cidr_block": True},
    "aws_subnet.web": {"cidr_block": "10.0.1.0/24", "tags": {"Tier": "web"}},
    "aws_subnet.db": {"cidr_block": "10.0.21.0/24", "tags": {"Tier": "db"}},
    "aws_internet_gateway.this": {},
    "aws_route_table.web": {"route": []},
    "aws_route.web_v6": {"destination_ipv6_cidr_block": "::/0", "destination_cidr_block": None},
    "aws_route_table_association.web": {},
    "aws_security_group.web": {"tags": {"Tier": "web"}, "egress": []},
    "aws_vpc_security_group_ingress_rule.web_https_v6": {
        "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "::/0",
        "cidr_ipv4": None, "referenced_security_group_id": None, "prefix_list_id": None},
    "aws_security_group.db": {"tags": {"Tier": "db"}, "egress": []},
    "aws_security_group_rule.db_from_vpc_v6": {
        "type": "ingress", "protocol": "tcp", "from_port": 5432, "to_port": 5432,
        "cidr_blocks": None, "source_security_group_id": None, "prefix_list_ids": []},
}


def _plan(known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The plan Terraform writes for HCL: unknown values absent, references recorded."""
    values = {**_KNOWN, **(known or {})}
    planned, config = [], []
    for address, attrs in values.items():
        kind, name = address.split(".")
        planned.append({"address": address, "mode": "managed", "type": kind, "name": name,
                        "values": attrs})
        expressions: dict[str, Any] = {k: {"constant_value": v} for k, v in attrs.items()
                                       if v is not None}
        for attr, ref in _REFS.get(address, {}).items():
            expressions[attr] = {"references": [ref, ref.rsplit(".", 1)[0]]}
        config.append({"address": address, "mode": "managed", "type": kind, "name": name,
                       "expressions": expressions})
    return {"format_version": "1.2",
            "planned_values": {"root_module": {"resources": planned}},
            "configuration": {"root_module": {"resources": config}}}


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text(HCL, encoding="utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(_plan()), encoding="utf-8")
    return tmp_path


def test_cidrsubnet_of_the_vpc_block_is_a_symbolic_prefix(plan_dir: Path) -> None:
    _, network = read_network(plan_dir / "plan.json", config_dir=plan_dir / "root")
    assert network.unresolved == []
    assert network.vpc_ipv6_cidrs == ("aws_vpc.main.ipv6_cidr_block",)
    subnets = {s.tier: s.ipv6_cidr for s in network.subnets.values()}
    assert subnets == {"web": "cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 1)",
                       "db": "cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 21)"}
    db_rules = network.security_groups["aws_security_group.db"].rules
    assert [r.cidr for r in db_rules] == ["aws_vpc.main.ipv6_cidr_block"]
    result = analyze(network)
    assert result.complete, result.incomplete_reasons
    assert result.verdict("internet", "web", "tcp", 443, "ipv6") == "reachable"
    assert result.verdict("internet", "web", "tcp", 443, "ipv4") == "blocked"
    assert result.tiers["web"].exposure_ipv6 == "public"
    assert result.tiers["db"].exposure_ipv6 == "isolated"
    # "inside the VPC" decided without addresses: db admits 5432 from the VPC's block only.
    assert result.verdict("internet", "db", "tcp", 5432, "ipv6") == "blocked"


def test_state_like_known_blocks_read_as_they_are(plan_dir: Path) -> None:
    known = {"aws_vpc.main": {**_KNOWN["aws_vpc.main"],
                              "ipv6_cidr_block": "2600:1f18:aa:100::/56"},
             "aws_subnet.web": {**_KNOWN["aws_subnet.web"],
                                "ipv6_cidr_block": "2600:1f18:aa:101::/64"}}
    (plan_dir / "plan.json").write_text(json.dumps(_plan(known)), encoding="utf-8")
    _, network = read_network(plan_dir / "plan.json", config_dir=plan_dir / "root")
    assert network.vpc_ipv6_cidrs == ("2600:1f18:aa:100::/56",)
    assert network.subnets["aws_subnet.web"].ipv6_cidr == "2600:1f18:aa:101::/64"


def _without_hcl(plan_dir: Path, change: dict[str, dict[str, Any]]) -> Path:
    (plan_dir / "plan.json").write_text(json.dumps(_plan(change)), encoding="utf-8")
    return plan_dir / "plan.json"


# Each construct the reader cannot resolve (no HCL given: the plan's references alone do
# not say which part of the unknown block is meant) or does not read.
CONSTRUCTS: dict[str, dict[str, dict[str, Any]]] = {
    "subnet IPv6 block carved from the unknown VPC block": {},
    "VPC IPv6 block from an IPAM pool": {"aws_vpc.main": {
        "cidr_block": "10.0.0.0/16", "ipv6_ipam_pool_id": "ipam-pool-0123"}},
    # Only a /56 is read symbolically (the layout's "block 8t + i" is about a /56).
    "VPC IPv6 /48 from an IPAM pool": {"aws_vpc.main": {
        "cidr_block": "10.0.0.0/16", "ipv6_ipam_pool_id": "ipam-pool-0123",
        "ipv6_netmask_length": 48}},
    "group rule for a prefix list": {"aws_vpc_security_group_ingress_rule.web_https_v6": {
        "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": None,
        "cidr_ipv4": None, "referenced_security_group_id": None,
        "prefix_list_id": "pl-0123456789abcdef0"}},
}


@pytest.mark.parametrize("construct", list(CONSTRUCTS))
def test_every_unread_ipv6_construct_is_unknown_and_exit_3(plan_dir: Path,
                                                           construct: str) -> None:
    plan = _without_hcl(plan_dir, CONSTRUCTS[construct])
    empty = plan_dir / "empty"
    empty.mkdir()
    (empty / "main.tf").write_text("", encoding="utf-8")  # a root module without the HCL
    done = tierform("reach", str(plan), "--config-dir", str(empty), cwd=plan_dir)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "?" in done.stdout
    assert "incomplete:" in done.stdout
    answer = json.loads(tierform("reach", str(plan), "--config-dir", str(empty), "--format",
                                 "json", cwd=plan_dir).stdout)
    assert answer["complete"] is False
    web = [u for u in answer["unknown"] if u["to"] == "web" and u["from"] == "internet"]
    assert web, answer["unknown"]  # internet -> web is never "blocked" by not reading
    query = tierform("reach", str(plan), "--config-dir", str(empty), "--from", "internet",
                     "--to", "web", "--port", "443", cwd=plan_dir)
    assert query.returncode == 3, query.stdout


def test_reach_query_answers_in_either_family_unless_told(plan_dir: Path) -> None:
    args = ("reach", str(plan_dir / "plan.json"), "--config-dir", str(plan_dir / "root"),
            "--from", "internet", "--to", "web", "--port", "443")
    either = tierform(*args, cwd=plan_dir)
    assert either.returncode == 0, either.stdout + either.stderr
    assert either.stdout.splitlines()[0] == "internet -> web tcp 443 over IPv6: reachable"
    ipv4 = tierform(*args, "--family", "ipv4", cwd=plan_dir)
    assert ipv4.returncode == 1, ipv4.stdout
    assert ipv4.stdout.splitlines()[0] == "internet -> web tcp 443: blocked"
    table = tierform("reach", str(plan_dir / "plan.json"), "--config-dir",
                     str(plan_dir / "root"), cwd=plan_dir)
    assert table.returncode == 0, table.stdout + table.stderr
    assert "IPv6 exposure" in table.stdout
    assert "v6 tcp 443" in table.stdout
