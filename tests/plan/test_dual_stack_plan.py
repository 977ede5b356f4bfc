"""Dual-stack rendering (``vpc.ipv6: amazon``) through a real terraform plan.

Expectations written out by hand from blueprints/dual-stack.yaml (three-tier with
``vpc.ipv6: amazon`` and app -> internet 443): the VPC asks for a /56; tier t's subnet in
zone i takes /64 number 8t + i; web routes ::/0 to the internet gateway, app to the
egress-only gateway, db nowhere; every ACL rule whose two ends speak IPv6 has an IPv6
twin numbered after the flow's IPv4 rules, the VPC's /56 is denied at 15101 before the
::/0 allows, and internet flows get a ::/0 security-group rule. Then the analyzer reads
the plan: each flow reachable over both families, db unreachable from and to the
internet over either, and nothing the blueprint does not name.
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

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "dual-stack.yaml"
EPHEMERAL = (1024, 65535)
VPC6 = "aws_vpc.this.ipv6_cidr_block"
WEB6, APP6, DB6 = (f"cidrsubnet({VPC6}, 5, {t})" for t in range(3))


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_vpc_asks_for_an_amazon_provided_block(planned: Plan) -> None:
    planned["aws_vpc.this"].assert_matches({"assign_generated_ipv6_cidr_block": True,
                                            "cidr_block": "10.0.0.0/16"})
    assert [r.address for r in planned.resources("aws_egress_only_internet_gateway")] == \
        ["aws_egress_only_internet_gateway.this"]


def test_subnets_take_their_stable_64s() -> None:
    # The plan holds only "unknown" for each block: read the index from the configuration
    # as the plan reader does (symbolic prefixes, network/ipv6.py).
    loaded = load_blueprint(BLUEPRINT)
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    assert {s.name: s.ipv6_index for s in layout.subnets} == {
        "web_a": 0, "web_b": 1, "app_a": 8, "app_b": 9, "db_a": 16, "db_b": 17}


def test_subnet_blocks_as_read_from_the_plan(planned: Plan) -> None:
    network = planned.network()
    assert network.unresolved == []
    assert network.vpc_ipv6_cidrs == (VPC6,)
    assert {s.id: (s.ipv6_cidr, s.assign_ipv6) for s in network.subnets.values()} == {
        f"aws_subnet.{name}": (f"cidrsubnet({VPC6}, 8, {k})", True)
        for name, k in (("web_a", 0), ("web_b", 1), ("app_a", 8), ("app_b", 9),
                        ("db_a", 16), ("db_b", 17))}


def test_ipv6_routes_exactly_by_exposure(planned: Plan) -> None:
    v6 = {}
    for route in planned.resources("aws_route"):
        if route.get("destination_ipv6_cidr_block") is None:
            continue
        assert route["destination_ipv6_cidr_block"] == "::/0"
        assert route.get("destination_cidr_block") is None
        target = (planned.references(route.address, "gateway_id")
                  + planned.references(route.address, "egress_only_gateway_id"))
        v6[route.address] = (planned.references(route.address, "route_table_id"), target)
    assert v6 == {
        "aws_route.web_a_default_ipv6": (["aws_route_table.web_a"],
                                         ["aws_internet_gateway.this"]),
        "aws_route.web_b_default_ipv6": (["aws_route_table.web_b"],
                                         ["aws_internet_gateway.this"]),
        "aws_route.app_a_default_ipv6": (["aws_route_table.app_a"],
                                         ["aws_egress_only_internet_gateway.this"]),
        "aws_route.app_b_default_ipv6": (["aws_route_table.app_b"],
                                         ["aws_egress_only_internet_gateway.this"]),
    }


def test_ipv6_acl_twins_after_the_ipv4_rules(planned: Plan) -> None:
    # The /56's blocks are unknown in the plan: the reader resolves each rule's block
    # from the configuration's expression (symbolic prefixes, network/ipv6.py).
    network = planned.network()

    def v6(tier: str) -> set[tuple[int, bool, str, str, int, int, str]]:
        return {(e.rule_number, e.egress, e.action, e.protocol, e.from_port, e.to_port,
                 e.cidr) for e in network.nacls[f"aws_network_acl.{tier}"].entries
                if ":" in e.cidr or "ipv6" in e.cidr}

    # db: app -> db 3306 (forward in, return out); app's two /24s are two IPv4 rules
    # (3800, 3801), so the twin is k = 2.
    assert v6("db") == {
        (3802, False, "allow", "6", 3306, 3306, APP6),
        (3802, True, "allow", "6", *EPHEMERAL, APP6),
    }
    web = v6("web")
    assert web == {
        (7322, True, "allow", "6", 8080, 8080, APP6),
        (7322, False, "allow", "6", *EPHEMERAL, APP6),
        (15101, False, "deny", "-1", 0, 65535, VPC6),
        (15101, True, "deny", "-1", 0, 65535, VPC6),
        (20392, False, "allow", "6", 80, 80, "::/0"),
        (20393, False, "allow", "6", 443, 443, "::/0"),
        (20391, True, "allow", "6", *EPHEMERAL, "::/0"),
    }
    app = v6("app")
    # No IPv6 NAT legs: app's IPv6 leaves through the egress-only gateway, not web.
    assert not [e for e in web if e[1] and e[5] == 443]
    assert {e for e in app if e[6] == "::/0"} == {
        next(e for e in app if e[1] and e[6] == "::/0" and e[4] == 443),
        next(e for e in app if not e[1] and e[6] == "::/0"),
    }
    assert {(e[1], e[4], e[5]) for e in app if e[6] == "::/0"} == {
        (True, 443, 443), (False, *EPHEMERAL)}
    assert {(e[0], e[1]) for e in app if e[2] == "deny"} == {(15101, False), (15101, True)}
    assert {(e[1], e[4], e[6]) for e in app if e[2] == "allow" and e[6] != "::/0"} == {
        (False, 8080, WEB6), (True, 1024, WEB6), (True, 3306, DB6), (False, 1024, DB6)}
    # IPv4 rules keep the numbers the three-tier blueprint gives them (twins come after).
    assert {e.rule_number for e in network.nacls["aws_network_acl.web"].entries
            if "." in e.cidr and "ipv6" not in e.cidr} == {7320, 7321, 13700, 13701, 15100,
                                                            20390, 20391, 29700}


def test_security_groups_ipv6_only_for_internet_flows(planned: Plan) -> None:
    v6 = {}
    for kind in ("ingress", "egress"):
        for rule in planned.resources(f"aws_vpc_security_group_{kind}_rule"):
            if rule.get("cidr_ipv6") is not None:
                assert rule.get("cidr_ipv4") is None
                v6[rule.address] = (planned.references(rule.address, "security_group_id"),
                                    rule["cidr_ipv6"], rule["from_port"], rule["to_port"])
    assert v6 == {
        "aws_vpc_security_group_ingress_rule.web_from_internet_ipv6_tcp_80":
            (["aws_security_group.web"], "::/0", 80, 80),
        "aws_vpc_security_group_ingress_rule.web_from_internet_ipv6_tcp_443":
            (["aws_security_group.web"], "::/0", 443, 443),
        "aws_vpc_security_group_egress_rule.app_to_internet_ipv6_tcp_443":
            (["aws_security_group.app"], "::/0", 443, 443),
    }


def test_analyzer_from_plan_proves_both_families(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = planned.network()
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    got = reach_json(reach, "plan")
    want = reach_json(analyze(derive(loaded.blueprint, loaded.allocation)), "blueprint")
    assert got["flows"] == want["flows"]
    opened = {(f.src, f.dst, f.protocol, str(f.ports), f.family) for f in reach.flows}
    expected = set()
    for family in ("ipv4", "ipv6"):
        expected |= {("internet", "web", "tcp", "80,443", family),
                     ("web", "app", "tcp", "8080", family),
                     ("app", "db", "tcp", "3306", family),
                     ("app", "internet", "tcp", "443", family)}
    assert opened == expected
    for family in ("ipv4", "ipv6"):
        assert query(network, "internet", "web", "tcp", 443, family=family).verdict == \
            "reachable"
        assert query(network, "internet", "app", "tcp", 443, family=family).verdict == \
            "blocked"
        assert query(network, "db", "internet", "tcp", 443, family=family).verdict == \
            "blocked"
        assert query(network, "internet", "db", "tcp", 3306, family=family).verdict == \
            "blocked"
    report = verify_network(loaded, network)
    assert report.findings == [], report.findings
    # Without the HCL the /56's blocks cannot be read: unknown over IPv6, never blocked.
    bare = analyze(network_from_plan(planned.raw))
    assert not bare.complete
    assert bare.verdict("internet", "web", "tcp", 443, family="ipv6") == "unknown"
    # V7 is conservative: an unresolved attribute of web's subnets touches web's pairs in
    # both families.
    assert bare.verdict("internet", "web", "tcp", 443, family="ipv4") == "unknown"
