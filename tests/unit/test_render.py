"""render_module: deterministic bytes, the module shape the issue asks for, and the
shipped modules/ in sync with their blueprints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint
from tierform.render.module import render_module

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "blueprints").glob("*.yaml"))


@pytest.fixture(scope="module", params=SHIPPED)
def rendered(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    loaded = load_blueprint(ROOT / "blueprints" / f"{request.param}.yaml")
    return request.param, render_module(loaded.blueprint, loaded.allocation)


def test_shipped_blueprints_exist() -> None:
    assert {"three-tier", "two-tier", "four-tier"} <= set(SHIPPED)


def test_render_is_deterministic(rendered: tuple[str, dict[str, str]]) -> None:
    name, files = rendered
    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    again = render_module(loaded.blueprint, loaded.allocation)
    assert again == files
    assert list(again) == sorted(again)


def test_files_are_lf_text_with_one_final_newline(rendered: tuple[str, dict[str, str]]) -> None:
    for path, text in rendered[1].items():
        assert "\r" not in text, path
        assert text.endswith("\n"), path
        assert not text.endswith("\n\n"), path
        assert not any(line != line.rstrip() for line in text.split("\n")), path


def test_module_has_no_provider_and_no_count(rendered: tuple[str, dict[str, str]]) -> None:
    module = {p: t for p, t in rendered[1].items() if p.endswith(".tf") and "/" not in p}
    body = "\n".join(module.values())
    assert 'provider "aws"' not in body
    assert not re.search(r"^\s*(count|for_each)\s*=", body, re.M)
    assert not re.search(r"^\s*(ingress|egress|route)\s*\{", body, re.M)
    assert 'version = ">= 5.0"' in module["versions.tf"]
    assert 'required_version = ">= 1.5"' in module["versions.tf"]


def test_variables_have_description_type_default_in_order(
        rendered: tuple[str, dict[str, str]]) -> None:
    text = rendered[1]["variables.tf"]
    blocks = re.findall(r'variable "(\w+)" \{\n(.*?)\n\}', text, re.S)
    names = [name for name, _ in blocks]
    assert {"name_prefix", "tags", "flow_log_retention_days", "kms_key_id"} <= set(names)
    for name, body in blocks:
        keys = re.findall(r"^  (\w+)\s*=", body, re.M)
        assert keys[:3] == ["description", "type", "default"], name


def test_every_rule_and_route_is_its_own_resource(rendered: tuple[str, dict[str, str]]) -> None:
    files = rendered[1]
    assert "aws_network_acl_rule" in files["nacls.tf"]
    assert "aws_vpc_security_group_ingress_rule" in files["security_groups.tf"]
    sg_rules = re.findall(r'resource "aws_vpc_security_group_\w+_rule" "\w+" \{(.*?)\n\}',
                          files["security_groups.tf"], re.S)
    assert sg_rules
    assert all(re.search(r'description\s+= "flow \d+: ', r) for r in sg_rules)


def test_example_uses_the_module_with_a_provider(rendered: tuple[str, dict[str, str]]) -> None:
    name, files = rendered
    example = files["example/main.tf"]
    assert 'provider "aws"' in example
    assert f'module "{name.replace("-", "_")}"' in example
    assert 'source = "../"' in example


def test_three_tier_specifics() -> None:
    loaded = load_blueprint(ROOT / "blueprints" / "three-tier.yaml")
    files = render_module(loaded.blueprint, loaded.allocation)
    flow_logs = files["flow_logs.tf"]
    assert '"$${srcaddr} $${dstaddr} $${srcport}' in flow_logs
    assert flow_logs.count("$${") == 13
    assert 'traffic_type             = "ALL"' in flow_logs
    assert 'Environment = "Production"' in files["vpc.tf"]
    assert "enable_dns_hostnames = true" in files["vpc.tf"]
    assert files["nat.tf"].count('resource "aws_nat_gateway"') == 2
    assert "route                  = []" in files["routes.tf"]  # main table
    assert "| web | public |" in files["README.md"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_module_is_in_sync(name: str) -> None:
    """modules/<name>/ is exactly what the blueprint renders to (re-render on drift)."""
    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    files = render_module(loaded.blueprint, loaded.allocation)
    target = ROOT / "modules" / name
    on_disk = {p.relative_to(target).as_posix(): p.read_text(encoding="utf-8")
               for p in target.rglob("*") if p.is_file() and p.name != ".tierform"}
    assert on_disk == files


@pytest.mark.parametrize("name", SHIPPED)
def test_derived_addresses_are_rendered_resources(name: str) -> None:
    """derive and render name the same things: every id/source in the Network is a resource."""
    from tierform.network.derive import derive

    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    files = render_module(loaded.blueprint, loaded.allocation)
    declared = {f"{t}.{n}" for text in files.values()
                for t, n in re.findall(r'^resource "(\w+)" "(\w+)"', text, re.M)}
    net = derive(loaded.blueprint, loaded.allocation)
    addresses = {net.vpc_id, *net.subnets, *net.route_tables, *net.nacls,
                 *net.security_groups, *net.nat_gateways, *net.internet_gateways, *net.endpoints}
    addresses |= {e.source for n in net.nacls.values() for e in n.entries}
    addresses |= {r.source for g in net.security_groups.values() for r in g.rules}
    addresses |= {r.source for t in net.route_tables.values() for r in t.routes}
    assert addresses <= declared, sorted(addresses - declared)
    rule_resources = {a for a in declared if a.startswith(("aws_network_acl_rule.",
                                                          "aws_vpc_security_group_", "aws_route."))}
    assert rule_resources <= addresses, sorted(rule_resources - addresses)
