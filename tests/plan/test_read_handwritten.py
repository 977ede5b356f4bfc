"""Plan the hand-written fixtures once each and read their Network from the plan JSON.

The fixtures are Terraform written by hand (not by Tierform), so these tests check the
plan reader against wiring styles the renderer never produces.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from tierform.network.model import DEFAULT_NACL_ID, MAIN_ROUTE_TABLE_ID, Network
from tierform.readers.files import network_from_json_file
from tierform.readers.plan import network_from_plan

pytestmark = pytest.mark.terraform

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OFFLINE_PROVIDER = """\
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "fake"
  secret_key                  = "fake"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


def _plan_json(source: Path, work: Path) -> dict[str, Any]:
    """Copy a fixture, add an offline provider, init, plan -out, show -json."""
    shutil.copytree(source, work)
    (work / "provider_offline.tf").write_text(OFFLINE_PROVIDER)
    for command in (["terraform", "init", "-input=false", "-no-color"],
                    ["terraform", "plan", "-input=false", "-no-color", "-out=plan.bin"]):
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stderr}"
    shown = subprocess.run(["terraform", "show", "-json", "plan.bin"], cwd=work,
                           capture_output=True, text=True, check=True)
    (work / "plan.json").write_text(shown.stdout)
    return dict(json.loads(shown.stdout))


@pytest.fixture(scope="session")
def three_tier_plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _plan_json(FIXTURES / "handwritten" / "three-tier",
                      tmp_path_factory.mktemp("handwritten") / "three-tier")


@pytest.fixture(scope="session")
def three_tier(three_tier_plan: dict[str, Any]) -> Network:
    return network_from_plan(three_tier_plan)


@pytest.fixture(scope="session")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Network:
    work = tmp_path_factory.mktemp("foreign") / "foreign"
    _plan_json(FIXTURES / "foreign", work)
    return network_from_json_file(work / "plan.json")


# ------------------------------------------------------------- three-tier

def test_three_tier_subnets_and_tiers(three_tier: Network) -> None:
    assert three_tier.source == "plan"
    assert three_tier.vpc_id == "aws_vpc.main"
    assert three_tier.vpc_cidrs == (IPv4Network("10.0.0.0/16"),)
    got = {s.id: (str(s.cidr), s.az, s.tier, s.map_public_ip) for s in three_tier.subnets.values()}
    assert got == {
        "aws_subnet.public_1": ("10.0.1.0/24", "us-east-1a", "Web", True),
        "aws_subnet.public_2": ("10.0.2.0/24", "us-east-1b", "Web", True),
        "aws_subnet.private_1": ("10.0.11.0/24", "us-east-1a", "Application", False),
        "aws_subnet.private_2": ("10.0.12.0/24", "us-east-1b", "Application", False),
        "aws_subnet.database_1": ("10.0.21.0/24", "us-east-1a", "Database", False),
        "aws_subnet.database_2": ("10.0.22.0/24", "us-east-1b", "Database", False),
    }
    assert three_tier.tiers == ["Web", "Application", "Database"]
    assert three_tier.unresolved == []


def test_three_tier_route_tables(three_tier: Network) -> None:
    tables = {t.id: ({(r.destination, r.kind, r.target) for r in t.routes},
                     set(t.subnet_ids), t.is_main)
              for t in three_tier.route_tables.values()}
    s3 = ("com.amazonaws.us-east-1.s3", "endpoint", "aws_vpc_endpoint.s3")
    dynamodb = ("com.amazonaws.us-east-1.dynamodb", "endpoint", "aws_vpc_endpoint.dynamodb")
    assert tables == {
        # inline `route` block: its one reference resolves to the IGW
        "aws_route_table.public": ({("0.0.0.0/0", "igw", "aws_internet_gateway.main")},
                                   {"aws_subnet.public_1", "aws_subnet.public_2"}, False),
        "aws_route_table.private_1": ({("0.0.0.0/0", "nat", "aws_nat_gateway.nat_1"), s3},
                                      {"aws_subnet.private_1"}, False),
        "aws_route_table.private_2": ({("0.0.0.0/0", "nat", "aws_nat_gateway.nat_2"), s3},
                                      {"aws_subnet.private_2"}, False),
        "aws_route_table.database": ({s3, dynamodb},
                                     {"aws_subnet.database_1", "aws_subnet.database_2"}, False),
        # unmanaged main table: AWS's local routes only
        MAIN_ROUTE_TABLE_ID: (set(), set(), True),
    }
    assert {n.id: (n.subnet_id, n.public) for n in three_tier.nat_gateways.values()} == {
        "aws_nat_gateway.nat_1": ("aws_subnet.public_1", True),
        "aws_nat_gateway.nat_2": ("aws_subnet.public_2", True),
    }
    assert set(three_tier.internet_gateways) == {"aws_internet_gateway.main"}
    assert {e.id: set(e.route_table_ids) for e in three_tier.endpoints.values()} == {
        # route_table_ids on the endpoint
        "aws_vpc_endpoint.s3": {"aws_route_table.private_1", "aws_route_table.private_2",
                                "aws_route_table.database"},
        # aws_vpc_endpoint_route_table_association
        "aws_vpc_endpoint.dynamodb": {"aws_route_table.database"},
    }


