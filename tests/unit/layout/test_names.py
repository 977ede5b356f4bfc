"""layout.names: every address of a module is one resource's, by construction or refused at
validate with a finding that says what to rename (issue 11, "a flow silently dropped").

The property test draws names that lean on each other (tiers that are prefixes of one
another, ``_from_``/``_to_`` inside names, keywords, zones whose suffixes read alike) and
checks: a blueprint is either refused with a name or identity finding, or every flow has
its rules, no address is taken twice, and the analyzer finds every flow reachable.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from names_support import NAME_CODES, blueprint, random_blueprints, rendered_addresses
from tierform import workflow
from tierform.analyze import analyze
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import Layout
from tierform.layout.names import addresses, escape, sg_rule_name
from tierform.ports import PortSet
from tierform.render.module import render_module


def checked(text: str) -> workflow.Checked:
    return workflow.check(load_blueprint_text(text, "bp.yaml"))


def refused(text: str) -> list[Any]:
    with pytest.raises(BlueprintError) as caught:
        checked(text)
    assert caught.value.exit_code == 2
    return caught.value.findings


def assert_every_flow_has_its_rules(result: workflow.Checked) -> None:
    """Each flow: its NACL legs on both tier ends, its group rules, reachable end to end."""
    layout = result.layout
    bp = layout.blueprint
    reach = analyze(result.network)
    by_name = {(r.egress, r.name): r for r in layout.sg_rules}
    for flow in bp.flows:
        fid = flow.flow_id
        for tier, egress, peer in ((flow.src, True, flow.dst), (flow.dst, False, flow.src)):
            if tier not in bp.tiers:
                continue
            assert any(r.flow == fid and r.tier == tier and r.egress == egress
                       for r in layout.nacl_rules), (fid, tier, egress)
            for ports in flow.port_ranges():
                name = sg_rule_name(tier, egress, peer, flow.protocol, ports)
                assert (egress, name) in by_name, (fid, name)
        want = PortSet(flow.port_ranges())
        got = reach.ports(flow.src, flow.dst, flow.protocol)  # type: ignore[arg-type]
        assert want.issubset(got), (fid, want, got)


def assert_addresses_are_unique(layout: Layout) -> None:
    listed = addresses(layout)
    assert [a for a, whats in listed.items() if len(whats) > 1] == []
    rendered = rendered_addresses(render_module(layout))
    assert [a for a, n in Counter(rendered).items() if n > 1] == []
    # Every name that comes from the blueprint; the flow-log destination's resources are
    # one fixed name each (aws_s3_bucket.flow_logs, ...), decided by tierform.render.
    assert {a for a in rendered if not a.endswith(".flow_logs")} == set(listed)


# ------------------------------------------------------------------ the cases


def test_tiers_that_spell_each_others_rules_keep_both_flows() -> None:
    """``a`` from ``b_from_c`` and ``a_from_b`` from ``c`` were one group-rule name: one
    flow was dropped, validate passed and reach showed it missing."""
    tiers = {"a": "isolated", "a_from_b": "isolated", "b_from_c": "isolated", "c": "isolated"}
    result = checked(blueprint(tiers, [{"from": "b_from_c", "to": "a", "ports": [80]},
                                       {"from": "c", "to": "a_from_b", "ports": [80]}]))
    names = {r.name for r in result.layout.sg_rules if not r.egress}
    assert names == {"a_from_b__from__c_tcp_80", "a__from__b_from_c_tcp_80"}
    assert_every_flow_has_its_rules(result)
    assert_addresses_are_unique(result.layout)


def test_escaping_keeps_plain_names_and_splits_one_way() -> None:
    assert sg_rule_name("app", False, "web", "tcp", (8080, 8080)) == "app_from_web_tcp_8080"
    assert sg_rule_name("web", True, "internet", "all", (0, 65535)) == "web_to_internet_all"
    assert escape("a_") + "_from" == "a___from"  # an odd run ends with the separator
    assert sg_rule_name("a_", False, "b", "icmp", (0, 0)) != sg_rule_name(
        "a", False, "_b", "icmp", (0, 0))


def test_zones_whose_suffixes_read_alike_are_refused() -> None:
    """us-east-1a and us-east-1-a both named subnets web_a (and validate counted 2, not 4)."""
    text = blueprint({"web": "public", "db": "isolated"},
                     [{"from": "internet", "to": "web", "ports": [443]}],
                     zones=("us-east-1a", "us-east-1-a"))
    [finding] = refused(text)
    assert finding.code == "zone-name-clash"
    assert finding.path == ("availability_zones", 1)
    assert "'us-east-1a' and 'us-east-1-a'" in finding.message
    assert "aws_subnet." in finding.message


def test_a_tier_and_zone_spelling_another_tiers_subnet_are_refused() -> None:
    text = blueprint({"web": "isolated", "web_a": "isolated"}, [],
                     zones=("us-east-1b", "us-east-1-a-b"))
    codes = [f.code for f in refused(text)]
    assert codes == ["subnet-name-clash"]


def test_a_network_named_default_is_refused_next_to_default_routes() -> None:
    text = blueprint({"web": "public"}, [{"from": "default", "to": "web", "ports": [22]}],
                     networks={"default": "192.168.0.0/16"})
    findings = refused(text)
    assert {f.code for f in findings} == {"route-name-clash"}
    assert findings[0].path == ("networks", "default")
    assert "aws_route.web_a_default" in findings[0].message
    assert "rename network 'default'" in findings[0].hint
    # An isolated tier has no default route: nothing shares the name.
    checked(text.replace("exposure: public", "exposure: isolated"))


def test_network_routes_spelling_each_other_are_refused() -> None:
    """web + b_corp beside web_a + corp: both aws_route.web_a_b_corp."""
    text = blueprint({"web": "isolated", "web_a": "isolated"},
                     [{"from": "b_corp", "to": "web", "ports": [22]},
                      {"from": "corp", "to": "web_a", "ports": [22]}],
                     networks={"b_corp": "192.168.0.0/24", "corp": "192.168.1.0/24"})
    findings = refused(text)
    assert [f.code for f in findings] == ["route-name-clash"]
    assert "aws_route.web_a_b_corp" in findings[0].message


def test_a_tier_named_like_a_keyword_renders() -> None:
    """``for`` as a bare object key reads as a for expression: output keys are quoted."""
    result = checked(blueprint({"for": "public", "in": "isolated"},
                               [{"from": "internet", "to": "for", "ports": [443]},
                                {"from": "for", "to": "in", "ports": [5432]}]))
    outputs = render_module(result.layout)["outputs.tf"]
    assert '"for" = {' in outputs
    assert '"in" = {' in outputs
    assert_every_flow_has_its_rules(result)
    assert_addresses_are_unique(result.layout)


def test_flows_whose_numbers_clash_are_refused_with_a_free_id() -> None:
    """Rule numbers come from the id's slot; two ids on one slot of one ACL are refused,
    whatever their order, with an id for one of them whose numbers are free."""
    from tierform.layout.numbering import flow_slot

    target = flow_slot("web_to_db_tcp")
    twin = next(f"x{i}" for i in range(100_000) if flow_slot(f"x{i}") == target)
    flows = [{"from": "web", "to": "db", "ports": [5432]},
             {"from": "web", "to": "db", "ports": [6379], "id": twin}]
    tiers = {"web": "isolated", "db": "isolated"}
    [finding] = refused(blueprint(tiers, flows))
    assert finding.code == "rule-number-clash"
    assert f"'web_to_db_tcp' and '{twin}'" in finding.message
    assert finding.path == ("flows", 1, "id")  # the id that sorts last
    [again] = refused(blueprint(tiers, flows[::-1]))
    assert again.message == finding.message
    free = re.search(r"'id: ([\w-]+)'", finding.hint)
    assert free is not None
    flows[1]["id"] = free.group(1)
    checked(blueprint(tiers, flows))


def test_addresses_are_what_the_templates_write() -> None:
    """names.addresses mirrors the templates: the one place names are checked sees all."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for path in sorted((root / "blueprints").glob("*.yaml")):
        layout = workflow.check(workflow.load(path)).layout
        assert_addresses_are_unique(layout)


