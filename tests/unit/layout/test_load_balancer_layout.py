"""The load balancer's layout: its rules are numbered by its identity (``lb_<tier>``), so
adding it renumbers no flow's rule and the rest of the module stays as it was."""

from __future__ import annotations

import re
from pathlib import Path

from tierform.blueprint.load import load_blueprint_text
from tierform.layout import check_layout, plan_layout
from tierform.layout.names import addresses
from tierform.layout.numbering import flow_slot, rule_number
from tierform.render.module import render_module

FIXTURE = (Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "load-balanced.yaml"
           ).read_text("utf-8")


def _layout(text: str):  # type: ignore[no-untyped-def]
    loaded = load_blueprint_text(text, "t.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


def _without_lb() -> str:
    start = FIXTURE.index("    load_balancer:\n")
    end = FIXTURE.index("  app:\n")
    return FIXTURE[:start] + FIXTURE[end:]


def test_adding_the_lb_only_adds_rules() -> None:
    before, after = _layout(_without_lb()), _layout(FIXTURE)
    assert set(before.nacl_rules) <= set(after.nacl_rules)
    assert set(before.sg_rules) <= set(after.sg_rules)
    added = set(after.nacl_rules) - set(before.nacl_rules)
    first = rule_number("peer", flow_slot("lb_web"), 0)
    assert added
    assert {r.flow for r in added} == {"lb_web"}
    assert all(first <= r.rule_number < first + 10 for r in added)
    loaded = load_blueprint_text(_without_lb(), "t.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    assert "load_balancer.tf" not in files


def test_addresses_are_the_rendered_ones_and_unique() -> None:
    layout = _layout(FIXTURE)
    found = addresses(layout)
    assert all(len(whats) == 1 for whats in found.values())
    text = render_module(layout)["load_balancer.tf"]
    for address in ("aws_lb.lb_web", "aws_lb_target_group.lb_web", "aws_lb_listener.lb_web_443",
                    "aws_security_group.lb_web"):
        assert address in found
        kind, name = address.split(".")
        assert f'resource "{kind}" "{name}"' in text


def test_same_blueprint_same_bytes() -> None:
    assert render_module(_layout(FIXTURE)) == render_module(_layout(FIXTURE))


def test_dual_stack_admits_ipv6_on_the_listener() -> None:
    text = FIXTURE.replace("  cidr: 10.0.0.0/16\n", "  cidr: 10.0.0.0/16\n  ipv6: amazon\n")
    layout = _layout(text)
    (lb,) = layout.load_balancers
    assert lb.dualstack
    cidrs = {r.cidr for r in layout.sg_rules if r.tier == "lb_web" and not r.egress}
    assert cidrs == {"0.0.0.0/0", "::/0"}
    text = render_module(layout)["load_balancer.tf"]
    assert re.search(r'ip_address_type\s+= "dualstack"', text)


def test_a_flow_whose_numbers_clash_with_the_lbs_legs_is_reported_at_the_flow() -> None:
    slot = flow_slot("lb_web")
    fid = next(f"web_to_app_{n}" for n in range(100_000) if flow_slot(f"web_to_app_{n}") == slot)
    text = FIXTURE + f"  - {{from: web, to: app, ports: [9000], id: {fid}}}\n"
    loaded = load_blueprint_text(text, "t.yaml")
    findings = check_layout(loaded.blueprint, plan_layout(loaded.blueprint, loaded.allocation))
    (finding,) = [f for f in findings if f.code == "rule-number-clash"]
    assert finding.path == ("flows", 2)
    assert "lb_web" in finding.message
    assert f"'{fid}'" in finding.message
