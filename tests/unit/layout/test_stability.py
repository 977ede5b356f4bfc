"""A rule depends only on the flow it serves (issue 11): editing a flow's ports changes only
that flow's rules, reordering flows changes nothing, removing a flow only deletes, appending
a flow, a tier or an AZ only adds. Compared resource by resource, by module address."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.blueprint.load import load_blueprint_text
from tierform.layout import Layout, plan_layout
from tierform.render.module import render_module

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ("two-tier", "three-tier", "four-tier")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / f"{name}.yaml").read_text())
    return data


def layout_of(data: dict[str, Any]) -> Layout:
    loaded = load_blueprint_text(yaml.safe_dump(data, sort_keys=False), "bp.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


def resources(data: dict[str, Any]) -> dict[str, object]:
    """Module address -> what the layout puts there (every field Terraform would see)."""
    layout = layout_of(data)
    out: dict[str, object] = {}
    for s in layout.subnets:
        out[f"aws_subnet.{s.name}"] = (s.tier, s.az, s.cidr, s.default_route, s.nat)
    for n in layout.nats:
        out[f"aws_nat_gateway.{n.name}"] = n
    for r in layout.nacl_rules:
        out[f"aws_network_acl_rule.{r.name}"] = r
    for g in layout.sg_rules:
        out[f"aws_vpc_security_group_{'egress' if g.egress else 'ingress'}_rule.{g.name}"] = g
    for route in layout.network_routes:
        out[f"aws_route.{route.name}"] = route
    out["has_vgw"] = layout.has_vgw
    return out


def diff(before: dict[str, object], after: dict[str, object]
         ) -> tuple[set[str], set[str], set[str]]:
    """(added, removed, changed) addresses."""
    added = set(after) - set(before)
    removed = set(before) - set(after)
    changed = {k for k in set(before) & set(after) if before[k] != after[k]}
    return added, removed, changed


def flow_addresses(data: dict[str, Any], flow_id: str) -> set[str]:
    return {k for k, v in resources(data).items() if getattr(v, "flow", None) == flow_id}


@pytest.mark.parametrize("name", SHIPPED)
def test_editing_a_flows_ports_changes_only_that_flows_rules(name: str) -> None:
    before = load(name)
    for index, flow in enumerate(before["flows"]):
        after = copy.deepcopy(before)
        after["flows"][index]["ports"] = [*flow.get("ports", []), 9443]
        fid = f"{flow['from']}_to_{flow['to']}_{flow.get('protocol', 'tcp')}"
        added, removed, changed = diff(resources(before), resources(after))
        touched = added | removed | changed
        assert touched, fid
        mine = flow_addresses(before, fid) | flow_addresses(after, fid)
        assert touched <= mine, (fid, sorted(touched - mine))
        # Every rule the flow had before keeps its number (k fixed by the flow's content).
        assert not removed, (fid, sorted(removed))


@pytest.mark.parametrize("name", SHIPPED)
def test_reordering_flows_changes_nothing(name: str) -> None:
    before = load(name)
    after = copy.deepcopy(before)
    after["flows"].reverse()
    assert resources(after) == resources(before)
    old, new = layout_of(before), layout_of(after)
    assert (new.nacl_rules, new.sg_rules, new.subnets, new.network_routes) == \
        (old.nacl_rules, old.sg_rules, old.subnets, old.network_routes)
    # The HCL is the same bytes; only the README lists the flows in the blueprint's order.
    files_old, files_new = render_module(old), render_module(new)
    assert {p for p in files_old if files_old[p] != files_new[p]} <= {"README.md"}


@pytest.mark.parametrize("name", SHIPPED)
def test_removing_a_flow_only_deletes_its_rules(name: str) -> None:
    before = load(name)
    for index, flow in enumerate(before["flows"]):
        after = copy.deepcopy(before)
        del after["flows"][index]
        fid = f"{flow['from']}_to_{flow['to']}_{flow.get('protocol', 'tcp')}"
        added, removed, changed = diff(resources(before), resources(after))
        assert not added, (fid, sorted(added))
        assert not (changed - {"has_vgw"}), (fid, sorted(changed))
        # What goes: the flow's own rules, the denies and named-network routes nothing needs.
        for address in removed:
            value = resources(before)[address]
            assert getattr(value, "flow", fid) in (fid, None), address


def test_a_shared_security_group_rule_changes_owner_in_place_only() -> None:
    """Two flows needing the very same group rule share it (AWS refuses duplicates); its
    owner is the smallest id, whatever the order, and losing it changes the description
    only (an in-place update), never the address."""
    data = load("three-tier")
    data["flows"].append({"from": "web", "to": "app", "ports": [8080, 9000], "id": "a_metrics"})
    forward = layout_of(data)
    data_reversed = copy.deepcopy(data)
    data_reversed["flows"].reverse()
    assert layout_of(data_reversed).sg_rules == forward.sg_rules
    shared = next(r for r in forward.sg_rules if r.name == "app_from_web_tcp_8080")
    assert shared.flow == "a_metrics"
    assert shared.description == "flow a_metrics: web to app tcp 8080"
    # NACL rules are never shared: each flow keeps its own, so removing one renumbers none.
    assert {r.flow for r in forward.nacl_rules if r.from_port == 8080} == {
        "web_to_app_tcp", "a_metrics"}
    without = copy.deepcopy(data)
    without["flows"].pop()
    added, _, changed = diff(resources(data), resources(without))
    assert not added
    assert changed == {"aws_vpc_security_group_ingress_rule.app_from_web_tcp_8080",
                       "aws_vpc_security_group_egress_rule.web_to_app_tcp_8080"}
    for address in changed:
        old, new = resources(data)[address], resources(without)[address]
        assert old.__dict__ | {"description": None, "flow": None} == \
            new.__dict__ | {"description": None, "flow": None}


def test_appending_flow_tier_and_az_only_adds() -> None:
    for name in ("three-tier", "four-tier"):
        before = load(name)
        after = copy.deepcopy(before)
        vpc = after["vpc"]["cidr"].rsplit(".", 2)[0]
        zones = len(after["availability_zones"])
        after["tiers"]["cache"] = {"exposure": "isolated",
                                   "cidrs": [f"{vpc}.{200 + i}.0/24" for i in range(zones)]}
        first_tier = next(iter(before["tiers"]))
        after["flows"] += [{"from": first_tier, "to": "cache", "ports": [6379]},
                           {"from": first_tier, "to": "cache", "protocol": "udp",
                            "ports": [6379]}]
        added, removed, changed = diff(resources(before), resources(after))
        assert added
        assert not removed, (name, sorted(removed))
        assert not changed, (name, sorted(changed))


def test_appending_a_zone_to_netmask_tiers_only_adds() -> None:
    """A netmask tier's block holds its future zones: rules name the block, so a new
    zone adds subnets (and routes), never a rule."""
    text = (ROOT / "tests" / "unit" / "blueprint" / "corpus_valid" / "netmask-only.yaml")
    data = yaml.safe_load(text.read_text())
    assert all("netmask" in t for t in data["tiers"].values())
    grown = copy.deepcopy(data)
    region = grown["region"]
    taken = set(grown["availability_zones"])
    grown["availability_zones"].append(next(f"{region}{c}" for c in "abcdef"
                                            if f"{region}{c}" not in taken))
    added, removed, changed = diff(resources(data), resources(grown))
    assert added
    assert all(a.startswith(("aws_subnet.", "aws_nat_gateway.", "aws_route.")) for a in added)
    assert not removed
    assert not changed


def test_appending_a_zone_to_explicit_tiers_reaggregates_their_rules() -> None:
    """Explicit CIDRs are named by their exact aggregates, so a new zone's CIDR can merge
    with them: the rules naming that tier change (docs: D7). Said, and pinned here."""
    before = load("three-tier")
    after = copy.deepcopy(before)
    after["availability_zones"].append("us-east-1c")
    for tier, cidr in (("web", "10.0.3.0/24"), ("app", "10.0.13.0/24"), ("db", "10.0.23.0/24")):
        after["tiers"][tier]["cidrs"].append(cidr)
    _, removed, changed = diff(resources(before), resources(after))
    assert not removed
    # web 10.0.1.0/24, 10.0.2.0/24 -> 10.0.1.0/24, 10.0.2.0/23: the second rule changes.
    web_peers = {r.cidr for r in layout_of(after).nacl_rules
                 if r.tier == "app" and not r.egress and r.from_port == 8080}
    assert web_peers == {"10.0.1.0/24", "10.0.2.0/23"}
    assert changed
    assert all(a.startswith("aws_network_acl_rule.") for a in changed)


def test_appending_internet_flow_or_named_network_only_adds() -> None:
    before = load("four-tier")
    after = copy.deepcopy(before)
    after["networks"]["partner"] = "172.16.0.0/16"
    after["flows"] += [{"from": "internet", "to": "web", "ports": [80], "id": "http"},
                       {"from": "partner", "to": "app", "ports": [8443]},
                       {"from": "mgmt", "to": "internet", "ports": [443]}]
    added, removed, changed = diff(resources(before), resources(after))
    assert not removed, sorted(removed)
    assert not changed, sorted(changed)
    names = {a.rsplit(".", 1)[1] for a in added}
    # The new network is denied after the existing denies; mgmt's first internet rule
    # brings its own denies; app gets a route to partner.
    assert {"web_in_15120", "mgmt_out_15100", "mgmt_out_15110", "mgmt_out_15120",
            "app_a_partner"} <= names
