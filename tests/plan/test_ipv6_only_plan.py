"""IPv6-only tiers (``tiers.<name>.ipv6_only``) through a real terraform plan.

Expectations written out by hand from tests/plan/fixtures/ipv6-only.yaml: web (public) and
app (private) are dual-stack; worker (private, tier 2) and edge (public, tier 3) are
IPv6-only, so their /64s are 16, 17 and 24, 25 of the VPC's /56 and they take no IPv4
space. worker routes ::/0 to the egress-only gateway and 64:ff9b::/96 to the NAT gateway
of its zone (NAT64, DNS64 on); edge routes ::/0 to the internet gateway (no NAT64, DNS64
off). Every rule of worker and edge is IPv6; the NAT subnets' ACL (web) carries worker's
NAT64 legs: IPv6 in from worker's /61, IPv4 out to 0.0.0.0/0, and the replies back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import derive, plan_layout
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import UNKNOWN, Plan
from tierform.workflow import verify_network

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "ipv6-only.yaml"
EPH = (1024, 65535)
VPC6 = "aws_vpc.this.ipv6_cidr_block"
WEB6, APP6, WORKER6, EDGE6 = (f"cidrsubnet({VPC6}, 5, {t})" for t in range(4))


def _plan(path: Path, cache: Path, terraform: str | None) -> Plan:
    loaded = load_blueprint(path)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=cache, terraform=terraform)


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    return _plan(BLUEPRINT, tierform_cache_dir, tierform_terraform)


def test_ipv6_only_subnets_have_no_ipv4_block(planned: Plan) -> None:
    subnets = {s.address: s for s in planned.resources("aws_subnet")}
    assert {a: s["cidr_block"] for a, s in subnets.items()
            if s.tags.get("Tier") in ("web", "app")} == {
        "aws_subnet.web_a": "10.0.0.0/24", "aws_subnet.web_b": "10.0.1.0/24",
        "aws_subnet.app_a": "10.0.4.0/24", "aws_subnet.app_b": "10.0.5.0/24"}
    for name, dns64 in (("worker_a", True), ("worker_b", True), ("edge_a", False),
                        ("edge_b", False)):
        subnet = subnets[f"aws_subnet.{name}"]
        assert subnet.get("cidr_block") in (None, UNKNOWN), name
        subnet.assert_matches({"ipv6_native": True, "assign_ipv6_address_on_creation": True,
                               "enable_dns64": dns64,
                               "enable_resource_name_dns_aaaa_record_on_launch": True,
                               "map_public_ip_on_launch": False})
    network = planned.network()
    assert network.unresolved == []
    assert {s.id: (s.ipv6_native, s.ipv6_cidr) for s in network.subnets.values()} == {
        f"aws_subnet.{name}": (name[:-2] in ("worker", "edge"), f"cidrsubnet({VPC6}, 8, {k})")
        for name, k in (("web_a", 0), ("web_b", 1), ("app_a", 8), ("app_b", 9),
                        ("worker_a", 16), ("worker_b", 17), ("edge_a", 24), ("edge_b", 25))}


def test_routes_ipv6_default_and_nat64(planned: Plan) -> None:
    def target(address: str) -> list[str]:
        return [ref for key in ("gateway_id", "egress_only_gateway_id", "nat_gateway_id")
                for ref in planned.references(address, key)]

    routes = {}
    for route in planned.resources("aws_route"):
        (table,) = planned.references(route.address, "route_table_id")
        if table.split(".")[1][:-2] in ("worker", "edge"):
            assert route.get("destination_cidr_block") is None, route.address
            routes[route.address] = (table, route["destination_ipv6_cidr_block"],
                                     target(route.address))
    assert routes == {
        "aws_route.worker_a_default_ipv6": ("aws_route_table.worker_a", "::/0",
                                            ["aws_egress_only_internet_gateway.this"]),
        "aws_route.worker_b_default_ipv6": ("aws_route_table.worker_b", "::/0",
                                            ["aws_egress_only_internet_gateway.this"]),
        "aws_route.worker_a_nat64": ("aws_route_table.worker_a", "64:ff9b::/96",
                                     ["aws_nat_gateway.web_a"]),
        "aws_route.worker_b_nat64": ("aws_route_table.worker_b", "64:ff9b::/96",
                                     ["aws_nat_gateway.web_b"]),
        "aws_route.edge_a_default_ipv6": ("aws_route_table.edge_a", "::/0",
                                          ["aws_internet_gateway.this"]),
        "aws_route.edge_b_default_ipv6": ("aws_route_table.edge_b", "::/0",
                                          ["aws_internet_gateway.this"]),
    }


def _acl(planned: Plan, tier: str) -> set[tuple[int, bool, str, str, int, int, str]]:
    return {(e.rule_number, e.egress, e.action, e.protocol, e.from_port, e.to_port, e.cidr)
            for e in planned.network().nacls[f"aws_network_acl.{tier}"].entries}


def test_ipv6_only_acls_are_ipv6_and_exactly_the_flows(planned: Plan) -> None:
    assert _acl(planned, "worker") == {
        (11500, False, "allow", "6", 9000, 9000, APP6),       # app -> worker 9000
        (11500, True, "allow", "6", *EPH, APP6),              # ... its return
        (15101, False, "deny", "-1", 0, 65535, VPC6),         # the /56 before ::/0
        (15101, True, "deny", "-1", 0, 65535, VPC6),
        (26750, True, "allow", "6", 443, 443, "::/0"),        # worker -> internet 443
        (26750, False, "allow", "6", *EPH, "::/0"),           # ... its return
    }
    assert _acl(planned, "edge") == {
        (15101, False, "deny", "-1", 0, 65535, VPC6),
        (15101, True, "deny", "-1", 0, 65535, VPC6),
        (21720, False, "allow", "6", 443, 443, "::/0"),       # internet -> edge 443
        (21720, True, "allow", "6", *EPH, "::/0"),
    }
    # app's side of app -> worker: IPv6 only (worker has no IPv4 address to name).
    assert {e for e in _acl(planned, "app") if e[0] == 11500} == {
        (11500, True, "allow", "6", 9000, 9000, WORKER6),
        (11500, False, "allow", "6", *EPH, WORKER6)}


def test_nat_subnets_carry_the_nat64_legs(planned: Plan) -> None:
    # worker -> internet (slot 675): in over IPv6 from worker's /61 and the reply back to
    # it (peer band 10750), out translated to IPv4 and the IPv4 reply (internet band).
    web = _acl(planned, "web")
    assert {e for e in web if e[0] in (10750, 26750)} == {
        (10750, False, "allow", "6", 443, 443, WORKER6),
        (10750, True, "allow", "6", *EPH, WORKER6),
        (26750, True, "allow", "6", 443, 443, "0.0.0.0/0"),
        (26750, False, "allow", "6", *EPH, "0.0.0.0/0"),
    }
    # The IPv4 internet allows come after the VPC deny, the IPv6 ones after the /56's.
    assert (15100, True, "deny", "-1", 0, 65535, "10.0.0.0/16") in web
    assert (15101, False, "deny", "-1", 0, 65535, VPC6) in web


def test_security_groups_name_no_ipv4_for_ipv6_only_tiers(planned: Plan) -> None:
    rules: dict[str, Any] = {}
    for kind in ("ingress", "egress"):
        for rule in planned.resources(f"aws_vpc_security_group_{kind}_rule"):
            (group,) = planned.references(rule.address, "security_group_id")
            if group in ("aws_security_group.worker", "aws_security_group.edge"):
                peer = planned.references(rule.address, "referenced_security_group_id")
                rules[rule.address] = (rule.get("cidr_ipv4"), rule.get("cidr_ipv6"), peer,
                                       rule["from_port"], rule["to_port"])
    assert rules == {
        "aws_vpc_security_group_ingress_rule.worker_from_app_tcp_9000":
            (None, None, ["aws_security_group.app"], 9000, 9000),
        "aws_vpc_security_group_egress_rule.worker_to_internet_ipv6_tcp_443":
            (None, "::/0", [], 443, 443),
        "aws_vpc_security_group_ingress_rule.edge_from_internet_ipv6_tcp_443":
            (None, "::/0", [], 443, 443),
    }


def test_analyzer_from_plan_matches_the_blueprint_and_verifies_clean(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = planned.network()
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    want = analyze(derive(loaded.blueprint, loaded.allocation))
    assert reach_json(reach, "plan")["flows"] == reach_json(want, "blueprint")["flows"]
    opened = {(f.src, f.dst, f.protocol, str(f.ports), f.family) for f in reach.flows}
    assert opened == {
        ("internet", "web", "tcp", "443", "ipv4"), ("internet", "web", "tcp", "443", "ipv6"),
        ("web", "app", "tcp", "8080", "ipv4"), ("web", "app", "tcp", "8080", "ipv6"),
        ("app", "worker", "tcp", "9000", "ipv6"),
        ("worker", "internet", "tcp", "443", "ipv6"),
        ("internet", "edge", "tcp", "443", "ipv6"),
    }
    assert {t: (i.exposure_ipv6, i.subnets) for t, i in reach.tiers.items()
            if t in ("worker", "edge")} == {"worker": ("private", []), "edge": ("public", [])}
    assert query(network, "internet", "worker", "tcp", 443, family="ipv6").verdict == "blocked"
    assert query(network, "edge", "internet", "tcp", 443, family="ipv6").verdict == "blocked"
    report = verify_network(loaded, network)
    assert report.findings == [], report.findings
    assert report.exit_code == 0


def test_turning_on_ipv6_only_tiers_only_adds(planned: Plan, tmp_path: Path,
                                              tierform_cache_dir: Path,
                                              tierform_terraform: str | None) -> None:
    # The same dual-stack blueprint before worker and edge (and their flows) existed: every
    # resource it plans is planned again with the very same values, so applying the grown
    # module to its state creates the new resources and touches none.
    doc = yaml.safe_load(BLUEPRINT.read_text())
    for tier in ("worker", "edge"):
        del doc["tiers"][tier]
    doc["flows"] = [f for f in doc["flows"] if "worker" not in (f["from"], f["to"])
                    and "edge" not in (f["from"], f["to"])]
    base_file = tmp_path / "base.yaml"
    base_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    base = _plan(base_file, tierform_cache_dir, tierform_terraform)
    changed = [a for a in base if a not in planned or planned[a].after != base[a].after]
    assert changed == []
    added = sorted(set(planned) - set(base))
    assert "aws_subnet.worker_a" in added
    assert "aws_route.worker_a_nat64" in added
    assert "aws_network_acl_rule.web_in_10750" in added  # the NAT64 legs are new rules
    assert all(planned[a].actions == ("create",) for a in planned)
