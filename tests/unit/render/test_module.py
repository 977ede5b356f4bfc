"""render/module.py and render/interface.py: the README's inputs table and variables.tf
come from one list of variables, so they agree; the outputs likewise.

Each side is read back independently (variables.tf with python-hcl2, the README table
by splitting its Markdown row), so a template that writes one of them by hand fails here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import hcl2
import pytest

from tierform.blueprint.model import Blueprint, FlowLogsSpec
from tierform.layout import plan_layout
from tierform.render.interface import NAME_PREFIX_MAX, outputs_of, variables_of
from tierform.render.module import render_module


def _section(readme: str, title: str) -> list[list[str]]:
    """The body rows of the Markdown table under ``## title``, cells unescaped."""
    body = readme.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")][2:]
    cells = [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]
    return [[c.strip().replace("\\|", "|").replace("\\\\", "\\") for c in row] for row in cells]


def render_module_of(data: dict[str, Any]) -> dict[str, str]:
    """Render blueprint data with its explicit CIDRs (no allocator, no checks)."""
    bp = Blueprint.model_validate(data)
    allocation = {t: dict(zip(bp.availability_zones, s.cidrs or [], strict=True))
                  for t, s in bp.tiers.items()}
    return render_module(plan_layout(bp, allocation))


def _hcl_literal(text: str) -> Any:
    """The value of one HCL literal (as python-hcl2 reads it in an attribute)."""
    value = hcl2.loads(f"x = {text}\n")["x"]
    return json.loads(value) if isinstance(value, str) and value.startswith('"') else value


def _variables_tf(text: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in hcl2.loads(text)["variable"]:
        ((name, body),) = block.items()
        out[json.loads(name)] = {
            "description": json.loads(body["description"]),
            "type": re.sub(r"^\$\{(.*)\}$", r"\1", body["type"]),
            "default": (json.loads(body["default"]) if isinstance(body["default"], str)
                        else body["default"]),
        }
    return out


def test_readme_inputs_table_is_variables_tf(case: Any) -> None:
    declared = _variables_tf(case.files["variables.tf"])
    table = _section(case.files["README.md"], "Inputs")
    assert [row[0] for row in table] == list(declared)
    for name, description, type_, default in table:
        assert re.fullmatch(r"`[^`]+`", type_), name
        assert re.fullmatch(r"`[^`]+`", default), name
        assert {"description": description, "type": type_[1:-1],
                "default": _hcl_literal(default[1:-1])} == declared[name], name


def test_variables_tf_declares_the_interface_variables(case: Any) -> None:
    declared = _variables_tf(case.files["variables.tf"])
    assert list(declared) == [v.name for v in variables_of(case.layout)]
    assert declared["name_prefix"]["default"] == case.layout.blueprint.name


def test_retention_default_is_the_blueprints(named_case: Any) -> None:
    no_logs = _variables_tf(named_case("no-flow-logs").files["variables.tf"])
    assert (no_logs["flow_log_retention_days"]["default"]
            == FlowLogsSpec.model_fields["retention_days"].default)
    bucket = _variables_tf(named_case("existing-bucket").files["variables.tf"])
    assert bucket["flow_log_retention_days"]["default"] == 0


def test_name_prefix_bound_is_the_blueprint_name_bound(four_tier: dict[str, Any]) -> None:
    """The module's validation accepts every blueprint name (its default) and no longer one."""
    files = render_module_of(four_tier)
    condition = hcl2.loads(files["variables.tf"])["variable"][0]['"name_prefix"'][
        "validation"][0]["condition"]
    found = re.search(r'regex\(("(?:[^"\\]|\\.)*")', condition)
    assert found, condition
    pattern = json.loads(found.group(1))
    longest = "a" * NAME_PREFIX_MAX
    Blueprint.model_validate({**four_tier, "name": longest})
    assert re.search(pattern, longest)
    with pytest.raises(ValueError, match="name"):
        Blueprint.model_validate({**four_tier, "name": longest + "a"})
    assert not re.search(pattern, longest + "a")


def _expression(value: Any) -> Any:
    """An interface.Value as python-hcl2 reads it back: ``${expr}`` or a dict (python-hcl2
    drops the spaces inside a for expression's brackets: ``{ for ... }`` -> ``{for ...}``)."""
    if isinstance(value, str):
        found = re.fullmatch(r"([{\[]) (for .*) ([}\]])", value)
        return f"${{{''.join(found.groups()) if found else value}}}"
    return {e.key: _expression(e.value) for e in value}


def test_outputs_tf_readme_and_example_write_the_same_outputs(case: Any) -> None:
    outputs = outputs_of(case.layout)
    parsed = {json.loads(name): body for block in hcl2.loads(case.files["outputs.tf"])["output"]
              for name, body in block.items()}
    assert list(parsed) == [o.name for o in outputs]
    for o in outputs:
        assert json.loads(parsed[o.name]["description"]) == o.description
        assert parsed[o.name]["value"] == _expression(o.value), o.name
    assert _section(case.files["README.md"], "Outputs") == [[o.name, o.description]
                                                            for o in outputs]
    example = hcl2.loads(case.files["example/main.tf"])
    module = next(iter(example["module"][0]))
    passed = {json.loads(n): b["value"] for block in example["output"] for n, b in block.items()}
    assert passed == {o.name: f"${{module.{json.loads(module)}.{o.name}}}" for o in outputs}


def test_tier_keys_are_written_as_hcl_keys(four_tier: dict[str, Any]) -> None:
    """A tier may be named like an HCL keyword; output objects quote such a key."""
    four_tier["tiers"]["for"] = four_tier["tiers"].pop("db")
    for flow in four_tier["flows"]:
        for end in ("from", "to"):
            if flow[end] == "db":
                flow[end] = "for"
    text = render_module_of(four_tier)["outputs.tf"]
    assert '"for" = aws_network_acl.for.id' in text
    assert re.search(r"^\s+web\s+= aws_network_acl\.web\.id$", text, re.M)


def _name_prefix_check(files: dict[str, str]) -> Any:
    """The name_prefix validation of a rendered variables.tf as a Python predicate (its
    regex and its startswith exclusions: the only functions it uses)."""
    condition = hcl2.loads(files["variables.tf"])["variable"][0]['"name_prefix"'][
        "validation"][0]["condition"]
    found = re.search(r'regex\(("(?:[^"\\]|\\.)*")', condition)
    assert found, condition
    pattern = json.loads(found.group(1))
    reserved = [json.loads(p) for p in re.findall(r'!startswith\(var\.name_prefix, ("[^"]*")\)',
                                                    condition)]
    return lambda prefix: bool(re.search(pattern, prefix)) and not any(
        prefix.startswith(r) for r in reserved)


def test_name_prefix_of_a_bucket_module_follows_s3_bucket_rules(named_case: Any) -> None:
    """The four-tier module names its flow-log bucket after name_prefix: S3 refuses upper
    case and its reserved prefixes, so the variable does (the blueprint name already is)."""
    ok = _name_prefix_check(named_case("four-tier").files)
    assert ok("four-tier")
    assert ok("a" * NAME_PREFIX_MAX)
    for refused in ("Four-Tier", "FOUR", "xn--four", "sthree-x", "amzn-s3-demo-x", "-four",
                    "a" * (NAME_PREFIX_MAX + 1), "four_tier"):
        assert not ok(refused), refused
    # Without a bucket (CloudWatch logs, an existing bucket) upper case stays allowed.
    for name in ("three-tier", "existing-bucket"):
        assert _name_prefix_check(named_case(name).files)("Three-Tier")
