"""Inspection rendering (issue 15): names, derive, determinism, what adding inspection to a
blueprint changes, the AZ-local endpoint expression, and the egress-alone routes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from names_support import rendered_addresses
from tierform import workflow
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import derive, plan_layout
from tierform.layout.names import addresses
from tierform.layout.network import firewall_endpoint_id
from tierform.render.inspection import (
    endpoint_expression,
    inspection_context,
    rule_group_capacity,
)
from tierform.render.module import render_module

ROOT = Path(__file__).resolve().parents[3]

INSPECTED = (ROOT / "tests" / "plan" / "fixtures" / "inspected.yaml").read_text("utf-8")
_INSPECTION = INSPECTED[INSPECTED.index("inspection:"):INSPECTED.index("flows:")]
PLAIN = INSPECTED.replace(_INSPECTION, "")
EGRESS_ALONE = (INSPECTED.replace("modes: [ingress, egress]", "modes: [egress]")
                .replace("nat: per_az", "nat: single")
                .replace("  - {from: internet, to: web, ports: [80, 443]}\n", "")
                .replace("  - {from: web, to: app, ports: [8080]}\n", ""))


def _files(text: str) -> dict[str, str]:
    loaded = load_blueprint_text(text, "t.yaml")
    return render_module(plan_layout(loaded.blueprint, loaded.allocation))


def test_addresses_are_unique_and_are_what_the_templates_write() -> None:
    for text in (INSPECTED, EGRESS_ALONE):
        layout = workflow.check(load_blueprint_text(text, "t.yaml")).layout
        listed = addresses(layout)
        assert [a for a, whats in listed.items() if len(whats) > 1] == []
        rendered = rendered_addresses(render_module(layout))
        assert [a for a, n in Counter(rendered).items() if n > 1] == []
        assert {a for a in rendered if not a.endswith(".flow_logs")} == set(listed)


def test_a_tier_named_firewall_clashes_with_the_firewall_subnets() -> None:
    text = INSPECTED.replace("  db:\n", "  firewall:\n").replace("to: db", "to: firewall")
    with pytest.raises(BlueprintError) as caught:
        workflow.check(load_blueprint_text(text, "t.yaml"))
    findings = caught.value.findings
    assert {f.code for f in findings} == {"name-clash"}
    assert any("aws_network_acl.firewall: tier firewall's network ACL and the firewall "
               "subnets' network ACL" in f.message for f in findings)


@pytest.mark.parametrize("text", [INSPECTED, EGRESS_ALONE], ids=["ingress+egress", "egress"])
def test_derived_addresses_are_rendered_resources(text: str) -> None:
    loaded = load_blueprint_text(text, "t.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    declared = {f"{t}.{n}" for body in files.values()
                for t, n in re.findall(r'^resource "(\w+)" "(\w+)"', body, re.M)}
    net = derive(loaded.blueprint, loaded.allocation)
    addresses = {*net.subnets, *net.route_tables, *net.nacls}
    addresses |= {e.source for n in net.nacls.values() for e in n.entries}
    addresses |= {r.source for t in net.route_tables.values() for r in t.routes}
    assert addresses <= declared, sorted(addresses - declared)
    routes = {a for a in declared if a.startswith(("aws_route.", "aws_network_acl_rule."))}
    assert routes <= addresses, sorted(routes - addresses)


def test_same_blueprint_same_bytes() -> None:
    assert _files(INSPECTED) == _files(INSPECTED)
    # the flows' pass rules follow flow ids, not flow order
    lines = INSPECTED.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("flows:")) + 1
    flipped = "".join(lines[:start] + lines[start:start + 4][::-1] + lines[start + 4:])
    assert flipped != INSPECTED
    assert _files(flipped)["inspection.tf"] == _files(INSPECTED)["inspection.tf"]


def test_adding_inspection_changes_only_the_routes_concerned() -> None:
    """Without inspection nothing is rendered for it; with it, routes.tf changes only in
    the retargeted default routes (same addresses: updated in place, not replaced)."""
    plain, inspected = _files(PLAIN), _files(INSPECTED)
    assert "inspection.tf" not in plain
    assert "aws_networkfirewall" not in "".join(plain.values())
    changed = {path for path in plain if plain[path] != inspected.get(path)}
    # outputs and the delete-protection input; the example re-exports the outputs; the
    # native tests pin the firewall subnets and the routes through the endpoints
    assert changed == {"routes.tf", "variables.tf", "outputs.tf", "README.md",
                       "example/main.tf", "tests/layering.tftest.hcl"}
    for path in ("subnets.tf", "nacls.tf", "security_groups.tf", "nat.tf", "vpc.tf"):
        assert plain[path] == inspected[path]

    def blocks(body: str) -> dict[str, str]:
        return dict(re.findall(r'^resource "aws_route" "(\w+)" \{\n(.*?)^\}', body,
                               re.M | re.S))

    before, after = blocks(plain["routes.tf"]), blocks(inspected["routes.tf"])
    assert set(before) == set(after)
    assert {name for name in before if before[name] != after[name]} == \
        {"web_a_default", "web_b_default"}
    for name, az in (("web_a_default", "us-east-1a"), ("web_b_default", "us-east-1b")):
        assert f"vpc_endpoint_id        = {endpoint_expression(az)}" in after[name]


def test_endpoint_expression_is_one_sync_state_per_az() -> None:
    assert endpoint_expression("us-east-1b") == (
        "one([for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : "
        's.attachment[0].endpoint_id if s.availability_zone == "us-east-1b"])')


def test_egress_alone_routes_private_tiers_through_the_firewall_to_nat() -> None:
    loaded = load_blueprint_text(EGRESS_ALONE, "t.yaml")
    plan = plan_layout(loaded.blueprint, loaded.allocation).inspection
    assert plan is not None
    assert not plan.edge
    routes = {(r.table, r.destination, r.target, r.az, r.nat) for r in plan.routes}
    assert routes == {
        ("app_a", "0.0.0.0/0", "firewall", "us-east-1a", None),
        ("app_b", "0.0.0.0/0", "firewall", "us-east-1b", None),
        # nat: single: both firewall subnets pass on to the one NAT (in web_a)
        ("firewall_a", "0.0.0.0/0", "nat", None, "web_a"),
        ("firewall_b", "0.0.0.0/0", "nat", None, "web_a"),
        # the NAT's subnet sends each private subnet back by that subnet's AZ's endpoint
        ("web_a", "10.0.11.0/24", "firewall", "us-east-1a", None),
        ("web_a", "10.0.12.0/24", "firewall", "us-east-1b", None),
    }
    # egress_domains given: no pass rule for app's egress (the allow-list decides)
    assert plan.flow_rules == ()
    net = derive(loaded.blueprint, loaded.allocation)
    web_a = net.route_tables["aws_route_table.web_a"]
    assert {(r.destination, r.kind, r.target) for r in web_a.routes} == {
        ("0.0.0.0/0", "igw", "aws_internet_gateway.this"),
        ("10.0.11.0/24", "gwlbe", firewall_endpoint_id("us-east-1a")),
        ("10.0.12.0/24", "gwlbe", firewall_endpoint_id("us-east-1b")),
    }


def test_egress_pass_rules_without_domains_come_from_the_tier() -> None:
    text = EGRESS_ALONE.replace("  egress_domains: [\".amazonaws.com\", updates.example.com]\n",
                                "")
    loaded = load_blueprint_text(text, "t.yaml")
    plan = plan_layout(loaded.blueprint, loaded.allocation).inspection
    assert plan is not None
    assert {(r.flow, r.protocol, r.source, r.destination, r.destination_port)
            for r in plan.flow_rules} == {
        ("app_to_internet_tcp", "TCP", cidr, "ANY", "443")
        for cidr in ("10.0.11.0/24", "10.0.12.0/24")}


@pytest.mark.parametrize(("flow_logs", "expected"), [
    ("flow_logs: {destination: s3, bucket_arn: 'arn:aws:s3:::corp-logs/vpc'}",
     [("bucketName", '"corp-logs"'), ("prefix", '"vpc/network-firewall/alert"')]),
    ("flow_logs: {destination: s3, bucket_arn: 'arn:aws:s3:::corp-logs'}",
     [("bucketName", '"corp-logs"'), ("prefix", '"network-firewall/alert"')]),
    ("flow_logs: {destination: s3}", [("bucketName", "aws_s3_bucket.flow_logs.bucket")]),
])
def test_firewall_logs_go_under_the_flow_log_destination(
        flow_logs: str, expected: list[tuple[str, str]]) -> None:
    text = INSPECTED.replace("flow_logs:\n  destination: cloudwatch\n  retention_days: 365\n",
                             flow_logs + "\n")
    loaded = load_blueprint_text(text, "t.yaml")
    context = inspection_context(plan_layout(loaded.blueprint, loaded.allocation))
    assert context is not None
    alert, flow = context["logs"]
    assert (alert.log_type, alert.destination_type, list(alert.destination)) == \
        ("ALERT", "S3", expected)
    assert flow.log_type == "FLOW"
    assert alert.log_group is None


def test_with_domains_no_flow_to_the_internet_gets_a_pass_of_its_own() -> None:
    """A public tier's egress is egress too: a TCP pass would skip the allow-list."""
    text = INSPECTED.replace("  - {from: app, to: internet, ports: [443]}\n",
                             "  - {from: app, to: internet, ports: [443]}\n"
                             "  - {from: web, to: internet, ports: [443]}\n")
    loaded = load_blueprint_text(text, "t.yaml")
    plan = plan_layout(loaded.blueprint, loaded.allocation).inspection
    assert plan is not None
    assert {r.flow for r in plan.flow_rules} == {"internet_to_web_tcp"}
    without = load_blueprint_text(
        text.replace("  egress_domains: [\".amazonaws.com\", updates.example.com]\n", ""), "t")
    plan = plan_layout(without.blueprint, without.allocation).inspection
    assert plan is not None
    assert {(r.flow, r.source) for r in plan.flow_rules if r.flow != "internet_to_web_tcp"} == {
        # after NAT the firewall sees the NAT subnets' addresses; web's own are web's
        ("app_to_internet_tcp", "10.0.1.0/24"), ("app_to_internet_tcp", "10.0.2.0/24"),
        ("web_to_internet_tcp", "10.0.1.0/24"), ("web_to_internet_tcp", "10.0.2.0/24")}


