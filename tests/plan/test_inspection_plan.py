"""Network Firewall inspection (issue 15) through a real terraform plan: every route and rule
the inspection derives for tests/plan/fixtures/inspected.yaml (three-tier's tiers, ingress
and egress), expectations written out by hand from the fixture.

Routes to the firewall carry an endpoint id known only after apply; the plan shows their
configuration: the reference to the firewall and, in the HCL the plan was made from, the
expression that picks the endpoint of one AZ (which must be the AZ of the subnet routed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tierform.blueprint.load import load_blueprint, load_blueprint_text
from tierform.layout import plan_layout
from tierform.render.module import render_module
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "inspected.yaml"
FIREWALL = "aws_networkfirewall_firewall.this"
_AZ = re.compile(r'^\$\{one\(\[for s in aws_networkfirewall_firewall\.this\.firewall_status\[0\]'
                 r'\.sync_states : s\.attachment\[0\]\.endpoint_id if s\.availability_zone =='
                 r' "(us-east-1[ab])"\]\)\}$')


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint(BLUEPRINT)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      None, region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


@pytest.fixture(scope="module")
def hcl_routes(planned: Plan) -> dict[str, dict[str, Any]]:
    return _hcl_routes(planned)


def _hcl_routes(planned: Plan) -> dict[str, dict[str, Any]]:
    """``aws_route`` name -> its arguments as written in the planned configuration."""
    assert planned.config_dir is not None
    out: dict[str, dict[str, Any]] = {}
    paths = sorted(planned.config_dir.rglob("*.tf"))
    assert paths, planned.config_dir
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            document = hcl2.load(handle)
        for block in document.get("resource", []):
            for kind, bodies in block.items():
                if kind.strip('"') == "aws_route":  # python-hcl2 7 keeps the quotes
                    out.update((name.strip('"'), body) for name, body in bodies.items())
    return out


def _config_references(planned: Plan, address: str, attribute: str) -> list[str]:
    """The references Terraform recorded for an attribute's expression (configuration)."""
    resources = planned.raw["configuration"]["root_module"]["resources"]
    (resource,) = [r for r in resources if r["address"] == address]
    return list(resource["expressions"].get(attribute, {}).get("references", []))


def _target(planned: Plan, hcl_routes: dict[str, dict[str, Any]], address: str) -> str:
    """What a route targets: ``firewall <az>``, ``igw`` or ``nat <name>``."""
    name = address.split(".", 1)[1]
    if _config_references(planned, address, "vpc_endpoint_id"):
        assert FIREWALL in _config_references(planned, address, "vpc_endpoint_id")
        match = _AZ.match(hcl_routes[name]["vpc_endpoint_id"])
        assert match is not None, hcl_routes[name]["vpc_endpoint_id"]
        return f"firewall {match.group(1)}"
    if planned.references(address, "gateway_id") == ["aws_internet_gateway.this"]:
        return "igw"
    (nat,) = planned.references(address, "nat_gateway_id")
    return f"nat {nat.split('.', 1)[1]}"


def test_every_route_and_its_az_local_target(planned: Plan,
                                             hcl_routes: dict[str, dict[str, Any]]) -> None:
    routes = {r.address: (planned.references(r.address, "route_table_id"),
                          r["destination_cidr_block"], _target(planned, hcl_routes, r.address))
              for r in planned.resources("aws_route")}
    table = "aws_route_table."
    assert routes == {
        # ingress: the internet gateway's edge table, each public subnet -> its AZ's endpoint
        "aws_route.igw_edge_web_a": ([table + "igw_edge"], "10.0.1.0/24", "firewall us-east-1a"),
        "aws_route.igw_edge_web_b": ([table + "igw_edge"], "10.0.2.0/24", "firewall us-east-1b"),
        # the public subnets leave through their AZ's endpoint (this carries the NAT's too)
        "aws_route.web_a_default": ([table + "web_a"], "0.0.0.0/0", "firewall us-east-1a"),
        "aws_route.web_b_default": ([table + "web_b"], "0.0.0.0/0", "firewall us-east-1b"),
        # the firewall passes on to the internet gateway
        "aws_route.firewall_a_default": ([table + "firewall_a"], "0.0.0.0/0", "igw"),
        "aws_route.firewall_b_default": ([table + "firewall_b"], "0.0.0.0/0", "igw"),
        # egress with ingress on: app keeps its NAT of the same AZ (inspected after NAT)
        "aws_route.app_a_default": ([table + "app_a"], "0.0.0.0/0", "nat web_a"),
        "aws_route.app_b_default": ([table + "app_b"], "0.0.0.0/0", "nat web_b"),
    }


def test_edge_table_is_associated_with_the_internet_gateway(planned: Plan) -> None:
    (edge,) = [a for a in planned.resources("aws_route_table_association")
               if planned.references(a.address, "route_table_id") == ["aws_route_table.igw_edge"]]
    assert edge.address == "aws_route_table_association.igw_edge"
    assert planned.references(edge.address, "gateway_id") == ["aws_internet_gateway.this"]
    assert edge.get("subnet_id") is None


