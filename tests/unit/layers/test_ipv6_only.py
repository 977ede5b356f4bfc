"""IPv6-only tiers (``tiers.<name>.ipv6_only``): no IPv4 space taken (or the written space
kept, so no tier moves), the stable /64 index, every rule IPv6, NAT64 legs on the NAT
subnets' ACL, the checks at the line for what cannot work, and the analyzer: 64:ff9b::/96
is placed (::/8 is never a VPC block), a NAT64 route alone answers unknown, never blocked
or private."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
import yaml

from tierform.analyze import analyze
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import network_of, plan_layout
from tierform.layout.model import Layout
from tierform.network.ipv6 import contains, never_a_vpc_block, overlaps, parse_ipv6
from tierform.render.diagram import diagram_of_layout, dot, mermaid
from tierform.render.module import render_module
from tierform.workflow import verify_network

BASE: dict[str, Any] = {
    "tierform": 1, "name": "v6only", "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16", "ipv6": "amazon"},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "app": {"exposure": "private", "netmask": 24},
              "worker": {"exposure": "private", "ipv6_only": True},
              "db": {"exposure": "isolated", "netmask": 24}},
    "nat": "per_az",
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "web", "to": "app", "ports": [8080]},
              {"from": "app", "to": "worker", "ports": [9000]},
              {"from": "worker", "to": "db", "ports": [5432]},
              {"from": "worker", "to": "internet", "ports": [443]}],
}
VPC6 = "aws_vpc.this.ipv6_cidr_block"


def _load(data: dict[str, Any]) -> Any:
    return load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "v6only.yaml")


def _layout(data: dict[str, Any]) -> Layout:
    loaded = _load(data)
    return plan_layout(loaded.blueprint, loaded.allocation)


def _findings(data: dict[str, Any]) -> list[tuple[str, int | None]]:
    with pytest.raises(BlueprintError) as caught:
        _load(data)
    return sorted((f.code, f.line) for f in caught.value.findings)


def _with(**tiers: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["tiers"].update(tiers)
    return data


def test_ipv6_only_tier_takes_no_ipv4_space_and_the_stable_index() -> None:
    layout = _layout(BASE)
    cidrs = {s.name: (str(s.cidr) if s.cidr else None, s.ipv6_index) for s in layout.subnets}
    assert cidrs == {"web_a": ("10.0.0.0/24", 0), "web_b": ("10.0.1.0/24", 1),
                     "app_a": ("10.0.4.0/24", 8), "app_b": ("10.0.5.0/24", 9),
                     "worker_a": (None, 16), "worker_b": (None, 17),
                     # db is placed right after app: worker took nothing.
                     "db_a": ("10.0.8.0/24", 24), "db_b": ("10.0.9.0/24", 25)}


def test_turning_a_tier_ipv6_only_moves_no_other_tier() -> None:
    # worker as a dual-stack netmask tier first; then IPv6-only keeping its netmask: its
    # block stays reserved, unused, so db (after it) keeps its place.
    before = _with(worker={"exposure": "private", "netmask": 24})
    after = _with(worker={"exposure": "private", "netmask": 24, "ipv6_only": True})
    old = {s.name: (s.cidr, s.ipv6_index) for s in _layout(before).subnets}
    new = {s.name: (s.cidr, s.ipv6_index) for s in _layout(after).subnets}
    assert {k: v for k, v in new.items() if not k.startswith("worker")} == \
        {k: v for k, v in old.items() if not k.startswith("worker")}
    assert new["worker_a"] == (None, 16)
    assert old["worker_a"][1] == 16
    # Without the netmask the space is free, and the tier after it would move: that is
    # why the netmask may stay (README).
    freed = _with(worker={"exposure": "private", "ipv6_only": True})
    assert {s.name: s.cidr for s in _layout(freed).subnets}["db_a"] != old["db_a"][0]


def test_every_rule_of_an_ipv6_only_tier_is_ipv6_and_nat64_legs_on_the_nat_acl() -> None:
    layout = _layout(BASE)
    worker = [r for r in layout.nacl_rules if r.tier == "worker"]
    assert worker
    assert all(r.ipv6 for r in worker)
    assert all(":" in r.cidr or "ipv6_cidr_block" in r.cidr for r in worker)
    # No rule anywhere names worker by IPv4; db's side of worker -> db is IPv6 only.
    db = {(r.egress, r.cidr) for r in layout.nacl_rules if r.tier == "db"
          and r.flow == "worker_to_db_tcp"}
    assert db == {(False, f"cidrsubnet({VPC6}, 5, 2)"), (True, f"cidrsubnet({VPC6}, 5, 2)")}
    nat64 = {(r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.ipv6)
             for r in layout.nacl_rules if r.tier == "web"
             and r.flow == "worker_to_internet_tcp"}
    assert nat64 == {
        (False, "tcp", 443, 443, f"cidrsubnet({VPC6}, 5, 2)", True),   # in from worker
        (True, "tcp", 443, 443, "0.0.0.0/0", False),                   # out, translated
        (False, "tcp", 1024, 65535, "0.0.0.0/0", False),               # the IPv4 reply in
        (True, "tcp", 1024, 65535, f"cidrsubnet({VPC6}, 5, 2)", True),  # back to worker
    }
    # Only IPv6 denies on worker's ACL (no 0.0.0.0/0 allow there to guard).
    assert {r.cidr for r in worker if r.action == "deny"} == {VPC6}
    sg = [r for r in layout.sg_rules if r.tier == "worker"]
    assert {(r.egress, r.cidr, r.peer_tier) for r in sg} == {
        (False, None, "app"), (True, None, "db"), (True, "::/0", None)}
    subnets = {s.name: s for s in layout.subnets}
    assert (subnets["worker_a"].nat64, subnets["worker_b"].nat64) == ("web_a", "web_b")
    assert subnets["worker_a"].default_route is None
    assert subnets["worker_a"].ipv6_route == "eigw"


def test_rendered_subnet_is_ipv6_native_with_dns64_only_where_nat64_is() -> None:
    data = _with(edge={"exposure": "public", "ipv6_only": True})
    data["flows"] = [*BASE["flows"], {"from": "internet", "to": "edge", "ports": [443]}]
    files = render_module(_layout(data))
    subnets = files["subnets.tf"]
    worker = subnets[subnets.index('"aws_subnet" "worker_a"'):]
    worker = worker[:worker.index("\n}\n")]
    assert "ipv6_native                                    = true" in worker
    assert "cidr_block              =" not in worker
    assert "enable_dns64                                   = true" in worker
    edge = subnets[subnets.index('"aws_subnet" "edge_a"'):]
    edge = edge[:edge.index("\n}\n")]
    assert "enable_dns64                                   = false" in edge
    routes = files["routes.tf"]
    assert 'resource "aws_route" "worker_a_nat64"' in routes
    assert 'resource "aws_route" "edge_a_nat64"' not in routes
    # An IPv6-only table has aws_route resources: never the inline "route = []".
    table = routes[routes.index('"aws_route_table" "worker_a"'):]
    assert "route = []" not in table[:table.index("\n}\n")]


@pytest.mark.parametrize(("change", "code"), [
    ({"vpc": {"cidr": "10.0.0.0/16"}}, "ipv6-only-without-vpc"),
    ({"tiers": {"worker": {"exposure": "private", "ipv6_only": True, "ipv6": False}}},
     "ipv6-only-without-ipv6"),
    ({"networks": {"corp": "192.168.0.0/16"},
      "flows": [{"from": "corp", "to": "worker", "ports": [22]}]}, "ipv6-only-network"),
    ({"tiers": {"db": {"exposure": "isolated", "netmask": 24, "ipv6": False}}},
     "ipv6-only-ipv4-tier"),
    ({"flows": [{"from": "worker", "to": "aws:s3", "ports": [443]}]},
     "ipv6-only-endpoints"),
    ({"flows": [{"from": "app", "to": "worker", "protocol": "icmp"}]}, "ipv6-only-icmp"),
    ({"tiers": {"web": {"exposure": "public", "ipv6_only": True}}}, "ipv6-only-nat-tier"),
])
def test_checks_refuse_what_cannot_work_at_the_line(change: dict[str, Any], code: str) -> None:
    data = copy.deepcopy(BASE)
    for key, value in change.items():
        if key == "tiers":
            data["tiers"].update(value)
        else:
            data[key] = value
    found = _findings(data)
    assert code in [c for c, _ in found], found
    assert all(line is not None for c, line in found if c == code)


def test_analyzer_places_nat64_and_answers_the_blueprint_exactly() -> None:
    loaded = _load(BASE)
    network = network_of(plan_layout(loaded.blueprint, loaded.allocation))
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    assert reach.tiers["worker"].exposure_ipv6 == "private"
    assert reach.verdict("worker", "internet", "tcp", 443, family="ipv6") == "reachable"
    assert reach.verdict("worker", "internet", "tcp", 80, family="ipv6") == "blocked"
    assert reach.verdict("internet", "worker", "tcp", 443, family="ipv6") == "blocked"


def test_a_nat64_route_alone_is_unknown_never_blocked_nor_private() -> None:
    # Without the ::/0 route, worker's only way out is NAT64, which the analyzer does not
    # follow across families: the flow and the exposure are unknown (R12), not decided.
    loaded = _load(BASE)
    network = network_of(plan_layout(loaded.blueprint, loaded.allocation))
    for rid in ("aws_route_table.worker_a", "aws_route_table.worker_b"):
        table = network.route_tables[rid]
        network.route_tables[rid] = replace(
            table, routes=tuple(r for r in table.routes if r.destination != "::/0"))
    reach = analyze(network)
    assert not reach.complete
    assert reach.verdict("worker", "internet", "tcp", 443, family="ipv6") == "unknown"
    assert reach.tiers["worker"].exposure_ipv6 == "unknown"
    assert any("NAT64" in r for r in reach.incomplete_reasons)


def test_reserved_prefixes_are_never_a_vpc_block() -> None:
    nat64, vpc = parse_ipv6("64:ff9b::/96"), parse_ipv6(VPC6)
    other = parse_ipv6("2600:1f18::/32")
    assert nat64 is not None
    assert vpc is not None
    assert other is not None
    assert never_a_vpc_block(nat64)
    assert not never_a_vpc_block(other)
    assert not never_a_vpc_block(vpc)
    assert overlaps(nat64, vpc) is False
    assert contains(vpc, nat64) is False
    assert contains(nat64, vpc) is False
    assert overlaps(other, vpc) is None  # a global unicast prefix stays undecided


def test_diagram_labels_ipv6_only_tiers() -> None:
    diagram = diagram_of_layout(_layout(BASE))
    text = mermaid(diagram)
    assert "worker (private, IPv6-only)" in text
    assert "app (private)" in text
    assert "IPv6 only<br/>us-east-1a" in text
    assert "0.0.0.0/32" not in text
    assert "0.0.0.0/32" not in dot(diagram)
    assert "worker (private, IPv6-only)" in dot(diagram)


def test_verify_compares_an_ipv6_only_tier_over_ipv6() -> None:
    loaded = _load(BASE)
    network = network_of(plan_layout(loaded.blueprint, loaded.allocation))
    assert verify_network(loaded, network).findings == []
    # The same network judged by a blueprint that declares worker public: its IPv6 routes
    # make it private, and that is the finding (not its IPv4 "isolated": it has no IPv4).
    public = _load(_with(worker={"exposure": "public", "ipv6_only": True}))
    found = [f for f in verify_network(public, network).findings if f.kind == "exposure"]
    assert [(f.dst, f.family) for f in found] == [("worker", "ipv6")]
    assert "IPv6 routes make it private" in found[0].message
    # A tier the network holds as IPv4 where the blueprint says IPv6-only: identity.
    dual = _with(worker={"exposure": "private", "netmask": 24})
    loaded_dual = _load(dual)
    other = network_of(plan_layout(loaded_dual.blueprint, loaded_dual.allocation))
    kinds = {f.kind for f in verify_network(loaded, other).findings}
    assert "identity" in kinds
