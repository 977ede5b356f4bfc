"""Terraform accepts every name Tierform gives (issue 11): a batch of blueprints whose names
lean on each other, rendered as child modules of one root and planned once.

The unit test (tests/unit/layout/test_names.py) checks names against each other; this one
checks Terraform's reading of them: no duplicate address, no key read as a keyword, every
address the layout lists planned, and every flow's rules in the plan. One plan for the
whole batch (a plan costs ~10 s), cached by content.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from names_support import blueprint, random_blueprints
from tierform import workflow
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import Layout
from tierform.layout.names import addresses
from tierform.render.module import render_module
from tierform.terraform import plan_files

pytestmark = pytest.mark.terraform

FIXED = [
    # a from b_from_c and a_from_b from c: one group-rule name before names were escaped.
    blueprint({"a": "isolated", "a_from_b": "isolated", "b_from_c": "isolated",
               "c": "isolated"},
              [{"from": "b_from_c", "to": "a", "ports": [80]},
               {"from": "c", "to": "a_from_b", "ports": [80]}]),
    # HCL keywords as tier names: output keys quoted, resource names as they are.
    blueprint({"for": "public", "in": "private", "null": "isolated"},
              [{"from": "internet", "to": "for", "ports": [443]},
               {"from": "for", "to": "in", "ports": [8080]},
               {"from": "in", "to": "internet", "ports": [443]},
               {"from": "in", "to": "null", "protocol": "udp", "ports": [53]}],
              nat="single"),
    # A network and tiers with underscores, hyphens, and a local-zone style suffix.
    blueprint({"web_a": "public", "a_to_b_": "isolated"},
              [{"from": "corp-net_x", "to": "web_a", "ports": [22]},
               {"from": "web_a", "to": "a_to_b_", "ports": [22, 443]}],
              zones=("us-east-1a", "us-east-1-for"), networks={"corp-net_x": "192.168.0.0/24"}),
]


def _layouts(texts: list[str]) -> list[Layout]:
    layouts = []
    for text in texts:
        try:
            layouts.append(workflow.check(load_blueprint_text(text, "bp.yaml")).layout)
        except BlueprintError:
            continue  # refused with a finding: the unit test checks which
    return layouts


def _batch(layouts: list[Layout]) -> dict[str, str]:
    """One root module calling each example as ``module.ex<i>`` (no example/ folders)."""
    files: dict[str, str] = {}
    root = []
    for index, layout in enumerate(layouts):
        for path, text in render_module(layout).items():
            if "/" not in path:
                files[f"ex{index}/{path}"] = text
        root.append(f'module "ex{index}" {{\n  source      = "./ex{index}"\n'
                    f'  name_prefix = "ex{index}"\n}}\n')
    files["main.tf"] = "\n".join(root)
    return files


def _drawn(count: int) -> list[str]:
    """``count`` distinct drawn blueprints that validate: hypothesis explores (derandomized,
    the same every run), the test plans them together afterwards."""
    seen: list[str] = []

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(text=random_blueprints())
    def collect(text: str) -> None:
        if text not in seen and len(_layouts([text])) == 1:
            seen.append(text)

    collect()
    # The last ones are the furthest from hypothesis's simplest first examples.
    return seen[-count:]


def test_terraform_plans_every_name(tierform_cache_dir: Path,
                                    tierform_terraform: str | None) -> None:
    drawn = _drawn(12)
    assert len(drawn) == 12
    layouts = _layouts([*FIXED, *drawn])
    assert len(layouts) == len(FIXED) + len(drawn), "a fixed example was refused"
    plan = plan_files(_batch(layouts), region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    planned = set(plan)
    for index, layout in enumerate(layouts):
        prefix = f"module.ex{index}."
        mine = {a.removeprefix(prefix) for a in planned if a.startswith(prefix)}
        assert mine == set(addresses(layout)), (index, layout.tiers)
        for flow in layout.blueprint.flows:
            rules = [r for r in layout.nacl_rules if r.flow == flow.flow_id]
            assert rules, (index, flow.flow_id)
            for rule in rules:
                planned_rule = plan.resource(f"{prefix}aws_network_acl_rule.{rule.name}")
                assert planned_rule["rule_number"] == rule.rule_number
                assert planned_rule["cidr_block"] == rule.cidr
    assert plan.resource("module.ex1.aws_security_group.for").tags["Tier"] == "for"
    assert plan.outputs == {}  # the root passes nothing on; the children's are planned
