"""The inspection block and per-flow ``inspect`` (issue 15): each check fires with its code,
at the line it names, and the fixture (ingress + egress) passes."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from tierform import workflow
from tierform.blueprint.checks import render_refusals
from tierform.blueprint.load import load_blueprint_text
from tierform.blueprint.schema import blueprint_json_schema
from tierform.errors import BlueprintError, Finding

ROOT = Path(__file__).resolve().parents[3]
INSPECTED = (ROOT / "tests" / "plan" / "fixtures" / "inspected.yaml").read_text("utf-8")
MODES = "modes: [ingress, egress]"


def _findings(text: str) -> list[Finding]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "t.yaml")
    assert caught.value.exit_code == 2
    return caught.value.findings


def _codes(text: str) -> list[str]:
    return [f.code for f in _findings(text)]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_fixture_is_valid_and_renders() -> None:
    loaded = load_blueprint_text(INSPECTED, "t.yaml")
    assert loaded.blueprint.inspection is not None
    assert render_refusals(loaded.blueprint, loaded.source_map, "t.yaml") == []


def test_unknown_mode_points_at_it() -> None:
    text = INSPECTED.replace(MODES, "modes: [ingress, egres]")
    [finding] = _findings(text)
    assert finding.path == ("inspection", "modes", 1)
    assert finding.line == _line_of(text, "egres]")
    assert "egress" in finding.hint


def test_inspect_true_with_its_mode_off_names_the_flow_and_the_mode() -> None:
    text = INSPECTED.replace("{from: app, to: db, ports: [3306]}",
                             "{from: app, to: db, ports: [3306], inspect: true}")
    [finding] = _findings(text)
    assert finding.code == "inspect-mode-off"
    assert finding.path == ("flows", 2, "inspect")
    assert "app_to_db_tcp" in finding.message
    assert "'east-west'" in finding.hint
    assert finding.line == _line_of(text, "inspect: true")


def test_inspect_without_an_inspection_block() -> None:
    start = INSPECTED.index("inspection:")
    end = INSPECTED.index("flows:")
    text = INSPECTED[:start] + INSPECTED[end:]
    text = text.replace("ports: [80, 443]}", "ports: [80, 443], inspect: true}")
    assert _codes(text) == ["inspect-without-inspection"]
    # inspect: false without the block is harmless (it says what is already so)
    load_blueprint_text(text.replace("inspect: true", "inspect: false"), "t.yaml")


def test_ingress_needs_a_public_tier() -> None:
    text = (INSPECTED.replace("exposure: public", "exposure: private")
            .replace(MODES, "modes: [ingress]")
            .replace("  egress_domains: [\".amazonaws.com\", updates.example.com]\n", "")
            .replace("  - {from: internet, to: web, ports: [80, 443]}\n", "")
            .replace("nat: per_az", "nat: none")
            .replace("  - {from: app, to: internet, ports: [443]}\n", ""))
    assert "inspection-mode" in _codes(text)


def test_egress_needs_nat_and_a_private_internet_flow() -> None:
    no_nat = INSPECTED.replace("nat: per_az", "nat: none")
    assert "inspection-mode" in _codes(no_nat)
    no_flow = INSPECTED.replace("  - {from: app, to: internet, ports: [443]}\n", "")
    findings = _findings(no_flow)
    assert [f.code for f in findings] == ["inspection-mode"]
    assert "no private tier has a flow to 'internet'" in findings[0].message


def test_domains_rules_and_logging_are_checked() -> None:
    text = INSPECTED.replace("updates.example.com]", "Updates.Example.com!]")
    assert _codes(text) == ["inspection-domains"]
    text = INSPECTED.replace("sid:1000001; ", "")
    assert _codes(text) == ["inspection-rule"]
    text = INSPECTED.replace("sid:1000001;", "sid:1500000000;")
    assert _codes(text) == ["inspection-rule"]
    text = INSPECTED.replace("flow_logs:\n  destination: cloudwatch\n  retention_days: 365\n",
                             "")
    assert _codes(text) == ["inspection-logging"]
    text = INSPECTED.replace("logging: [alert, flow]", "logging: [alert, alert]")
    assert _codes(text) == ["inspection-logging"]
    text = INSPECTED.replace("logging: [alert, flow]", "logging: [alert, tls]")
    assert [f.path for f in _findings(text)] == [("inspection", "logging", 1)]


def test_routing_is_per_subnet_so_opting_one_flow_out_is_refused() -> None:
    """web's subnets route through the firewall for its other internet flow."""
    text = INSPECTED.replace("  - {from: web, to: app, ports: [8080]}\n",
                             "  - {from: web, to: app, ports: [8080]}\n"
                             "  - {from: internet, to: web, ports: [8443], inspect: false, "
                             "id: alt_https}\n")
    [finding] = _findings(text)
    assert finding.code == "inspect-per-subnet"
    assert finding.path == ("flows", 2, "inspect")
    # opting every flow of web out (and egress with it: the NATs are in web) is accepted
    text = (INSPECTED.replace(MODES, "modes: [ingress]")
            .replace("  egress_domains: [\".amazonaws.com\", updates.example.com]\n", "")
            .replace("ports: [80, 443]}", "ports: [80, 443], inspect: false}"))
    loaded = load_blueprint_text(text, "t.yaml")
    assert loaded.blueprint.inspection is not None


