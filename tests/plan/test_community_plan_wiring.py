"""Real plans hold the HCL evaluation to Terraform: on the community fixtures, the shipped
blueprints and the hand-written fixtures, every configured attribute is evaluated from the
HCL (its references are the ones the plan records: the check that the HCL is the plan's
never falls back on them), and the network read that way equals the one read from the
plan's references wherever those resolve everything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ROOT, tierform
from community_support import NAMES, REGION, differences, load_expected
from shipped_support import plan_variables
from tierform.readers.hcl import load_sources
from tierform.readers.plan import network_from_plan, plan_resolver
from tierform.terraform.plan import Plan
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform

META = ("count", "for_each", "depends_on", "provider", "lifecycle")
SOURCES = [
    *(f"tests/fixtures/community/{name}" for name in NAMES),
    *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "blueprints").glob("*.yaml"))),
    "tests/fixtures/handwritten/three-tier", "tests/fixtures/foreign",
    "tests/plan/fixtures/counted", "tests/plan/fixtures/tiny",
]


@pytest.fixture(scope="module", params=SOURCES)
def planned(request: pytest.FixtureRequest, tierform_plan: PlanFactory) -> tuple[str, Plan]:
    source = str(request.param)
    region = REGION if "community" in source else None
    return source, tierform_plan(ROOT / source, plan_variables(ROOT / source), region=region)


def test_every_configured_attribute_is_evaluated_from_the_hcl(
        planned: tuple[str, Plan]) -> None:
    source, plan = planned
    assert plan.config_dir is not None
    resolver = plan_resolver(plan.raw, load_sources(plan.config_dir))
    assert resolver.evaluator is not None, source
    checked, fallbacks = 0, []
    for inst in resolver.instances.values():
        config = resolver.evaluator.resource_config(inst)
        assert config is not None, inst.address
        for attribute in config.body.attributes:
            if attribute in META:
                continue
            checked += 1
            why = resolver.why_not_evaluated(inst, attribute)
            if why:
                fallbacks.append(f"{inst.address}.{attribute}: {why}")
    assert checked > 20
    assert fallbacks == []


def test_the_hcl_reading_agrees_with_the_references_where_they_resolve(
        planned: tuple[str, Plan]) -> None:
    source, plan = planned
    from_hcl = plan.network()
    from_references = network_from_plan(dict(plan.raw))
    assert from_hcl.unresolved == [], source
    if source.endswith("foreign"):
        # element(aws_route_table.db[*].id, count.index % 2): the references cannot tell
        # which table; the evaluation can (db[0]) and nothing else differs.
        assert [u.attribute for u in from_references.unresolved] == ["route_table_id"]
        assert "aws_subnet.db_spare" in from_hcl.route_tables["aws_route_table.db[0]"].subnet_ids
        return
    if from_references.unresolved and source.endswith("inspected.yaml"):
        # A firewall module: each AZ's endpoint is one([for s in ...sync_states : ... if
        # s.availability_zone == "<az>"]), known after apply; the HCL evaluation resolves the
        # routes and the firewall's subnets (R15), the references alone leave them unknown.
        assert {u.attribute for u in from_references.unresolved} == {
            "subnet_mapping[0]", "subnet_mapping[1]", "target", "vpc_endpoint_id"}, source
        assert from_hcl.firewalls, source
        return
    if from_references.unresolved and "community" not in source:
        # A dual-stack module: cidrsubnet() of the /56 unknown until apply is evaluated
        # from the HCL only (symbolic); the references alone leave those blocks unknown.
        assert {u.attribute for u in from_references.unresolved} == {"ipv6_cidr_block"}
        assert from_hcl.vpc_ipv6_cidrs == ("aws_vpc.this.ipv6_cidr_block",), source
        return
    if from_references.unresolved:
        assert "community" in source  # the idioms the references cannot follow
        return
    assert from_hcl == from_references


@pytest.mark.parametrize("name", NAMES)
def test_reach_with_config_dir_from_elsewhere(name: str, tierform_plan: PlanFactory,
                                              tmp_path: Path) -> None:
    """--config-dir names the root module; the plan file and the working directory can
    be anywhere."""
    expected = load_expected(name)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(dict(tierform_plan(expected.module, region=REGION).raw)))
    done = tierform("reach", str(plan_file), "--format", "json",
                    "--config-dir", str(expected.module), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert differences(json.loads(done.stdout), expected) == []
    # Without it (and not run in the configuration directory) the plan's references are
    # all there is: what they cannot follow is listed, never guessed, or, when no subnet
    # is read at all, reach refuses to print an empty matrix.
    done = tierform("reach", str(plan_file), "--format", "json", cwd=tmp_path)
    if done.returncode == 2:
        assert "no tiers" in done.stderr
        return
    # What is not resolved makes the answers it touches unknown: exit 3, never a clean 0.
    assert done.returncode == 3, done.stderr
    assert "incomplete" in done.stderr
    document = json.loads(done.stdout)
    assert document["complete"] is False
    unresolved = document["unresolved"]
    assert unresolved
    assert all(u["reason"] for u in unresolved)


def test_plan_references_follow_the_community_idioms(tierform_plan: PlanFactory) -> None:
    """The typed Plan asks the same resolver: local.vpc_id through try() and the CIDR
    association, element() over a splat, a module output inside a list of rule maps."""
    plan = tierform_plan(load_expected("count-vpc").module, region=REGION)
    assert plan.references("module.vpc.aws_subnet.database[1]", "vpc_id") == [
        "module.vpc.aws_vpc.this[0]"]
    assert plan.references("module.vpc.aws_route_table_association.private[1]",
                           "route_table_id") == ["module.vpc.aws_route_table.private[1]"]
    assert plan.references("module.db_sg.aws_security_group_rule."
                           "ingress_with_source_security_group_id[0]",
                           "source_security_group_id") == [
        "module.app_sg.aws_security_group.this[0]"]
    assert plan.tier_of("module.vpc.aws_route_table_association.private[1]") == "app"
