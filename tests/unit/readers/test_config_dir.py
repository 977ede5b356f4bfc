"""Reading a plan with its configuration directory: ``read_network(config_dir=...)`` and
``--config-dir`` on ``reach`` and ``verify`` (default: the current directory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import failed, tierform
from tierform.readers.files import read_network

HCL = """
locals {
  vpc_id = aws_vpc.main.id
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "web" {
  vpc_id     = local.vpc_id
  cidr_block = "10.0.1.0/24"
  tags       = { Tier = "web" }
}
"""


def _plan() -> dict[str, Any]:
    """The plan Terraform writes for HCL (ids unknown: absent from the values)."""
    def resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
        kind, name = address.split(".")
        return {"address": address, "mode": "managed", "type": kind, "name": name,
                "values": values}

    vpc = resource("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})
    web = resource("aws_subnet.web", {"cidr_block": "10.0.1.0/24", "tags": {"Tier": "web"}})
    config = [
        {**resource("aws_vpc.main", {}), "expressions": {
            "cidr_block": {"constant_value": "10.0.0.0/16"}}},
        {**resource("aws_subnet.web", {}), "expressions": {
            "vpc_id": {"references": ["local.vpc_id"]},
            "cidr_block": {"constant_value": "10.0.1.0/24"},
            "tags": {"constant_value": {"Tier": "web"}}}},
    ]
    for entry in config:
        del entry["values"]
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [vpc, web]}},
            "configuration": {"root_module": {"resources": config}}}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text(HCL, encoding="utf-8")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan()), encoding="utf-8")
    return path


def test_read_network_evaluates_the_wiring_from_the_config_dir(plan_file: Path) -> None:
    _, without = read_network(plan_file)
    assert without.subnets == {}  # local.vpc_id: the references alone cannot follow it
    assert [u.reason for u in without.unresolved] == ["depends on local.vpc_id"]
    _, network = read_network(plan_file, config_dir=plan_file.parent / "root")
    assert network.unresolved == []
    assert network.tiers == ["web"]


def test_reach_reads_the_current_directory_by_default(plan_file: Path) -> None:
    done = tierform("reach", str(plan_file), "--format", "json", cwd=plan_file.parent / "root")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["unresolved"] == []
    assert list(answer["tiers"]) == ["web"]


def test_a_config_dir_that_is_not_a_root_module_is_bad_input(plan_file: Path) -> None:
    for command in (["reach", str(plan_file)], ["verify", "blueprints/three-tier.yaml",
                                                "--plan", str(plan_file)]):
        failed(tierform(*command, "--config-dir", str(plan_file.parent / "nope")), 2,
               "--config-dir", "no such directory")
        failed(tierform(*command, "--config-dir", str(plan_file.parent)), 2,
               "--config-dir", "no .tf files")
