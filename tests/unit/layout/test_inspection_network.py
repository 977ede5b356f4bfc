"""The blueprint-derived network carries the firewall as the analyzer reads it (R15), so
``tierform reach BLUEPRINT`` answers the inspected flows (no ``?``) like the plan does."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from tierform import verify as verify_mod
from tierform import workflow
from tierform.analyze import analyze
from tierform.layout.network import FIREWALL, firewall_endpoint_id
from tierform.network.model import firewall_endpoint_key
from tierform.ports import PortSet

FIXTURE = Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "inspected.yaml"


def _checked() -> workflow.Checked:
    return workflow.check(workflow.load(FIXTURE))


def test_endpoint_ids_are_the_plan_readers_keys() -> None:
    assert firewall_endpoint_id("us-east-1a") == firewall_endpoint_key(FIREWALL, "us-east-1a")
    net = _checked().network
    targets = {r.target for t in net.route_tables.values() for r in t.routes
               if r.kind == "gwlbe"}
    assert targets == {firewall_endpoint_key(FIREWALL, az) for az in ("us-east-1a", "us-east-1b")}
    assert all(net.firewall_of(t) is not None for t in targets)


def test_firewall_policy_and_groups_from_the_inspection_plan() -> None:
    checked = _checked()
    net, plan = checked.network, checked.layout.inspection
    assert plan is not None
    (firewall,) = net.firewalls.values()
    assert firewall.subnets == (("us-east-1a", "aws_subnet.firewall_a"),
                                ("us-east-1b", "aws_subnet.firewall_b"))
    policy = net.firewall_policies[firewall.policy or ""]
    assert policy.strict_order
    assert policy.stateful_default == ("aws:drop_established",)
    assert policy.stateful_groups == ("aws_networkfirewall_rule_group.egress_domains",
                                      "aws_networkfirewall_rule_group.rules",
                                      "aws_networkfirewall_rule_group.flows")
    groups = net.firewall_rule_groups
    assert groups[policy.stateful_groups[0]].domains == (".amazonaws.com", "updates.example.com")
    assert groups[policy.stateful_groups[0]].domain_action == "allow"
    (telnet,) = groups[policy.stateful_groups[1]].rules
    assert (telnet.action, telnet.destination_ports) == ("drop", ((23, 23),))
    passes = groups[policy.stateful_groups[2]].rules
    assert len(passes) == len(plan.flow_rules) > 0
    assert {r.action for r in passes} == {"pass"}
    edge = net.route_tables["aws_route_table.igw_edge"]
    assert edge.gateway_ids == frozenset({"aws_internet_gateway.this"})


def test_reach_answers_the_inspected_flows_without_unknowns() -> None:
    reach = analyze(_checked().network)
    assert reach.unknown == [], reach.unknown
    got = {(f.src, f.dst): f.ports for f in reach.flows if f.protocol == "tcp"}
    assert PortSet(((80, 80), (443, 443))).issubset(got[("internet", "web")])
    assert PortSet(((443, 443),)).issubset(got[("app", "internet")])


def test_verify_the_derived_network_proves_the_inspection() -> None:
    checked = _checked()
    assert verify_mod.inspected_from_blueprint(checked.loaded.blueprint) == [
        ("internet", "web"), ("app", "internet")]
    report = workflow.verify_network(checked.loaded, checked.network)
    assert [f.message for f in report.findings] == []


def test_route_through_the_firewall_is_judged_by_where_the_firewall_sends_it() -> None:
    """A private tier routed to the firewall, whose subnet sends it to the internet gateway:
    the tier's route leaves by the gateway (a finding); the firewall does not hide it."""
    checked = _checked()
    net = copy.deepcopy(checked.network)
    app = net.route_tables["aws_route_table.app_a"]
    net.route_tables[app.id] = dataclasses.replace(app, routes=tuple(
        dataclasses.replace(r, kind="gwlbe", target=firewall_endpoint_id("us-east-1a"))
        if r.destination == "0.0.0.0/0" else r for r in app.routes))
    findings = verify_mod.route_findings(verify_mod.intents_from_blueprint(
        checked.loaded.blueprint), net, verify_mod.declared_exposure(checked.loaded.blueprint))
    (finding,) = findings
    assert finding.message.startswith("private tier app: route table aws_route_table.app_a "
                                      "sends 0.0.0.0/0 to gwlbe"), finding.message


def test_bypass_when_the_nat_subnet_skips_the_firewall() -> None:
    checked = _checked()
    net = copy.deepcopy(checked.network)
    web = net.route_tables["aws_route_table.web_a"]
    net.route_tables[web.id] = dataclasses.replace(web, routes=tuple(
        dataclasses.replace(r, kind="igw", target="aws_internet_gateway.this")
        if r.destination == "0.0.0.0/0" else r for r in web.routes))
    report = workflow.verify_network(checked.loaded, net)
    bypass = [f.message for f in report.findings if f.kind == "inspection"]
    assert any(m.startswith("bypass: app -> internet") for m in bypass), bypass
    assert report.exit_code == 1
