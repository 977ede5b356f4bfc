"""Dual-stack from an IPAM pool (``vpc.ipv6: {ipam_pool_id, netmask_length: 56}``) through
a real terraform plan: the VPC asks the pool (the module input ``ipv6_ipam_pool_id``,
the blueprint's pool by default) for a /56 instead of Amazon's; everything else is the
Amazon-provided layout, and the analyzer reads the pool's /56, unknown at plan time, by
the same symbolic "block 8t + i of the VPC's /56". Expectations by hand from
tests/plan/fixtures/ipam.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import derive, plan_layout
from tierform.readers.plan import network_from_plan
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan
from tierform.workflow import verify_network

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "ipam.yaml"
POOL = "ipam-pool-0123456789abcdef0"


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_vpc_takes_a_56_from_the_pool_not_from_amazon(planned: Plan) -> None:
    vpc = planned["aws_vpc.this"]
    vpc.assert_matches({"ipv6_ipam_pool_id": POOL, "ipv6_netmask_length": 56,
                        "cidr_block": "10.0.0.0/16"})
    assert not vpc.get("assign_generated_ipv6_cidr_block")
    assert planned.raw["variables"]["ipv6_ipam_pool_id"]["value"] == POOL
    subnets = {s.address: s.get("assign_ipv6_address_on_creation")
               for s in planned.resources("aws_subnet")}
    assert subnets == {"aws_subnet.web_a": True, "aws_subnet.web_b": True,
                       "aws_subnet.app_a": True, "aws_subnet.app_b": True,
                       "aws_subnet.db_a": False, "aws_subnet.db_b": False}
    assert [r.address for r in planned.resources("aws_egress_only_internet_gateway")] == \
        ["aws_egress_only_internet_gateway.this"]


def test_analyzer_reads_the_pools_56_symbolically(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = planned.network()
    assert network.vpc_ipv6_cidrs == ("aws_vpc.this.ipv6_cidr_block",)
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    got = reach_json(reach, "plan")
    want = reach_json(analyze(derive(loaded.blueprint, loaded.allocation)), "blueprint")
    assert got["flows"] == want["flows"]
    opened = {(f.src, f.dst, str(f.ports), f.family) for f in reach.flows}
    assert ("internet", "web", "443", "ipv6") in opened
    assert ("app", "internet", "443", "ipv6") in opened
    assert not [f for f in opened if "db" in f[:2] and f[3] == "ipv6"]
    for family in ("ipv4", "ipv6"):
        assert query(network, "internet", "app", "tcp", 8080, family=family).verdict == \
            "blocked"
        assert query(network, "db", "internet", "tcp", 443, family=family).verdict == \
            "blocked"
    assert verify_network(loaded, network).findings == []
    # Without the HCL the subnets' blocks cannot be placed: unknown, never blocked.
    bare = analyze(network_from_plan(planned.raw))
    assert not bare.complete
    assert bare.verdict("internet", "web", "tcp", 443, family="ipv6") == "unknown"
