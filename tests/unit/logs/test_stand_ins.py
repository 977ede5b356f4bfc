"""Load balancers and interface endpoints in the flow-log intent: their network interfaces
live in a tier's subnets, so their traffic must read as theirs (``lb_<tier>``,
``aws:<service>``), never as a false unintended accept between tiers; without their
addresses their tier stands for them, and the report says so."""

from __future__ import annotations

import json
from ipaddress import IPv4Address, IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

from cli_support import failed, tierform
from tierform import workflow
from tierform.logs.check import check_sources, classified_records
from tierform.logs.intent import Interface, rules_of, stand_ins
from tierform.logs.report import summarize, summary_sarif
from tierform.logs.rules import Block6
from unit.logs.logs_support import BLUEPRINTS, ROOT

LB_BP = ROOT / "tests" / "plan" / "fixtures" / "load-balanced.yaml"
HYBRID = BLUEPRINTS / "hybrid.yaml"
HEADER = "srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def _records(tmp: Path, rows: list[tuple[str, str, int, int]], name: str = "r.log") -> Path:
    lines = [HEADER] + [f"{s} {d} {sp} {dp} 6 3 300 {1000 + n} {1060 + n} ACCEPT OK"
                        for n, (s, d, sp, dp) in enumerate(rows)]
    path = tmp / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _classes(path: Path, blueprint: Path, interfaces: list[Interface],
             blocks6: tuple[Block6, ...] = ()) -> list[tuple[Any, ...]]:
    layout = workflow.check(workflow.load(blueprint)).layout
    rules = rules_of(layout, blocks6=blocks6, interfaces=interfaces)
    return [(r["src"], r["dst"], r["flow_id"], r["class"])
            for r in classified_records(rules, [path], None)]


LB_ROWS = [("198.51.100.7", "10.0.1.10", 50000, 443),   # client -> LB (listener)
           ("10.0.1.10", "10.0.11.5", 40000, 8443),     # LB -> target
           ("10.0.11.5", "10.0.1.10", 8443, 40000),     # its reply
           ("10.0.2.20", "10.0.12.5", 40001, 8443),     # another web address -> target
           ("10.0.1.10", "10.0.11.5", 40002, 22)]       # no flow, no LB edge


def test_without_its_addresses_the_lb_tier_stands_for_the_lb(tmp_path: Path) -> None:
    path = _records(tmp_path, LB_ROWS)
    assert _classes(path, LB_BP, []) == [
        ("internet", "web", "internet_to_web_tcp", "intended_accept"),
        ("web", "app", "lb_web", "intended_accept"),
        ("app", "web", "lb_web", "intended_accept"),
        ("web", "app", "lb_web", "intended_accept"),
        ("web", "app", None, "unintended_accept")]
    (note,) = stand_ins(workflow.check(workflow.load(LB_BP)).layout)
    assert "lb_web" in note
    assert "--live" in note


def test_with_its_addresses_the_lb_is_an_endpoint_of_its_own(tmp_path: Path) -> None:
    """Only the LB's own addresses reach the target: a web host doing it is a finding."""
    path = _records(tmp_path, [*LB_ROWS, ("2001:db8::7", "2600:1f18:ab:c01::10", 50001, 443)])
    interfaces: list[Interface] = [("lb_web", IPv4Address("10.0.1.10")),
                                   ("lb_web", IPv6Address("2600:1f18:ab:c01::10"))]
    assert _classes(path, LB_BP, interfaces) == [
        ("internet", "lb_web", "lb_web", "intended_accept"),
        ("lb_web", "app", "lb_web", "intended_accept"),
        ("app", "lb_web", "lb_web", "intended_accept"),
        ("web", "app", None, "unintended_accept"),
        ("lb_web", "app", None, "unintended_accept"),
        # No IPv6 block of the VPC known: no IPv6 address is placed, not even the LB's.
        (None, None, None, "unmapped")]
    assert stand_ins(workflow.check(workflow.load(LB_BP)).layout, interfaces) == []
    vpc6 = (Block6(IPv6Network("2600:1f18:ab:c00::/56"), None),)
    assert _classes(path, LB_BP, interfaces, vpc6)[-1] == (
        "internet", "lb_web", "lb_web", "intended_accept")


def test_a_health_check_port_of_its_own_is_an_lb_edge(tmp_path: Path) -> None:
    text = LB_BP.read_text().replace("port: 8443}}", "port: 8080}}")
    blueprint = tmp_path / "lb.yaml"
    blueprint.write_text(text)
    path = _records(tmp_path, [("10.0.1.10", "10.0.11.5", 40000, 8080),
                               ("10.0.1.10", "10.0.11.5", 40000, 8081)])
    assert [c[2:] for c in _classes(path, blueprint, [])] == [
        ("lb_web", "intended_accept"), (None, "unintended_accept")]


