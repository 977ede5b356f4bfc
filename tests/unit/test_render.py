"""render_module: deterministic bytes, the module shape the issue asks for, and the
shipped modules/ in sync with their blueprints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint
from tierform.layout import plan_layout
from tierform.layout.numbering import DENY_FIRST, INTERNET_FIRST, NETWORK_DENY_FIRST
from tierform.render.module import render_module

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "blueprints").glob("*.yaml"))


@pytest.fixture(scope="module", params=SHIPPED)
def rendered(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    loaded = load_blueprint(ROOT / "blueprints" / f"{request.param}.yaml")
    return request.param, render_module(plan_layout(loaded.blueprint, loaded.allocation))


def test_shipped_blueprints_exist() -> None:
    assert {"three-tier", "two-tier", "four-tier"} <= set(SHIPPED)


def test_render_is_deterministic(rendered: tuple[str, dict[str, str]]) -> None:
    name, files = rendered
    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    again = render_module(plan_layout(loaded.blueprint, loaded.allocation))
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
    # No resource is counted (each has its own address); a for_each may only drive a
    # dynamic block inside one (an optional KMS key's encryption_configuration).
    assert not re.search(r"^  (count|for_each)\s*=", body, re.M)
    nested = re.findall(r'^( +)dynamic "\w+" \{\n\1  for_each\s*=', body, re.M)
    assert len(nested) == len(re.findall(r"^\s*for_each\s*=", body, re.M))
    assert not re.search(r"^\s*(ingress|egress|route)\s*\{", body, re.M)
    # Bounded to the major version the tests run (5.x): 6.x is untested.
    assert 'version = ">= 5.0, < 6.0"' in module["versions.tf"]
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
                          files["security_groups.tf"] + files.get("load_balancer.tf", ""), re.S)
    assert sg_rules
    # Named by the flow's identity (or the load balancer's, lb_<tier>), never its position.
    assert all(re.search(r'description\s+= "(flow [a-z][a-z0-9_:.-]*|lb_[a-z0-9_]+): ', r)
               for r in sg_rules)
    assert not any(re.search(r'description\s+= "flow \d', r) for r in sg_rules)


def test_example_uses_the_module_with_a_provider(rendered: tuple[str, dict[str, str]]) -> None:
    name, files = rendered
    example = files["example/main.tf"]
    assert 'provider "aws"' in example
    assert f'module "{name.replace("-", "_")}"' in example
    assert 'source = "../"' in example


def test_three_tier_specifics() -> None:
    loaded = load_blueprint(ROOT / "blueprints" / "three-tier.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
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
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    target = ROOT / "modules" / name
    on_disk = {p.relative_to(target).as_posix(): p.read_text(encoding="utf-8")
               for p in target.rglob("*") if p.is_file() and p.name != ".tierform"}
    assert on_disk == files


@pytest.mark.parametrize("name", SHIPPED)
def test_derived_addresses_are_rendered_resources(name: str) -> None:
    """derive and render name the same things: every id/source in the Network is a resource."""
    from tierform.layout import derive

    loaded = load_blueprint(ROOT / "blueprints" / f"{name}.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
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


def test_named_network_gateway_routes_and_output() -> None:
    """four-tier names corp: a VPN gateway, routes to it from mgmt, its id as an output."""
    loaded = load_blueprint(ROOT / "blueprints" / "four-tier.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    assert 'resource "aws_vpn_gateway" "this"' in files["vpc.tf"]
    routes = re.findall(r'resource "aws_route" "(\w+)" \{\n(.*?)\n\}', files["routes.tf"], re.S)
    vgw = {name: body for name, body in routes if "aws_vpn_gateway.this.id" in body}
    assert sorted(vgw) == ["mgmt_a_corp", "mgmt_b_corp", "mgmt_c_corp"]
    assert all('destination_cidr_block = "192.168.0.0/16"' in b for b in vgw.values())
    assert 'output "vpn_gateway_id"' in files["outputs.tf"]
    assert "module.four_tier.vpn_gateway_id" in files["example/main.tf"]
    assert "attach your VPN or Direct Connect to `vpn_gateway_id`" in files["README.md"]


def test_isolated_table_with_a_named_network_route_omits_route_list() -> None:
    """``route = []`` beside aws_route resources is a perpetual diff (inline vs separate)."""
    import yaml

    from tierform.blueprint.model import Blueprint

    data = yaml.safe_load((ROOT / "blueprints" / "four-tier.yaml").read_text())
    data["flows"].append({"from": "corp", "to": "db", "ports": [5432]})
    bp = Blueprint.model_validate(data)
    allocation = {t: dict(zip(bp.availability_zones, s.cidrs or [], strict=True))
                  for t, s in bp.tiers.items()}
    text = render_module(plan_layout(bp, allocation))["routes.tf"]
    tables = dict(re.findall(r'resource "aws_route_table" "(\w+)" \{\n(.*?)\n\}', text, re.S))
    routed = set(re.findall(r"route_table_id\s+= aws_route_table\.(\w+)\.id\n"
                            r"\s+destination_cidr_block", text))
    assert {"db_a", "mgmt_a", "web_a"} <= routed
    for name, body in tables.items():
        assert ("route = []" in body) == (name not in routed), name


def test_internet_rules_come_after_denies_of_vpc_and_named_networks() -> None:
    loaded = load_blueprint(ROOT / "blueprints" / "four-tier.yaml")
    text = render_module(plan_layout(loaded.blueprint, loaded.allocation))["nacls.tf"]
    rules = re.findall(r'resource "aws_network_acl_rule" "(\w+)" \{\n(.*?)\n\}', text, re.S)
    denies = {n: b for n, b in rules if 'rule_action    = "deny"' in b}
    vpc, corp = DENY_FIRST, NETWORK_DENY_FIRST
    assert sorted(denies) == sorted(f"{t}_{d}_{n}" for t in ("app", "web")
                                    for d in ("in", "out") for n in (vpc, corp))
    for name, body in rules:
        number = int(re.search(r"rule_number\s+= (\d+)", body).group(1))  # type: ignore[union-attr]
        assert name.endswith(f"_{number}")
        if 'cidr_block     = "0.0.0.0/0"' in body:
            assert number >= INTERNET_FIRST > corp, name
        elif name not in denies:
            assert number < vpc, name
    assert 'cidr_block     = "10.30.0.0/16"' in denies[f"web_in_{vpc}"]
    assert 'cidr_block     = "192.168.0.0/16"' in denies[f"web_in_{corp}"]


def test_no_vpn_gateway_without_named_network_flows() -> None:
    loaded = load_blueprint(ROOT / "blueprints" / "three-tier.yaml")
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    assert "aws_vpn_gateway" not in "".join(files.values())
    assert "vpn_gateway_id" not in files["outputs.tf"]
