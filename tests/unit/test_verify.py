"""verify(): unintended, broken, exposure and single-layer findings, and their reports."""

from __future__ import annotations

import json

from tierform.analyze import analyze, query
from tierform.blueprint.model import Blueprint
from tierform.network.model import NaclEntry
from tierform.ports import PortSet
from tierform.report import (
    query_text,
    reach_json,
    reach_table,
    single_layer_table,
    verify_json,
    verify_sarif,
    verify_table,
)
from tierform.verify import Intent, intents_from_blueprint, verify
from unit.analyze.networks import net, reference, sg_in

DECLARED = {"web": "public", "app": "private", "db": "isolated"}


def intents() -> list[Intent]:
    return [Intent("internet", "web", "tcp", PortSet.of(443), "flow 1", ("flows", 0)),
            Intent("web", "app", "tcp", PortSet.of(8080), "flow 2", ("flows", 1)),
            Intent("app", "db", "tcp", PortSet.of(3306), "flow 3", ("flows", 2)),
            Intent("app", "internet", "tcp", PortSet.of(443), "flow 4", ("flows", 3))]


def test_reference_has_exactly_the_app_to_web_leak() -> None:
    report = verify(intents(), net(), declared_exposure=DECLARED)
    # app's ACL sends 443 to 0.0.0.0/0 (its internet flow) with no deny for the VPC first:
    # over-broad towards db (and web's towards app), which only inbound rules stop.
    assert [(f.kind, f.src, f.dst, str(f.ports)) for f in report.findings] == [
        ("unintended", "app", "web", "443"), ("rule", "app", "db", "443"),
        ("rule", "web", "app", "443")]
    assert report.exit_code == 1
    assert report.findings[0].path == ("tiers", "web")
    assert report.single_layer == {"routes": [], "nacls": [], "security_groups": []}


def test_clean_when_allowed_and_replies_are_not_unintended() -> None:
    allowed = [*intents(), Intent("app", "web", "tcp", PortSet.of(443), "flow 5", ("flows", 4))]
    report = verify(allowed, net(), declared_exposure=DECLARED, gate="layer")
    assert [(f.kind, f.src, f.dst) for f in report.findings] == [("rule", "app", "db"),
                                                                 ("rule", "web", "app")]
    assert report.ok
    assert report.exit_code == 0
    assert "verify: ok" in verify_table(report)


def test_broken_flow_names_layer_and_resource() -> None:
    groups = {**reference()["groups"], "db": [sg_in((5432, 5432), group="sg-app")]}  # type: ignore[dict-item]
    report = verify(intents(), net(groups=groups), declared_exposure=DECLARED)
    broken = [f for f in report.findings if f.kind == "broken"]
    assert len(broken) == 1
    assert broken[0].path == ("flows", 2)
    assert broken[0].layer == "security_groups"
    assert broken[0].resource == "aws_security_group.db"
    assert "3306" in broken[0].message


def test_exposure_mismatch() -> None:
    report = verify(intents(), net(), declared_exposure={**DECLARED, "app": "isolated"})
    mismatch = [f for f in report.findings if f.kind == "exposure"]
    assert [m.path for m in mismatch] == [("tiers", "app", "exposure")]


def test_single_layer_dependence_is_found() -> None:
    # db's NACL admits everything from the VPC: only the security group protects db now.
    nacls = {**reference()["nacls"], "db": [  # type: ignore[dict-item]
        *reference()["nacls"]["db"],  # type: ignore[index]
        NaclEntry(200, False, "-1", "allow", "10.0.0.0/16"),
        NaclEntry(200, True, "-1", "allow", "10.0.0.0/16")]}
    report = verify(intents(), net(nacls=nacls), declared_exposure=DECLARED)
    opened = report.single_layer["security_groups"]
    assert ("web", "db") in {(f.src, f.dst) for f in opened}
    assert all(f.dst == "db" for f in opened)
    web_db = next(f for f in opened if (f.src, f.dst, f.protocol) == ("web", "db", "tcp"))
    assert web_db.ports == PortSet.of(443)  # web's own NACL lets out 443 (and ephemeral)
    assert "security_groups" in single_layer_table(report)
    assert any(f.kind == "single_layer" and f.level == "warning" for f in report.findings)


def test_intents_from_blueprint() -> None:
    bp = Blueprint.model_validate({
        "tierform": 1, "name": "x", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
        "availability_zones": ["us-east-1a"],
        "tiers": {"web": {"exposure": "public", "cidrs": ["10.0.1.0/24"]}},
        "flows": [{"from": "internet", "to": "web", "ports": [443, "80", "8000-8080"]},
                  {"from": "web", "to": "internet", "protocol": "all"}]})
    first, second = intents_from_blueprint(bp)
    assert first.ports == PortSet([(80, 80), (443, 443), (8000, 8080)])
    assert first.label == "internet_to_web_tcp (internet -> web tcp 80,443,8000-8080)"
    assert second.protocols() == ("tcp", "udp", "icmp")
    assert second.path == ("flows", 1)


def test_reports() -> None:
    report = verify(intents(), net(), declared_exposure=DECLARED)
    doc = reach_json(report.reachability, "plan")
    assert list(doc) == ["schema_version", "source", "complete", "tiers", "flows", "unknown",
                         "unresolved", "findings", "assumptions"]
    assert doc["assumptions"] == report.reachability.assumptions
    assert doc["tiers"]["web"] == {"subnets": ["10.0.1.0/24", "10.0.2.0/24"],
                                   "exposure": "public"}
    keys = [(f["from"], f["to"], f["protocol"]) for f in doc["flows"]]
    assert keys == sorted(keys)
    assert {"from": "internet", "to": "web", "protocol": "tcp", "ports": [[443, 443]],
            "family": "ipv4"} in doc["flows"]
    json.dumps(verify_json(report))
    assert verify_json(report)["assumptions"] == report.reachability.assumptions
    sarif = verify_sarif(report, "three-tier.yaml", lambda path: (7, 3))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "tierform"
    result = run["results"][0]
    assert result["ruleId"] == "tierform/unintended"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 7,
                                                                    "startColumn": 3}
    assert "from \\ to" in reach_table(analyze(net()))
    text = query_text(query(net(), "web", "db", "tcp", 3306))
    assert "web -> db tcp 3306: blocked" in text
    assert "BLOCKED" in text
