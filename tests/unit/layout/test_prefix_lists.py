"""Named networks with several CIDRs (``networks.<name>.cidrs``, issue 12): the form, the
checks at the line, the layout (one managed prefix list, routes and group rules naming it,
one ACL rule and one deny per CIDR, a VPN route per CIDR), AWS's counting of a list as
max_entries routes and rules, stability on growth, and the intended network's reading."""

from __future__ import annotations

import copy
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import Layout, check_layout, network_of, plan_layout
from tierform.render.module import render_module

FIXTURE = Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "prefix-lists.yaml"


def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(FIXTURE.read_text("utf-8"))
    return loaded


def layout_of(doc: dict[str, Any]) -> Layout:
    loaded = load_blueprint_text(yaml.safe_dump(doc, sort_keys=False), "bp.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


def errors(doc: dict[str, Any]) -> list[tuple[str, int | None, str]]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(yaml.safe_dump(doc, sort_keys=False), "bp.yaml")
    return [(f.code or "", f.line, f.message) for f in caught.value.findings]


def test_cidrs_form_is_a_prefix_list_and_cidr_form_stays_a_cidr() -> None:
    doc = data()
    doc["networks"]["solo"] = {"cidr": "100.64.0.0/16"}
    doc["flows"].append({"from": "solo", "to": "mgmt", "ports": [22]})
    layout = layout_of(doc)
    bp = layout.blueprint
    assert bp.network_cidrs["corp"] == tuple(
        map(IPv4Network, ["192.168.0.0/16", "172.20.0.0/16"]))
    assert [(p.name, [str(c) for c in p.cidrs], p.max_entries) for p in layout.prefix_lists] \
        == [("corp", ["192.168.0.0/16", "172.20.0.0/16"], 2),
            ("branch", ["172.16.0.0/16", "10.99.0.0/16"], 2)]
    routes = {r.name: (r.prefix_list, r.cidr and str(r.cidr), r.via)
              for r in layout.network_routes}
    assert routes == {f"mgmt_{z}_{n}": v for z in "ab" for n, v in (
        ("corp", ("corp", None, "tgw")), ("branch", ("branch", None, "vgw")),
        ("solo", (None, "100.64.0.0/16", "vgw")))}
    groups = {r.name: (r.network_list, r.list_entries, r.cidr) for r in layout.sg_rules
              if r.tier == "mgmt" and r.peer_tier is None}
    assert groups == {"mgmt_from_corp_tcp_22": ("corp", 2, None),
                      "mgmt_from_branch_tcp_22": ("branch", 2, None),
                      "mgmt_to_branch_tcp_443": ("branch", 2, None),
                      "mgmt_from_solo_tcp_22": (None, 0, "100.64.0.0/16")}


def test_acls_have_one_rule_and_one_deny_per_cidr() -> None:
    layout = layout_of(data())
    corp = sorted((r.egress, r.cidr) for r in layout.nacl_rules
                  if r.tier == "mgmt" and r.flow == "corp_to_mgmt_tcp")
    assert corp == [(False, "172.20.0.0/16"), (False, "192.168.0.0/16"),
                    (True, "172.20.0.0/16"), (True, "192.168.0.0/16")]
    denies = {(r.rule_number, r.cidr) for r in layout.nacl_rules
              if r.tier == "web" and not r.egress and r.action == "deny"}
    # Network i's k-th CIDR: 15110 + 10 i + k (blueprint order).
    assert denies == {(15100, "10.0.0.0/16"), (15110, "192.168.0.0/16"),
                      (15111, "172.20.0.0/16"), (15120, "172.16.0.0/16"),
                      (15121, "10.99.0.0/16")}
    assert layout.transit is not None
    assert sorted({r.cidr for r in layout.transit.acl_rules}) == \
        ["10.0.0.0/16", "172.20.0.0/16", "192.168.0.0/16"]
    (vpn,) = layout.vpns
    assert [(name, str(c)) for name, c in vpn.routes] == [
        ("branch_172_16_0_0_16", "172.16.0.0/16"), ("branch_10_99_0_0_16", "10.99.0.0/16")]


def test_rendered_module_names_the_lists() -> None:
    files = render_module(layout_of(data()))
    lists = files["prefix_lists.tf"]
    assert 'resource "aws_ec2_managed_prefix_list" "corp"' in lists
    assert lists.count("entry {") == 4
    assert lists.count("max_entries    = 2") == 2
    assert "destination_prefix_list_id = aws_ec2_managed_prefix_list.corp.id" in \
        files["routes.tf"]
    assert "prefix_list_id    = aws_ec2_managed_prefix_list.branch.id" in \
        files["security_groups.tf"]
    assert '"172.20.0.0/16"' not in files["routes.tf"]  # the list, not its CIDRs


def test_no_prefix_list_without_cidrs() -> None:
    doc = data()
    doc["networks"] = {"corp": {"cidr": "192.168.0.0/16", "via": "tgw"},
                       "branch": "172.16.0.0/16"}
    layout = layout_of(doc)
    assert layout.prefix_lists == ()
    assert "prefix_lists.tf" not in render_module(layout)


def _addresses(layout: Layout) -> dict[str, object]:
    out: dict[str, object] = {}
    for r in layout.nacl_rules:
        out[f"aws_network_acl_rule.{r.name}"] = r
    for g in layout.sg_rules:
        out[f"sg.{g.egress}.{g.name}"] = g
    for route in layout.network_routes:
        out[f"aws_route.{route.name}"] = route
    for p in layout.prefix_lists:
        out[f"aws_ec2_managed_prefix_list.{p.name}"] = p
    for v in layout.vpns:
        out.update({f"aws_vpn_connection_route.{n}": c for n, c in v.routes})
    if layout.transit is not None:
        out.update({f"transit.{r.name}": r for r in layout.transit.acl_rules})
    for s in layout.subnets:
        out[f"aws_subnet.{s.name}"] = s
    return out


@pytest.mark.parametrize("network", ["corp", "branch"])
def test_adding_a_cidr_changes_only_that_list_and_adds_that_networks_rules(
        network: str) -> None:
    before = data()
    after = copy.deepcopy(before)
    after["networks"][network]["cidrs"].append("203.0.113.0/24")
    old, new = _addresses(layout_of(before)), _addresses(layout_of(after))
    changed = {k for k in set(old) & set(new) if old[k] != new[k]}
    assert changed == {f"aws_ec2_managed_prefix_list.{network}"} | {
        k for k in changed if k.startswith("sg.")}  # group rules: only list_entries moved
    for key in changed - {f"aws_ec2_managed_prefix_list.{network}"}:
        before_rule, after_rule = old[key], new[key]
        assert getattr(before_rule, "network_list", None) == network
        assert getattr(after_rule, "list_entries", 0) == 3  # AWS's count; not rendered
    assert set(old) <= set(new)
    added = set(new) - set(old)
    assert added
    for key in added:
        value = new[key]
        cidr = getattr(value, "cidr", value)
        assert str(cidr) == "203.0.113.0/24", key
    # The HCL of everything but the list (and README) is the same bytes plus the new rules.
    files_old = render_module(layout_of(before))
    files_new = render_module(layout_of(after))
    assert files_new["routes.tf"] == files_old["routes.tf"]
    assert files_new["security_groups.tf"] == files_old["security_groups.tf"]


def test_intended_network_reads_every_cidr_as_the_network() -> None:
    layout = layout_of(data())
    network = network_of(layout)
    assert [str(c) for c in network.named_networks["corp"]] == ["192.168.0.0/16",
                                                                "172.20.0.0/16"]
    assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
    assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
    assert query(network, "mgmt", "branch", "tcp", 443).verdict == "reachable"
    assert query(network, "mgmt", "corp", "tcp", 443).verdict == "blocked"
    result = analyze(network)
    assert {(f.src, f.dst) for f in result.flows if "corp" in (f.src, f.dst)} == \
        {("corp", "mgmt")}


def test_quota_counts_a_list_as_its_max_entries() -> None:
    doc = data()
    doc["networks"]["corp"]["cidrs"] = [f"172.{20 + i}.0.0/16" for i in range(8)]
    doc["limits"] = {"routes_per_table": 9, "sg_rules_per_direction": 9}
    loaded = load_blueprint_text(yaml.safe_dump(doc, sort_keys=False), "bp.yaml")
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    codes = {f.code for f in check_layout(loaded.blueprint, layout)}
    # mgmt routes corp (8) and branch (2): 10 > 9; its ingress: corp 8 + branch 2 + web 0.
    assert {"route-quota", "sg-quota"} <= codes


@pytest.mark.parametrize(("edit", "code", "line"), [
    (lambda d: d["networks"]["corp"].update(cidr="10.50.0.0/16"), None, 11),
    (lambda d: d["networks"]["corp"]["cidrs"].append("10.0.5.0/24"),
     "network-overlaps-vpc", 14),
    (lambda d: d["networks"]["corp"]["cidrs"].append("192.168.4.0/24"),
     "network-cidr-duplicate", 14),
    (lambda d: d["networks"]["branch"]["cidrs"].append("172.20.1.0/24"),
     "network-overlap", 19),
    (lambda d: d["networks"]["corp"].update(cidrs=[]), None, 11),
    (lambda d: d["networks"]["corp"].update(cidrs=[f"172.{i}.0.0/24" for i in range(11)]),
     "network-cidr-count", 11),
])
def test_bad_cidrs_are_refused_at_the_line(edit: Any, code: str | None, line: int) -> None:
    doc = data()
    doc["networks"] = {"corp": {"cidrs": ["192.168.0.0/16", "172.20.0.0/16"], "via": "tgw"},
                       "branch": {"cidrs": ["172.16.0.0/16", "10.99.0.0/16"]}}
    edit(doc)
    found = errors(doc)
    assert found, doc
    codes = [c for c, _, _ in found]
    if code is not None:
        assert code in codes, found
    lines = [n for c, n, _ in found if code is None or c == code]
    assert line in lines, found