def test_three_tier_nacls(three_tier: Network) -> None:
    nacls = {n.id: ({(e.rule_number, e.egress, e.protocol, e.action, e.cidr, e.from_port,
                      e.to_port) for e in n.entries}, set(n.subnet_ids), n.is_default, n.tier)
             for n in three_tier.nacls.values()}
    assert nacls == {
        "aws_network_acl.web": ({(100, False, "6", "allow", "0.0.0.0/0", 80, 80),
                                 (110, False, "6", "allow", "0.0.0.0/0", 443, 443),
                                 (100, True, "6", "allow", "0.0.0.0/0", 1024, 65535)},
                                {"aws_subnet.public_1", "aws_subnet.public_2"}, False, "Web"),
        # cidr_block = aws_subnet.public_1.cidr_block is known at plan time
        "aws_network_acl.app": ({(100, False, "6", "allow", "10.0.1.0/24", 8080, 8080),
                                 (110, False, "6", "allow", "10.0.2.0/24", 8080, 8080)},
                                {"aws_subnet.private_1", "aws_subnet.private_2"}, False,
                                "Application"),
        "aws_network_acl.database": ({(100, False, "6", "allow", "10.0.11.0/24", 3306, 3306),
                                      (110, False, "6", "allow", "10.0.12.0/24", 3306, 3306)},
                                     {"aws_subnet.database_1", "aws_subnet.database_2"}, False,
                                     "Database"),
        # managed and empty: fails closed
        "aws_default_network_acl.default": (set(), set(), True, None),
    }
    assert DEFAULT_NACL_ID not in three_tier.nacls
    assert three_tier.nacl_of("aws_subnet.private_2") is three_tier.nacls["aws_network_acl.app"]


def test_three_tier_security_groups(three_tier: Network) -> None:
    groups = {g.id: ({(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group)
                      for r in g.rules}, g.tier, g.is_default)
              for g in three_tier.security_groups.values()}
    assert groups == {
        # inline rules; the egress peer is resolved from the block's one reference
        "aws_security_group.web": ({(False, "6", 80, 80, "0.0.0.0/0", None),
                                    (False, "6", 443, 443, "0.0.0.0/0", None),
                                    (True, "6", 8080, 8080, None, "aws_security_group.app")},
                                   "Web", False),
        # no egress argument: Terraform removed AWS's allow-all egress (S4)
        "aws_security_group.app": ({(False, "6", 8080, 8080, None, "aws_security_group.web"),
                                    (True, "6", 3306, 3306, None, "aws_security_group.database")},
                                   "Application", False),
        "aws_security_group.database": ({(False, "6", 3306, 3306, None,
                                          "aws_security_group.app")}, "Database", False),
        "aws_default_security_group.default": (set(), None, True),
    }
    assert [g.id for g in three_tier.groups_of("Database")] == ["aws_security_group.database"]


# ---------------------------------------------------------------- foreign

def test_foreign_module_addresses_are_module_relative(foreign: Network) -> None:
    assert foreign.vpc_id == "aws_vpc.this"
    assert foreign.vpc_cidrs == (IPv4Network("10.20.0.0/16"),)
    assert {s.id: s.tier for s in foreign.subnets.values()} == {
        'aws_subnet.app["a"]': "app", 'aws_subnet.app["b"]': "app",
        "aws_subnet.db[0]": "db", "aws_subnet.db[1]": "db", "aws_subnet.db_spare": "db",
        "aws_subnet.public[0]": "public", "aws_subnet.public[1]": "public",
    }


def test_foreign_count_and_for_each_resolve_where_keys_line_up(foreign: Network) -> None:
    tables = {t.id: (set(t.subnet_ids), {(r.destination, r.kind, r.target) for r in t.routes})
              for t in foreign.route_tables.values()}
    igw = "aws_internet_gateway.this"
    assert tables == {
        "aws_route_table.public": ({"aws_subnet.public[0]", "aws_subnet.public[1]"},
                                   {("0.0.0.0/0", "igw", igw)}),
        # for_each = aws_subnet.app with each.value.id / aws_route_table.app[each.key]
        'aws_route_table.app["a"]': ({'aws_subnet.app["a"]'}, {("192.168.0.0/16", "igw", igw)}),
        'aws_route_table.app["b"]': ({'aws_subnet.app["b"]'}, set()),
        # count = 2 on both sides: db[count.index]
        "aws_route_table.db[0]": ({"aws_subnet.db[0]"}, set()),
        "aws_route_table.db[1]": ({"aws_subnet.db[1]"}, set()),
        MAIN_ROUTE_TABLE_ID: (set(), set()),
    }
    # Unmanaged defaults are added the way AWS creates them.
    assert foreign.nacls[DEFAULT_NACL_ID].is_default
    assert {(r.protocol, r.from_port, r.cidr) for r in
            foreign.security_groups["aws_security_group.app"].rules} == {
        ("6", 80, "10.20.0.0/16"), ("6", 443, "10.20.0.0/16")}


def test_foreign_ambiguous_reference_is_unresolved(foreign: Network) -> None:
    assert [(u.address, u.attribute) for u in foreign.unresolved] == [
        ("module.net.aws_route_table_association.db_spare[0]", "route_table_id")]
    assert "line up" in foreign.unresolved[0].reason
    # never guessed: the spare subnet falls back to the main table, as the model says
    assert foreign.route_table_of("aws_subnet.db_spare") is \
        foreign.route_tables[MAIN_ROUTE_TABLE_ID]