def test_egress_alone_refuses_flows_between_the_nat_tier_and_an_inspected_tier() -> None:
    text = (INSPECTED.replace(MODES, "modes: [egress]")
            .replace("  - {from: internet, to: web, ports: [80, 443]}\n", ""))
    [finding] = _findings(text)
    assert finding.code == "inspection-asymmetric"
    assert finding.path == ("flows", 0)
    assert "web_to_app_tcp" in finding.message


def test_no_room_for_the_firewall_subnets() -> None:
    text = INSPECTED.replace("cidrs: [10.0.21.0/24, 10.0.22.0/24]",
                             "cidrs: [10.0.21.0/24, 10.0.255.128/25]")
    findings = _findings(text)
    assert [f.code for f in findings] == ["cidr-overlap"]
    assert "Network Firewall" in findings[0].message


def test_dual_stack_is_refused() -> None:
    text = INSPECTED.replace("  cidr: 10.0.0.0/16\n", "  cidr: 10.0.0.0/16\n  ipv6: amazon\n")
    assert _codes(text) == ["inspection-ipv6"]


EAST_WEST = (ROOT / "tests" / "plan" / "fixtures" / "inspected-east-west.yaml").read_text(
    "utf-8")


def test_east_west_validates_and_renders() -> None:
    loaded = load_blueprint_text(EAST_WEST, "t.yaml")
    assert render_refusals(loaded.blueprint, loaded.source_map, "t.yaml") == []


def test_east_west_between_the_nat_tier_and_a_private_tier_is_refused() -> None:
    # web holds the NAT gateways app's internet traffic leaves by: the NAT subnets' routes
    # to app through the firewall would carry the replies of that traffic one way.
    text = EAST_WEST.replace("ports: [8080], inspect: false}", "ports: [8080]}")
    [finding] = _findings(text)
    assert finding.code == "inspection-asymmetric"
    assert finding.path == ("flows", 1)
    assert "web_to_app_tcp" in finding.message
    assert "NAT" in finding.message
    assert "inspect: false" in finding.hint


def test_east_west_is_per_subnet_pair_not_per_flow() -> None:
    text = EAST_WEST.replace("  - {from: app, to: internet, ports: [443]}\n",
                             "  - {from: app, to: internet, ports: [443]}\n"
                             "  - {from: db, to: app, ports: [9000], inspect: false}\n")
    [finding] = _findings(text)
    assert finding.code == "inspect-per-subnet"
    assert finding.path == ("flows", 4, "inspect")
    assert "'app' and 'db'" in finding.message
    assert finding.line == _line_of(text, "9000")


def test_a_flow_inside_one_tier_cannot_be_inspected() -> None:
    text = EAST_WEST.replace("  - {from: app, to: internet, ports: [443]}\n",
                             "  - {from: app, to: internet, ports: [443]}\n"
                             "  - {from: app, to: app, ports: [7000], inspect: true}\n")
    [finding] = _findings(text)
    assert finding.code == "inspect-unsupported"
    assert "inside tier 'app'" in finding.message
    # without `inspect`, east-west on does not claim it (it would be a bypass finding)
    load_blueprint_text(text.replace(", inspect: true}", "}"), "t.yaml")


def test_east_west_routes_count_against_the_route_table_quota() -> None:
    text = EAST_WEST + "limits: {routes_per_table: 2}\n"
    with pytest.raises(BlueprintError) as caught:
        workflow.check(load_blueprint_text(text, "t.yaml"))
    found = [f for f in caught.value.findings if f.code == "route-quota"]
    # app_a: its default route and the two db subnets; db_a: the two app subnets
    assert {f.message.split("subnet ")[1].split(" ")[0] for f in found} == {
        "app_a", "app_b"}
    [first, *_] = found
    assert "needs 3 routes (default 1, east-west 2)" in first.message
    assert "limits.routes_per_table (2)" in first.message
    assert first.path == ("inspection", "modes", 2)
    assert caught.value.exit_code == 2


def test_schema_has_the_inspection_keys_and_accepts_the_fixture() -> None:
    schema = blueprint_json_schema()
    inspection = schema["$defs"]["InspectionSpec"]
    assert inspection["additionalProperties"] is False
    assert inspection["properties"]["modes"]["items"]["enum"] == ["ingress", "egress",
                                                                  "east-west"]
    assert inspection["properties"]["default_action"]["enum"] == ["drop", "alert"]
    assert inspection["properties"]["logging"]["items"]["enum"] == ["alert", "flow"]
    assert "inspect" in schema["$defs"]["FlowSpec"]["properties"]
    document = yaml.safe_load(INSPECTED)
    jsonschema.validate(document, schema)
    document["inspection"]["modes"] = ["sideways"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_the_firewall_subnets_count_against_the_subnet_quota() -> None:
    text = INSPECTED + "limits: {subnets_per_vpc: 7}\n"
    with pytest.raises(BlueprintError) as caught:
        workflow.check(load_blueprint_text(text, "t.yaml"))
    [finding] = caught.value.findings
    assert finding.code == "subnet-quota"
    assert "+ 2 firewall subnets = 8 subnets" in finding.message
    workflow.check(load_blueprint_text(INSPECTED + "limits: {subnets_per_vpc: 8}\n", "t.yaml"))