def test_firewall_subnets_tables_and_acl(planned: Plan) -> None:
    subnets = {s.address: (s["cidr_block"], s["availability_zone"], s["map_public_ip_on_launch"])
               for s in planned.resources("aws_subnet") if "firewall" in s.address}
    assert subnets == {"aws_subnet.firewall_a": ("10.0.255.128/28", "us-east-1a", False),
                       "aws_subnet.firewall_b": ("10.0.255.144/28", "us-east-1b", False)}
    for name in ("firewall_a", "firewall_b"):
        assert planned.references(f"aws_route_table_association.{name}", "subnet_id") == \
            [f"aws_subnet.{name}"]
        assert planned.references(f"aws_route_table_association.{name}", "route_table_id") \
            == [f"aws_route_table.{name}"]
        assert planned.references(f"aws_network_acl_association.{name}", "network_acl_id") \
            == ["aws_network_acl.firewall"]
    rules = {(r["egress"], r["rule_number"], r["protocol"], r["rule_action"], r["cidr_block"])
             for r in planned.resources("aws_network_acl_rule")
             if planned.references(r.address, "network_acl_id") == ["aws_network_acl.firewall"]}
    assert rules == {(False, 20650, "-1", "allow", "0.0.0.0/0"),
                     (True, 20650, "-1", "allow", "0.0.0.0/0")}


def test_firewall_maps_one_subnet_per_az(planned: Plan) -> None:
    firewall = planned.resource(FIREWALL)
    assert planned.references(FIREWALL, "subnet_mapping.0.subnet_id") == ["aws_subnet.firewall_a"]
    assert planned.references(FIREWALL, "subnet_mapping.1.subnet_id") == ["aws_subnet.firewall_b"]
    assert len(firewall["subnet_mapping"]) == 2
    assert firewall["delete_protection"] is True
    assert firewall["subnet_change_protection"] is False
    assert firewall["firewall_policy_change_protection"] is False
    assert planned.references(FIREWALL, "firewall_policy_arn") == \
        ["aws_networkfirewall_firewall_policy.this"]


def test_policy_strict_order_defaults_and_priorities(planned: Plan) -> None:
    policy = planned.resource("aws_networkfirewall_firewall_policy.this")["firewall_policy"][0]
    assert policy["stateless_default_actions"] == ["aws:forward_to_sfe"]
    assert policy["stateless_fragment_default_actions"] == ["aws:forward_to_sfe"]
    assert policy["stateful_default_actions"] == ["aws:drop_established"]
    assert policy["stateful_engine_options"][0]["rule_order"] == "STRICT_ORDER"
    address = "aws_networkfirewall_firewall_policy.this"
    by_priority = {ref["priority"]: planned.references(
        address, f"firewall_policy.0.stateful_rule_group_reference.{i}.resource_arn")
        for i, ref in enumerate(policy["stateful_rule_group_reference"])}
    assert by_priority == {100: ["aws_networkfirewall_rule_group.egress_domains"],
                           200: ["aws_networkfirewall_rule_group.rules"],
                           300: ["aws_networkfirewall_rule_group.flows"]}


def test_rule_groups(planned: Plan) -> None:
    groups = {g.address: g for g in planned.resources("aws_networkfirewall_rule_group")}
    # the capacity is in the name: a new capacity is a new group (create before destroy)
    assert {a: (g["name"], g["capacity"]) for a, g in groups.items()} == {
        "aws_networkfirewall_rule_group.egress_domains": ("inspected-egress-domains-100", 100),
        "aws_networkfirewall_rule_group.rules": ("inspected-rules-100", 100),
        "aws_networkfirewall_rule_group.flows": ("inspected-flows-100", 100)}
    for group in groups.values():
        assert group["type"] == "STATEFUL"
        options = group["rule_group"][0]["stateful_rule_options"][0]
        assert options["rule_order"] == "STRICT_ORDER"
    domains = groups["aws_networkfirewall_rule_group.egress_domains"]
    source = domains["rule_group"][0]["rules_source"][0]["rules_source_list"][0]
    assert source == {"generated_rules_type": "ALLOWLIST",
                      "target_types": ["HTTP_HOST", "TLS_SNI"],
                      "targets": [".amazonaws.com", "updates.example.com"]}
    rules = groups["aws_networkfirewall_rule_group.rules"]
    assert rules["rule_group"][0]["rules_source"][0]["rules_string"] == (
        'drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (msg:"no telnet"; sid:1000001; rev:1;)')
    flows = groups["aws_networkfirewall_rule_group.flows"]
    passes = {(r["action"], h["protocol"], h["source"], h["source_port"], h["direction"],
               h["destination"], h["destination_port"])
              for r in flows["rule_group"][0]["rules_source"][0]["stateful_rule"]
              for h in r["header"]}
    # Only the internet -> web flow: app's egress is decided by the domain allow-list (a
    # TCP pass before it would let every connection by).
    assert passes == {("PASS", "TCP", "ANY", "ANY", "FORWARD", cidr, port)
                      for cidr in ("10.0.1.0/24", "10.0.2.0/24") for port in ("80", "443")}
    sids = [o["settings"][0] for r in flows["rule_group"][0]["rules_source"][0]["stateful_rule"]
            for o in r["rule_option"] if o["keyword"] == "sid"]
    assert len(set(sids)) == 4
    assert all(int(s) >= 1_000_000_000 for s in sids)