ENDPOINT_ROWS = [("10.40.10.5", "10.40.40.5", 40000, 443),   # app -> the ssm ENI
                 ("10.40.20.5", "10.40.40.20", 40001, 443),  # db -> the kms ENI
                 ("10.40.40.5", "10.40.20.5", 443, 40002),   # a reply to db
                 ("10.40.0.5", "10.40.40.5", 40003, 443),    # web: no flow to aws:*
                 ("10.40.10.5", "10.40.40.9", 40004, 443)]   # app -> no ENI of them


def test_without_their_addresses_the_endpoint_tier_stands_for_the_endpoints(
        tmp_path: Path) -> None:
    """Two services in one tier, one client, one port: the label names both flows."""
    path = _records(tmp_path, ENDPOINT_ROWS)
    app = "app_to_aws:ssm_tcp or app_to_aws:kms_tcp"
    db = "db_to_aws:ssm_tcp or db_to_aws:kms_tcp"
    assert _classes(path, HYBRID, []) == [
        ("app", "vpce", app, "intended_accept"), ("db", "vpce", db, "intended_accept"),
        ("vpce", "db", db, "intended_accept"), ("web", "vpce", None, "unintended_accept"),
        ("app", "vpce", app, "intended_accept")]
    (note,) = stand_ins(workflow.check(workflow.load(HYBRID)).layout)
    assert "aws:kms, aws:ssm" in note
    assert "vpce" in note


def test_with_their_addresses_each_endpoint_is_its_service(tmp_path: Path) -> None:
    path = _records(tmp_path, ENDPOINT_ROWS)
    interfaces: list[Interface] = [("aws:ssm", IPv4Address("10.40.40.5")),
                                   ("aws:kms", IPv4Address("10.40.40.20"))]
    assert _classes(path, HYBRID, interfaces) == [
        ("app", "aws:ssm", "app_to_aws:ssm_tcp", "intended_accept"),
        ("db", "aws:kms", "db_to_aws:kms_tcp", "intended_accept"),
        ("aws:ssm", "db", "db_to_aws:ssm_tcp", "intended_accept"),
        ("web", "aws:ssm", None, "unintended_accept"),
        ("app", "vpce", None, "unintended_accept")]


def test_an_interface_of_no_lb_or_endpoint_of_the_blueprint_is_ignored(tmp_path: Path) -> None:
    path = _records(tmp_path, ENDPOINT_ROWS[:1])
    assert _classes(path, HYBRID, [("lb_web", IPv4Address("10.40.40.5")),
                                   ("aws:sts", IPv4Address("10.40.40.5"))])[0][1] == "vpce"


def test_the_report_labels_the_traffic_and_says_what_stands_in(tmp_path: Path) -> None:
    path = _records(tmp_path, ENDPOINT_ROWS[:3])
    done = tierform("logs", "check", str(HYBRID), str(path), quiet=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("intended_accept    app        vpce") and
               line.endswith("app_to_aws:ssm_tcp or app_to_aws:kms_tcp") for line in lines)
    assert any(line.startswith("note: interface endpoints aws:kms, aws:ssm") for line in lines)
    doc = json.loads(tierform("logs", "check", str(HYBRID), str(path), "--format", "json",
                              quiet=True).stdout)
    assert {c["flow"] for c in doc["connections"]} == {
        "app_to_aws:ssm_tcp or app_to_aws:kms_tcp", "db_to_aws:ssm_tcp or db_to_aws:kms_tcp"}
    sql = tierform("logs", "athena", str(LB_BP), "--account", "123456789012", "--bucket",
                   "b", quiet=True)
    assert sql.returncode == 0, sql.stderr
    assert sql.stdout.startswith("-- note: load balancer lb_web")
    # --output-location says where --run leaves results: alone it is a mistake, exit 2.
    failed(tierform("logs", "athena", str(LB_BP), "--account", "123456789012", "--bucket",
                    "b", "--output-location", "s3://r/", quiet=True), 2, "add --run")


def test_sarif_points_lb_and_endpoint_findings_at_their_blocks(tmp_path: Path) -> None:
    """A finding at the LB's own address points at its tier's ``load_balancer`` block; one
    at an endpoint's, at ``interface_endpoints``."""
    for blueprint, interfaces, row, key in (
            (LB_BP, [("lb_web", IPv4Address("10.0.1.10"))],
             ("198.51.100.7", "10.0.1.10", 50000, 8080), "load_balancer:"),
            (HYBRID, [("aws:ssm", IPv4Address("10.40.40.5"))],
             ("10.40.0.5", "10.40.40.5", 40003, 443), "interface_endpoints:")):
        loaded = workflow.load(blueprint)
        rules = rules_of(workflow.check(loaded).layout, interfaces=interfaces)
        path = _records(tmp_path, [row], f"{blueprint.stem}.log")
        summary = summarize(check_sources(rules, [path], None).rows)
        flows = {f.flow_id: i for i, f in enumerate(loaded.blueprint.flows)}
        (result,) = summary_sarif(summary, loaded.file, loaded.source_map.locate,
                                  flows)["runs"][0]["results"]
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        text = blueprint.read_text().splitlines()[line - 1]
        assert key in text or key in blueprint.read_text().splitlines()[line - 2], text
