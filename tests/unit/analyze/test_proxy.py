"""Load balancers as proxies (analyze/proxy.py): reachable through the LB only when both
connections pass; never a direct path; not read is unknown, never blocked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint_text
from tierform.layout import derive
from tierform.network.model import Network, SecurityGroup, TargetGroup
from tierform.workflow import verify_network

FIXTURE = (Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "load-balanced.yaml"
           ).read_text("utf-8")


def _network(text: str = FIXTURE) -> Network:
    loaded = load_blueprint_text(text, "t.yaml")
    return derive(loaded.blueprint, loaded.allocation)


def test_internet_reaches_app_through_the_lb_not_directly() -> None:
    network = _network()
    result = analyze(network)
    assert [(p.src, p.dst, p.verdict) for p in result.proxied] == [
        ("internet", "app", "reachable")]
    assert not result.ports("internet", "app", "tcp")
    assert query(network, "internet", "app", "tcp", 8443).verdict == "blocked"
    assert result.complete


def test_no_proxied_flow_when_the_target_group_admits_nothing() -> None:
    network = _network()
    app = network.security_groups["aws_security_group.app"]
    network.security_groups["aws_security_group.app"] = replace(
        app, rules=tuple(r for r in app.rules if r.group != "aws_security_group.lb_web"))
    assert analyze(network).proxied == []


def test_no_proxied_flow_when_the_internet_cannot_reach_the_listener() -> None:
    network = _network()
    lb = network.security_groups["aws_security_group.lb_web"]
    network.security_groups["aws_security_group.lb_web"] = replace(
        lb, rules=tuple(r for r in lb.rules if r.egress))
    assert analyze(network).proxied == []


def test_groups_not_read_make_it_unknown_never_blocked() -> None:
    network = _network()
    (key,) = network.load_balancers
    network.load_balancers[key] = replace(network.load_balancers[key], security_group_ids=None)
    network.security_groups["aws_security_group.lb_web"] = SecurityGroup(
        "aws_security_group.lb_web")
    result = analyze(network)
    unknown = [p for p in result.proxied if p.verdict == "unknown"]
    assert unknown
    assert all("security groups are not in the input" in " ".join(p.reasons) for p in unknown)
    assert not result.complete


def test_a_target_port_not_read_is_unknown() -> None:
    network = _network()
    (key,) = network.load_balancers
    lb = network.load_balancers[key]
    network.load_balancers[key] = replace(lb, target_groups=(TargetGroup("tg", None),))
    result = analyze(network)
    assert [(p.src, p.verdict) for p in result.proxied if p.dst == "app"] == [
        ("internet", "unknown")]


def _verify(network: Network, text: str = FIXTURE) -> list[tuple[str, str, str]]:
    loaded = load_blueprint_text(text, "t.yaml")
    report = verify_network(loaded, network)
    return [(f.kind, f.grade, f.message) for f in report.findings]


def test_verify_reports_a_broken_load_balancer() -> None:
    assert _verify(_network()) == []
    network = _network()
    app = network.security_groups["aws_security_group.app"]
    network.security_groups["aws_security_group.app"] = replace(
        app, rules=tuple(r for r in app.rules if r.group != "aws_security_group.lb_web"))
    (finding,) = _verify(network)
    assert finding[:2] == ("load_balancer", "end-to-end")
    assert "broken load balancer of tier web" in finding[2]
    assert "tcp 8443" in finding[2]


def test_verify_reports_a_health_check_port_the_lb_cannot_reach() -> None:
    text = FIXTURE.replace("health_check: {path: /healthz, port: 8443}",
                           "health_check: {path: /healthz, port: 8080}")
    network = _network(text)
    assert _verify(network, text) == []
    (p,) = analyze(network).proxied
    assert str(p.health_ports) == "8080"
    app = network.security_groups["aws_security_group.app"]
    network.security_groups["aws_security_group.app"] = replace(
        app, rules=tuple(r for r in app.rules if r.from_port != 8080))
    (finding,) = _verify(network, text)
    assert finding[0] == "load_balancer"
    assert "tcp 8080" in finding[2]
