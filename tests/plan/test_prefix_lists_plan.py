"""Named networks with several CIDRs through a real terraform plan (issue 12): each is one
``aws_ec2_managed_prefix_list`` with an entry per CIDR, the routes on the tables of the tier
that talks to it name the list (corp over the transit gateway, branch over the VPN
gateway), the group rules name it, and the ACLs have a rule per CIDR. The analyzer reads
the plan's list entries (R11): the matrix from the plan equals the blueprint's. Adding a
CIDR plans an in-place update of the list and new ACL rules only.
Expectations written out by hand from tests/plan/fixtures/prefix-lists.yaml.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint, load_blueprint_text
from tierform.layout import plan_layout
from tierform.readers.plan import network_from_plan
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "prefix-lists.yaml"
TGW = "tgw-0123456789abcdef0"


def _plan(text: str, cache: Path, terraform: str | None) -> Plan:
    loaded = load_blueprint_text(text, "prefix-lists.yaml")
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      {"transit_gateway_id": TGW}, region="us-east-1", cache_dir=cache,
                      terraform=terraform)


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    return _plan(BLUEPRINT.read_text("utf-8"), tierform_cache_dir, tierform_terraform)


def test_one_prefix_list_per_network_with_an_entry_per_cidr(planned: Plan) -> None:
    lists = {p.address: (p["address_family"], p["max_entries"],
                         sorted(e["cidr"] for e in p["entry"]))
             for p in planned.resources("aws_ec2_managed_prefix_list")}
    assert lists == {
        "aws_ec2_managed_prefix_list.corp": ("IPv4", 2, ["172.20.0.0/16", "192.168.0.0/16"]),
        "aws_ec2_managed_prefix_list.branch": ("IPv4", 2, ["10.99.0.0/16", "172.16.0.0/16"]),
    }


def test_routes_name_the_list_on_mgmt_only(planned: Plan) -> None:
    routes = {r.address: (r.get("destination_cidr_block"),
                          planned.references(r.address, "destination_prefix_list_id"),
                          r.get("transit_gateway_id"),
                          planned.references(r.address, "gateway_id"))
              for r in planned.resources("aws_route")
              if r.get("destination_cidr_block") != "0.0.0.0/0"}
    corp: tuple[object, ...] = (None, ["aws_ec2_managed_prefix_list.corp"], TGW, [])
    branch: tuple[object, ...] = (None, ["aws_ec2_managed_prefix_list.branch"], None,
                                  ["aws_vpn_gateway.this"])
    assert routes == {"aws_route.mgmt_a_corp": corp, "aws_route.mgmt_b_corp": corp,
                      "aws_route.mgmt_a_branch": branch, "aws_route.mgmt_b_branch": branch}
    vpn = sorted(r["destination_cidr_block"]
                 for r in planned.resources("aws_vpn_connection_route"))
    assert vpn == ["10.99.0.0/16", "172.16.0.0/16"]


def test_group_rules_name_the_list_and_acls_each_cidr(planned: Plan) -> None:
    rules = {r.address: planned.references(r.address, "prefix_list_id")
             for r in planned.resources("aws_vpc_security_group_ingress_rule")
             if r.get("cidr_ipv4") is None
             and not planned.references(r.address, "referenced_security_group_id")}
    assert rules == {
        "aws_vpc_security_group_ingress_rule.mgmt_from_corp_tcp_22":
            ["aws_ec2_managed_prefix_list.corp"],
        "aws_vpc_security_group_ingress_rule.mgmt_from_branch_tcp_22":
            ["aws_ec2_managed_prefix_list.branch"]}
    ssh = sorted(r["cidr_block"] for r in planned.resources("aws_network_acl_rule")
                 if r["from_port"] == 22 and not r["egress"]
                 and planned.references(r.address, "network_acl_id") == ["aws_network_acl.mgmt"])
    assert ssh == ["10.99.0.0/16", "172.16.0.0/16", "172.20.0.0/16", "192.168.0.0/16"]


def test_matrix_from_the_plan_equals_the_blueprints(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw, named_networks=loaded.blueprint.network_cidrs)
    kinds = {(r.destination, r.kind) for t in network.route_tables.values() for r in t.routes
             if r.kind in ("tgw", "vgw")}
    assert kinds == {("192.168.0.0/16", "tgw"), ("172.20.0.0/16", "tgw"),
                     ("172.16.0.0/16", "vgw"), ("10.99.0.0/16", "vgw")}
    result = analyze(network)
    got = reach_json(result, "plan")
    assert got["unresolved"] == []
    derived = reach_json(analyze(workflow.check(loaded).network), "blueprint")
    assert got["flows"] == derived["flows"]
    assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
    assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
    assert query(network, "mgmt", "branch", "tcp", 443).verdict == "reachable"
    assert query(network, "mgmt", "corp", "tcp", 443).verdict == "blocked"
    report = workflow.verify_network(loaded, network)
    assert report.ok, [f.message for f in report.findings]


def test_without_the_lists_entries_the_routes_are_unknown_not_ignored(planned: Plan) -> None:
    """R11: a route to a prefix list whose entries are not in the input is never left
    out as if it were not there: the pairs it could carry are unknown."""
    raw = copy.deepcopy(dict(planned.raw))
    for module in (raw["planned_values"]["root_module"], raw["configuration"]["root_module"]):
        module["resources"] = [r for r in module.get("resources", [])
                               if r.get("type") != "aws_ec2_managed_prefix_list"]
    raw["resource_changes"] = [r for r in raw.get("resource_changes", [])
                               if r.get("type") != "aws_ec2_managed_prefix_list"]
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(raw, named_networks=loaded.blueprint.network_cidrs)
    verdict = query(network, "corp", "mgmt", "tcp", 22)
    assert verdict.verdict == "unknown", verdict


def test_adding_a_cidr_updates_only_the_list_and_adds_acl_rules(
        planned: Plan, tierform_cache_dir: Path, tierform_terraform: str | None) -> None:
    """Growth, compared as Terraform would: the same addresses, with every resource but
    the list and the new ACL rules unchanged (nothing replaced)."""
    doc = yaml.safe_load(BLUEPRINT.read_text("utf-8"))
    doc["networks"]["corp"]["cidrs"].append("203.0.113.0/24")
    grown = _plan(yaml.safe_dump(doc, sort_keys=False), tierform_cache_dir,
                  tierform_terraform)

    def values(plan: Plan) -> dict[str, object]:
        return {r.address: r.after for r in plan.resources()}

    old, new = values(planned), values(grown)
    assert set(old) <= set(new)
    changed = {a for a in old if old[a] != new[a]}
    assert changed == {"aws_ec2_managed_prefix_list.corp"}
    added = set(new) - set(old)
    assert added
    assert all(a.startswith("aws_network_acl_rule.") for a in added)
    assert {new[a]["cidr_block"] for a in added} == {"203.0.113.0/24"}  # type: ignore[index]