def test_logging_to_the_flow_log_destination(planned: Plan) -> None:
    address = "aws_networkfirewall_logging_configuration.this"
    assert planned.references(address, "firewall_arn") == [FIREWALL]
    configs = planned.resource(address)["logging_configuration"][0]["log_destination_config"]
    assert sorted((c["log_type"], c["log_destination_type"]) for c in configs) == \
        [("ALERT", "CloudWatchLogs"), ("FLOW", "CloudWatchLogs")]
    groups = {g.address: g["retention_in_days"] for g in planned.resources(
        "aws_cloudwatch_log_group") if "firewall" in g.address}
    assert groups == {"aws_cloudwatch_log_group.firewall_alert": 365,
                      "aws_cloudwatch_log_group.firewall_flow": 365}


# --- egress alone, nat: single, logs to the module's S3 bucket ----------------------------

EGRESS_ALONE = (BLUEPRINT.read_text(encoding="utf-8")
                .replace("modes: [ingress, egress]", "modes: [egress]")
                .replace("nat: per_az", "nat: single")
                .replace("  - {from: internet, to: web, ports: [80, 443]}\n", "")
                .replace("  - {from: web, to: app, ports: [8080]}\n", "")
                .replace("  egress_domains: [\".amazonaws.com\", updates.example.com]\n", "")
                .replace("destination: cloudwatch", "destination: s3"))


@pytest.fixture(scope="module")
def egress_planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    loaded = load_blueprint_text(EGRESS_ALONE, "egress.yaml")
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      None, region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


@pytest.fixture(scope="module")
def egress_hcl_routes(egress_planned: Plan) -> dict[str, dict[str, Any]]:
    return _hcl_routes(egress_planned)


def test_egress_alone_routes_through_the_firewall_then_nat_and_back(
        egress_planned: Plan, egress_hcl_routes: dict[str, dict[str, Any]]) -> None:
    planned = egress_planned
    routes = {r.address: (planned.references(r.address, "route_table_id"),
                          r["destination_cidr_block"],
                          _target(planned, egress_hcl_routes, r.address))
              for r in planned.resources("aws_route")}
    table = "aws_route_table."
    assert routes == {
        # the public tier keeps the internet gateway (ingress is off)
        "aws_route.web_a_default": ([table + "web_a"], "0.0.0.0/0", "igw"),
        "aws_route.web_b_default": ([table + "web_b"], "0.0.0.0/0", "igw"),
        # app -> its AZ's endpoint -> the one NAT (nat: single, in web_a)
        "aws_route.app_a_default": ([table + "app_a"], "0.0.0.0/0", "firewall us-east-1a"),
        "aws_route.app_b_default": ([table + "app_b"], "0.0.0.0/0", "firewall us-east-1b"),
        "aws_route.firewall_a_default": ([table + "firewall_a"], "0.0.0.0/0", "nat web_a"),
        "aws_route.firewall_b_default": ([table + "firewall_b"], "0.0.0.0/0", "nat web_a"),
        # symmetric return: the NAT's subnet sends each app subnet back by its AZ's endpoint
        "aws_route.web_a_via_firewall_app_a": ([table + "web_a"], "10.0.11.0/24",
                                               "firewall us-east-1a"),
        "aws_route.web_a_via_firewall_app_b": ([table + "web_a"], "10.0.12.0/24",
                                               "firewall us-east-1b"),
    }
    assert "aws_route_table.igw_edge" not in planned


def test_egress_alone_passes_the_tiers_own_addresses(egress_planned: Plan) -> None:
    groups = {g.address: g for g in egress_planned.resources("aws_networkfirewall_rule_group")}
    assert set(groups) == {"aws_networkfirewall_rule_group.flows",
                           "aws_networkfirewall_rule_group.rules"}
    group = groups["aws_networkfirewall_rule_group.flows"]
    passes = {(h["protocol"], h["source"], h["destination"], h["destination_port"])
              for r in group["rule_group"][0]["rules_source"][0]["stateful_rule"]
              for h in r["header"]}
    assert passes == {("TCP", "10.0.11.0/24", "ANY", "443"), ("TCP", "10.0.12.0/24", "ANY", "443")}
    policy = egress_planned.resource("aws_networkfirewall_firewall_policy.this")
    assert [r["priority"] for r in policy["firewall_policy"][0]["stateful_rule_group_reference"]] \
        == [200, 300]


def test_egress_alone_logs_to_the_modules_bucket(egress_planned: Plan) -> None:
    address = "aws_networkfirewall_logging_configuration.this"
    configs = egress_planned.resource(address)["logging_configuration"][0][
        "log_destination_config"]
    assert sorted((c["log_type"], c["log_destination_type"]) for c in configs) == \
        [("ALERT", "S3"), ("FLOW", "S3")]
    assert egress_planned.references(
        address, "logging_configuration.0.log_destination_config.0.log_destination") == \
        ["aws_s3_bucket.flow_logs"]