# ------------------------------------------------------------------ random names


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=random_blueprints())
def test_random_names_give_every_flow_its_rules_or_a_finding(text: str) -> None:
    note(text)
    try:
        result = checked(text)
    except BlueprintError as error:
        refusals = [f for f in error.findings if f.code not in NAME_CODES]
    else:
        refusals = None
    if refusals is not None:
        assert refusals == [], [f.format() for f in refusals]
        return
    assert_every_flow_has_its_rules(result)
    assert_addresses_are_unique(result.layout)
    assert len(result.network.subnets) == len(result.layout.subnets)


def test_more_named_networks_than_the_deny_band_holds_are_refused() -> None:
    from tierform.layout.numbering import MAX_NETWORKS, deny_number

    assert deny_number(MAX_NETWORKS - 1, 9) < 16000 <= deny_number(MAX_NETWORKS, 0)
    networks = {f"n{i}": f"172.16.{i}.0/24" for i in range(MAX_NETWORKS + 1)}
    # No internet flow: no deny band is rendered, yet the count is refused (it would be
    # as soon as one is added).
    assert [f.code for f in refused(blueprint({"web": "public"}, [], networks=networks))] \
        == ["network-count"]
    del networks[f"n{MAX_NETWORKS}"]
    checked(blueprint({"web": "public"}, [], networks=networks))
