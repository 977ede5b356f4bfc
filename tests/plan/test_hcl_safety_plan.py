"""Hostile tag text survives Terraform byte for byte (one validate, one plan, cached).

The unit property test (tests/unit/test_hcl_safety.py) checks the rendered HCL against
python-hcl2 and a decoder of HCL escapes; this test checks the decoder's assumptions
against Terraform itself. User text reaches HCL only through tags (keys and values):
descriptions go to README.md, and names, zones and CIDRs are constrained by the checks.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.blueprint.load import LoadedBlueprint, load_blueprint_text
from tierform.layout import plan_layout
from tierform.render.module import render_module
from tierform.terraform.cache import plan_files, prepare_workdir
from tierform.terraform.plan import Plan
from tierform.terraform.runner import Runner

pytestmark = pytest.mark.terraform

# Quotes, backslashes, template sigils escaped or not (leftmost-first: "$$${" is "$" + "${"),
# unbalanced braces, line breaks, control characters, bidi text, emoji with joiners.
HOSTILE_TAGS = {
    "Quotes": 'say "hi" \\ back\\slash \\n ${var.name_prefix} %{ if true }x%{ endif }',
    "Sigils": "$$${a} %%%{b} $${ %%{ ${ %{ $ % } {",
    "Breaks": "line1\nline2\r\n\ttab \x01 \x1b[31m \x7f end",
    "Bidi": "עברית \u202eRTL\u202c مرحبا 😀 👩\u200d💻 Zürich \ufeff",
    # Keys: an HCL keyword (read as a `for` expression when bare), and characters AWS allows.
    "for": "keyword key",
    "a b.c:d/e=f+g-h@i_j": "spaces and punctuation",
    "${x} \"quoted\" key": "template sigil in a key",
}
DESCRIPTION = 'a | pipe, "quote", ${describe} and a\nbreak'

BLUEPRINT: dict[str, Any] = {
    "tierform": 1,
    "name": "hostile",
    "description": DESCRIPTION,
    "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16"},
    "availability_zones": ["us-east-1a"],
    "tiers": {
        "web": {"exposure": "public", "cidrs": ["10.0.1.0/24"], "description": DESCRIPTION},
        "db": {"exposure": "isolated", "netmask": 24},
    },
    "flows": [
        {"from": "internet", "to": "web", "ports": [443], "description": DESCRIPTION},
        {"from": "web", "to": "db", "ports": [5432]},
    ],
    "tags": HOSTILE_TAGS,
}


@pytest.fixture(scope="session")
def hostile() -> tuple[LoadedBlueprint, dict[str, str]]:
    text = yaml.safe_dump(copy.deepcopy(BLUEPRINT), allow_unicode=True, sort_keys=False)
    loaded = load_blueprint_text(text, "hostile.yaml")
    assert dict(loaded.blueprint.tags) == HOSTILE_TAGS, "the YAML round trip changed the tags"
    return loaded, render_module(plan_layout(loaded.blueprint, loaded.allocation))


@pytest.fixture(scope="session")
def hostile_plan(hostile: tuple[LoadedBlueprint, dict[str, str]], tierform_cache_dir: Path,
                 tierform_terraform: str | None) -> Plan:
    _, files = hostile
    return plan_files(files, region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_terraform_validate_accepts_the_module(
        hostile: tuple[LoadedBlueprint, dict[str, str]], tierform_cache_dir: Path,
        tierform_terraform: str | None) -> None:
    _, files = hostile
    # The same work dir the plan uses (same files, same provider): init runs once for both.
    workdir = prepare_workdir(files, region="us-east-1", cache_dir=tierform_cache_dir,
                              terraform=tierform_terraform)
    report = Runner(workdir, binary=tierform_terraform).validate()
    assert report["valid"] is True
    assert report.get("error_count", 0) == 0


def test_planned_tags_equal_the_blueprint_byte_for_byte(hostile_plan: Plan) -> None:
    vpc = hostile_plan.resource("aws_vpc.this")
    tags = dict(vpc.after["tags"]) if vpc.after else {}
    assert tags.pop("Name") == "hostile"
    assert tags == HOSTILE_TAGS
    for key, value in HOSTILE_TAGS.items():
        assert tags[key].encode("utf-8") == value.encode("utf-8"), key


def test_every_tagged_resource_carries_the_hostile_tags(hostile_plan: Plan) -> None:
    tagged = [r for r in hostile_plan.values() if r.after and "tags" in r.after]
    assert len(tagged) > 5
    for resource in tagged:
        tags = resource.after["tags"] if resource.after else {}
        assert {k: tags.get(k) for k in HOSTILE_TAGS} == HOSTILE_TAGS, resource.address


def test_descriptions_stay_in_their_readme_cells(
        hostile: tuple[LoadedBlueprint, dict[str, str]]) -> None:
    _, files = hostile
    readme = files["README.md"]
    cell = 'a \\| pipe, "quote", ${describe} and a break'
    assert f"| {cell} |" in readme
    assert "a\nbreak" not in readme
    assert all("describe" not in text for path, text in files.items() if path.endswith(".tf"))
