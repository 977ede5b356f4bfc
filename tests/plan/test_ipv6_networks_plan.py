"""IPv6 named networks through a real terraform plan (issue 12): in a dual-stack VPC a
named network may be IPv6, by one CIDR (``destination_ipv6_cidr_block`` routes, group
``cidr_ipv6`` rules) or by an IPv6 prefix list; the ACLs carry ``ipv6_cidr_block`` rules
and denies; the analyzer reads the networks as IPv6 endpoints from the plan, pair by pair
as the blueprint intends. Expectations by hand from tests/plan/fixtures/ipv6-networks.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import plan_layout
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "ipv6-networks.yaml"


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)), {},
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_ipv6_routes_list_and_rules(planned: Plan) -> None:
    routes = {r.address: (r.get("destination_ipv6_cidr_block"),
                          planned.references(r.address, "destination_prefix_list_id"))
              for r in planned.resources("aws_route") if "lab" in r.address}
    assert routes == {
        "aws_route.mgmt_a_lab6": ("2001:db8:100::/48", []),
        "aws_route.mgmt_b_lab6": ("2001:db8:100::/48", []),
        "aws_route.mgmt_a_labs6": (None, ["aws_ec2_managed_prefix_list.labs6"]),
        "aws_route.mgmt_b_labs6": (None, ["aws_ec2_managed_prefix_list.labs6"]),
    }
    (labs,) = planned.resources("aws_ec2_managed_prefix_list")
    assert labs["address_family"] == "IPv6"
    assert sorted(e["cidr"] for e in labs["entry"]) == ["2001:db8:200::/48",
                                                         "2001:db8:300::/48"]
    rule = planned.resource("aws_vpc_security_group_ingress_rule.mgmt_from_lab6_ipv6_tcp_22")
    assert rule["cidr_ipv6"] == "2001:db8:100::/48"
    acl6 = sorted((r["egress"], r["rule_action"], r["ipv6_cidr_block"])
                  for r in planned.resources("aws_network_acl_rule")
                  if str(r.get("ipv6_cidr_block") or "").startswith("2001:db8:")
                  and planned.references(r.address, "network_acl_id") == ["aws_network_acl.mgmt"])
    assert acl6 == [(egress, "allow", c) for egress in (False, True)
                    for c in ("2001:db8:100::/48", "2001:db8:200::/48", "2001:db8:300::/48")]


def test_analyzer_reads_ipv6_networks_as_endpoints(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = planned.network(named_networks=loaded.blueprint.network_cidrs)
    result = analyze(network)
    got = reach_json(result, "plan")
    assert got["unresolved"] == []
    derived = reach_json(analyze(workflow.check(loaded).network), "blueprint")
    assert got["flows"] == derived["flows"]
    assert query(network, "lab6", "mgmt", "tcp", 22, family="ipv6").verdict == "reachable"
    assert query(network, "lab6", "web", "tcp", 22, family="ipv6").verdict == "blocked"
    assert query(network, "mgmt", "labs6", "tcp", 443, family="ipv6").verdict == "reachable"
    assert query(network, "mgmt", "lab6", "tcp", 443, family="ipv6").verdict == "blocked"
    assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
    report = workflow.verify_network(loaded, network)
    assert report.ok, [f.message for f in report.findings]
