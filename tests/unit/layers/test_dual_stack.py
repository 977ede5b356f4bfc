"""Dual-stack (``vpc.ipv6: amazon``) in the layout: the /64 index is stable on growth,
turning IPv6 on only adds (no IPv4 rule is renumbered, no existing resource changes),
each IPv4 flow rule whose ends both speak IPv6 has exactly one IPv6 twin, the checks
refuse what the index cannot hold, and the quotas count each family apart (as AWS)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import check_layout, network_of, plan_layout
from tierform.layout.model import Layout
from tierform.render.module import render_module

BASE: dict[str, Any] = {
    "tierform": 1, "name": "ds", "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16", "ipv6": "amazon"},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "app": {"exposure": "private", "netmask": 24},
              "db": {"exposure": "isolated", "netmask": 24}},
    "nat": "single",
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "web", "to": "app", "ports": [8080]},
              {"from": "app", "to": "db", "ports": [5432]},
              {"from": "app", "to": "internet", "ports": [443]},
              {"from": "web", "to": "app", "protocol": "icmp"}],
}


def _layout(data: dict[str, Any]) -> Layout:
    loaded = load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "ds.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


def _changed(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def _codes(data: dict[str, Any]) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "ds.yaml")
    return sorted(f.code for f in caught.value.findings)


def test_subnet_index_is_eight_per_tier_plus_zone_and_stable_on_growth() -> None:
    layout = _layout(BASE)
    assert {s.name: s.ipv6_index for s in layout.subnets} == {
        "web_a": 0, "web_b": 1, "app_a": 8, "app_b": 9, "db_a": 16, "db_b": 17}
    grown = _changed(availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"])
    grown["tiers"] = {**BASE["tiers"], "mgmt": {"exposure": "private", "netmask": 24}}
    indexes = {s.name: s.ipv6_index for s in _layout(grown).subnets}
    assert {k: indexes[k] for k in ("web_a", "web_b", "app_a", "app_b", "db_a", "db_b")} == \
        {"web_a": 0, "web_b": 1, "app_a": 8, "app_b": 9, "db_a": 16, "db_b": 17}
    assert indexes["web_c"] == 2
    assert indexes["mgmt_a"] == 24


def test_routes_by_exposure() -> None:
    layout = _layout(BASE)
    assert {s.tier: s.ipv6_route for s in layout.subnets} == {
        "web": "igw", "app": "eigw", "db": None}
    assert layout.has_eigw
    # Without NAT a private tier has no way out in either family.
    no_nat = _layout(_changed(nat="none", flows=BASE["flows"][:3]))
    assert {s.tier: s.ipv6_route for s in no_nat.subnets}["app"] is None
    assert not no_nat.has_eigw


def test_turning_ipv6_on_only_adds() -> None:
    v4 = _changed(vpc={"cidr": "10.0.0.0/16"})
    before, after = render_module(_layout(v4)), render_module(_layout(BASE))
    old, new = _layout(v4), _layout(BASE)
    assert {(r.name, r.rule_number, r.cidr) for r in old.nacl_rules} <= \
        {(r.name, r.rule_number, r.cidr) for r in new.nacl_rules}
    assert {r.name for r in old.sg_rules} <= {r.name for r in new.sg_rules}
    assert set(before) == set(after)
    assert not [r for r in new.nacl_rules if r.ipv6 and r.band == "deny"
                and r.rule_number != 15101]


def test_each_rule_has_one_twin_when_both_ends_speak_ipv6() -> None:
    layout = _layout(BASE)
    v4 = [r for r in layout.nacl_rules if not r.ipv6 and r.flow is not None]
    v6 = [r for r in layout.nacl_rules if r.ipv6 and r.flow is not None]
    nat_legs = [r for r in v4 if "via NAT" in r.description]
    icmp = [r for r in v4 if r.protocol == "icmp"]
    assert len(v6) == len(v4) - len(nat_legs) - len(icmp)
    assert not [r for r in v6 if r.protocol == "icmp"]  # ICMPv6 is not derived
    twins = {(r.tier, r.egress, r.flow, r.from_port, r.to_port) for r in v6}
    assert twins == {(r.tier, r.egress, r.flow, r.from_port, r.to_port)
                     for r in v4 if r not in nat_legs and r not in icmp}
    # Peer tiers by their /61, the internet by ::/0.
    assert {r.cidr for r in v6} == {"::/0", "cidrsubnet(aws_vpc.this.ipv6_cidr_block, 5, 0)",
                                    "cidrsubnet(aws_vpc.this.ipv6_cidr_block, 5, 1)",
                                    "cidrsubnet(aws_vpc.this.ipv6_cidr_block, 5, 2)"}
    # The /56 deny heads exactly the directions that have a ::/0 rule.
    denies = {(r.tier, r.egress) for r in layout.nacl_rules if r.rule_number == 15101}
    assert denies == {(r.tier, r.egress) for r in v6 if r.cidr == "::/0"}
    assert {r.name for r in layout.sg_rules if r.cidr == "::/0"} == {
        "web_from_internet_ipv6_tcp_443", "app_to_internet_ipv6_tcp_443"}


def test_a_tier_may_stay_ipv4_only_without_moving_another() -> None:
    data = _changed()
    data["tiers"] = copy.deepcopy(BASE["tiers"])
    data["tiers"]["db"]["ipv6"] = False
    data["tiers"]["web"]["ipv6"] = False
    layout = _layout(data)
    assert {s.name: s.ipv6_index for s in layout.subnets} == {
        "web_a": None, "web_b": None, "app_a": 8, "app_b": 9, "db_a": None, "db_b": None}
    assert not [r for r in layout.nacl_rules if r.ipv6 and r.tier in ("web", "db")]
    # app's IPv6 peers: only the internet (web and db have no IPv6 hosts).
    assert {r.cidr for r in layout.nacl_rules if r.ipv6 and r.tier == "app"} == {
        "::/0", "aws_vpc.this.ipv6_cidr_block"}
    network = network_of(layout)
    assert {s.tier: s.ipv6_cidr for s in network.subnets.values()} == {
        "web": None, "app": "cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, 9)", "db": None}


def test_checks_refuse_what_the_index_cannot_hold() -> None:
    many = _changed(tiers={f"t{i}": {"exposure": "isolated", "netmask": 28}
                           for i in range(33)}, flows=[], nat="none")
    assert "ipv6-tiers" in _codes(many)
    zones = _changed(availability_zones=[f"us-east-1{c}" for c in "abcdefghi"])
    assert "ipv6-zones" in _codes(zones)
    v4 = _changed(vpc={"cidr": "10.0.0.0/16"})
    v4["tiers"] = {**BASE["tiers"], "web": {"exposure": "public", "netmask": 24,
                                            "ipv6": True}}
    assert _codes(v4) == ["ipv6-without-vpc"]


def test_quotas_count_each_family_apart() -> None:
    # 6 port ranges from the internet: web's inbound ACL holds 6 IPv4 + 6 IPv6 allows and
    # 2 denies per family; with a quota of 8 per direction each family fits, together not.
    flows = [{"from": "internet", "to": "web", "ports": [22, 80, 443, 8443, 9000, 9443],
              "internet_reason": "bastion"}]
    data = _changed(flows=flows, nat="none", limits={"nacl_rules_per_direction": 8})
    loaded = load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "ds.yaml")
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    inbound = [r for r in layout.nacl_rules if r.tier == "web" and not r.egress]
    assert len(inbound) == 14
    assert check_layout(loaded.blueprint, layout) == []
    data["limits"] = {"nacl_rules_per_direction": 6}
    loaded = load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "ds.yaml")
    found = check_layout(loaded.blueprint, plan_layout(loaded.blueprint, loaded.allocation))
    messages = [f.message for f in found if f.code == "nacl-quota"]
    assert any("inbound IPv6 rules" in m for m in messages)
    assert any("inbound rules" in m and "IPv6" not in m for m in messages)