def test_rule_group_capacity_rounds_up_to_hundreds() -> None:
    assert [rule_group_capacity(n) for n in (0, 1, 100, 101, 250)] == [100, 100, 100, 200, 300]


EAST_WEST = (ROOT / "tests" / "plan" / "fixtures" / "inspected-east-west.yaml").read_text(
    "utf-8")


def test_east_west_routes_one_endpoint_per_subnet_pair_both_ways() -> None:
    loaded = load_blueprint_text(EAST_WEST, "t.yaml")
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    plan = layout.inspection
    assert plan is not None
    assert plan.routing.east_west == (("app", "db"),)
    got = {(r.name, r.table, r.destination, r.az, r.peer) for r in plan.routes
           if r.peer is not None}
    a, b = "us-east-1a", "us-east-1b"
    # same AZ: that AZ's endpoint; across AZs: the app subnet's (app is listed first)
    assert got == {
        ("app_a_east_west_db_a", "app_a", "10.0.21.0/24", a, "db_a"),
        ("db_a_east_west_app_a", "db_a", "10.0.11.0/24", a, "app_a"),
        ("app_a_east_west_db_b", "app_a", "10.0.22.0/24", a, "db_b"),
        ("db_b_east_west_app_a", "db_b", "10.0.11.0/24", a, "app_a"),
        ("app_b_east_west_db_a", "app_b", "10.0.21.0/24", b, "db_a"),
        ("db_a_east_west_app_b", "db_a", "10.0.12.0/24", b, "app_b"),
        ("app_b_east_west_db_b", "app_b", "10.0.22.0/24", b, "db_b"),
        ("db_b_east_west_app_b", "db_b", "10.0.12.0/24", b, "app_b"),
    }
    # one PASS per (app subnet, db subnet); web -> app opted out has none
    assert {(r.flow, r.source, r.destination, r.destination_port)
            for r in plan.flow_rules if r.flow == "app_to_db_tcp"} == {
        ("app_to_db_tcp", s, d, "3306") for s in ("10.0.11.0/24", "10.0.12.0/24")
        for d in ("10.0.21.0/24", "10.0.22.0/24")}
    assert not [r for r in plan.flow_rules if r.flow == "web_to_app_tcp"]
    # the derived network holds the routes; db's tables are no longer local-only, so
    # routes.tf must not write `route = []` beside the aws_route resources
    net = derive(loaded.blueprint, loaded.allocation)
    db_b = net.route_tables["aws_route_table.db_b"]
    assert {(r.destination, r.kind, r.target) for r in db_b.routes} == {
        ("10.0.11.0/24", "gwlbe", firewall_endpoint_id(a)),
        ("10.0.12.0/24", "gwlbe", firewall_endpoint_id(b))}
    routes_tf = render_module(layout)["routes.tf"]
    db_table = routes_tf[routes_tf.index('resource "aws_route_table" "db_b"'):]
    assert "route = []" not in db_table[:db_table.index("\n}\n")]
