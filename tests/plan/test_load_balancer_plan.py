"""Load-balancer tiers through a real terraform plan (issue 15).

tests/plan/fixtures/load-balanced.yaml is three-tier's tiers with an internet-facing ALB
in web that proxies to app on 8443 (HTTPS 443 listener). The expectations are written
out by hand: the LB in web's subnets with its own group, that group admitting the
internet on 443 only and reaching only app's group on 8443, app's group admitting the
LB's group (not web's), the ACL legs between web's and app's subnets on 8443 with their
return legs, and the target group, listener and certificate input. An NLB variant is
planned too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.load import load_blueprint
from tierform.layout import derive, plan_layout
from tierform.layout.numbering import flow_slot, rule_number
from tierform.ports import PortSet
from tierform.readers.plan import network_from_plan
from tierform.render.load_balancer import OFFLINE_CERTIFICATE
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan
from tierform.terraform.runner import Runner

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "load-balanced.yaml"
WEB = ("10.0.1.0/24", "10.0.2.0/24")
APP = ("10.0.11.0/24", "10.0.12.0/24")
EPHEMERAL = (1024, 65535)
VARIABLES = {"certificate_arn": OFFLINE_CERTIFICATE}


def _plan(path: Path, cache: Path, terraform: str | None) -> Plan:
    loaded = load_blueprint(path)
    return plan_files(render_module(plan_layout(loaded.blueprint, loaded.allocation)),
                      VARIABLES, region="us-east-1", cache_dir=cache, terraform=terraform)


@pytest.fixture(scope="module")
def planned(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    return _plan(BLUEPRINT, tierform_cache_dir, tierform_terraform)


@pytest.fixture(scope="module")
def nlb(tmp_path_factory: pytest.TempPathFactory, tierform_cache_dir: Path,
        tierform_terraform: str | None) -> Plan:
    data = yaml.safe_load(BLUEPRINT.read_text(encoding="utf-8"))
    data["name"] = "load-balanced-nlb"
    data["tiers"]["web"]["load_balancer"] = {
        "type": "network", "listeners": [{"port": 443, "protocol": "TCP"}],
        "target": {"tier": "app", "port": 8443, "health_check": {"port": 8080}}}
    path = tmp_path_factory.mktemp("nlb") / "load-balanced-nlb.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return _plan(path, tierform_cache_dir, tierform_terraform)


def group_rules(plan: Plan, group: str) -> set[tuple[str, str, int, int, str]]:
    """(direction, protocol, from, to, peer group address or CIDR) of one group's rules."""
    found = set()
    for kind in ("ingress", "egress"):
        for rule in plan.resources(f"aws_vpc_security_group_{kind}_rule"):
            if plan.references(rule.address, "security_group_id") != [group]:
                continue
            peers = plan.references(rule.address, "referenced_security_group_id")
            peer = peers[0] if peers else str(rule.get("cidr_ipv4") or rule.get("cidr_ipv6"))
            found.add((kind, rule["ip_protocol"], rule["from_port"], rule["to_port"], peer))
    return found


def acl(plan: Plan, tier: str) -> set[tuple[bool, str, str, int, int, str]]:
    found = set()
    for rule in plan.resources("aws_network_acl_rule"):
        if plan.references(rule.address, "network_acl_id") == [f"aws_network_acl.{tier}"]:
            found.add((bool(rule["egress"]), rule["rule_action"], rule["protocol"],
                       rule["from_port"], rule["to_port"], rule["cidr_block"]))
    return found


def test_the_alb_is_internet_facing_in_webs_subnets_with_its_own_group(planned: Plan) -> None:
    (lb,) = planned.resources("aws_lb")
    assert lb.address == "aws_lb.lb_web"
    lb.assert_matches({"internal": False, "load_balancer_type": "application",
                       "drop_invalid_header_fields": True})
    assert sorted(planned.references(lb.address, "subnets")) == ["aws_subnet.web_a",
                                                                   "aws_subnet.web_b"]
    assert planned.references(lb.address, "security_groups") == ["aws_security_group.lb_web"]


def test_target_group_listener_and_certificate(planned: Plan) -> None:
    (group,) = planned.resources("aws_lb_target_group")
    group.assert_matches({"port": 8443, "protocol": "HTTPS", "target_type": "ip"})
    check = group["health_check"][0]
    assert (check["path"], check["port"], check["protocol"]) == ("/healthz", "8443", "HTTPS")
    (listener,) = planned.resources("aws_lb_listener")
    listener.assert_matches({"port": 443, "protocol": "HTTPS",
                             "certificate_arn": OFFLINE_CERTIFICATE,
                             "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})
    assert planned.references(listener.address, "load_balancer_arn") == ["aws_lb.lb_web"]
    assert planned.references(listener.address, "default_action.0.target_group_arn") == [
        "aws_lb_target_group.lb_web"]


def test_lb_group_admits_the_internet_on_443_and_reaches_only_app_on_8443(
        planned: Plan) -> None:
    assert group_rules(planned, "aws_security_group.lb_web") == {
        ("ingress", "tcp", 443, 443, "0.0.0.0/0"),
        ("egress", "tcp", 8443, 8443, "aws_security_group.app"),
    }


def test_app_admits_only_the_lb_group_not_web(planned: Plan) -> None:
    app_in = {r for r in group_rules(planned, "aws_security_group.app") if r[0] == "ingress"}
    assert app_in == {("ingress", "tcp", 8443, 8443, "aws_security_group.lb_web")}
    web = group_rules(planned, "aws_security_group.web")
    assert not [r for r in web if r[4] == "aws_security_group.app"]
    assert web == {("ingress", "tcp", 443, 443, "0.0.0.0/0")}


def test_acl_legs_between_web_and_app_on_8443_and_nothing_wider(planned: Plan) -> None:
    web, app = acl(planned, "web"), acl(planned, "app")
    for cidr in APP:
        assert (True, "allow", "tcp", 8443, 8443, cidr) in web
        assert (False, "allow", "tcp", *EPHEMERAL, cidr) in web
    for cidr in WEB:
        assert (False, "allow", "tcp", 8443, 8443, cidr) in app
        assert (True, "allow", "tcp", *EPHEMERAL, cidr) in app
    # app admits nothing from the internet, and from web only 8443.
    app_in = [r for r in app if not r[0] and r[1] == "allow"]
    assert not [r for r in app_in if r[5] == "0.0.0.0/0" and r[3] <= 8443 <= r[4]]
    assert {r[3:5] for r in app_in if r[5] in WEB} == {(8443, 8443)}
    # The LB's legs are numbered by their identity lb_web's slot, in the peer band.
    loaded = load_blueprint(BLUEPRINT)
    mine = [r for r in plan_layout(loaded.blueprint, loaded.allocation).nacl_rules
            if r.flow == "lb_web"]
    assert len(mine) == 8
    first = rule_number("peer", flow_slot("lb_web"), 0)
    for rule in mine:
        assert first <= rule.rule_number < first + 10
        assert planned.resource(f"aws_network_acl_rule.{rule.name}")["rule_number"] == \
            rule.rule_number


def test_nlb_variant_with_a_health_check_port(nlb: Plan) -> None:
    (lb,) = nlb.resources("aws_lb")
    lb.assert_matches({"internal": False, "load_balancer_type": "network"})
    assert nlb.references(lb.address, "security_groups") == ["aws_security_group.lb_web"]
    (group,) = nlb.resources("aws_lb_target_group")
    group.assert_matches({"port": 8443, "protocol": "TCP", "target_type": "ip",
                          "preserve_client_ip": "false"})
    assert group["health_check"][0]["port"] == "8080"
    assert not nlb.resources("aws_lb_listener")[0].get("certificate_arn")
    assert group_rules(nlb, "aws_security_group.lb_web") == {
        ("ingress", "tcp", 443, 443, "0.0.0.0/0"),
        ("egress", "tcp", 8443, 8443, "aws_security_group.app"),
        ("egress", "tcp", 8080, 8080, "aws_security_group.app"),
    }
    app = acl(nlb, "app")
    for cidr in WEB:
        assert (False, "allow", "tcp", 8080, 8080, cidr) in app
        assert (False, "allow", "tcp", 8443, 8443, cidr) in app


def test_plan_reader_reads_the_lb_as_derive_intends(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw)
    assert network.unresolved == []
    assert network.load_balancers == derive(loaded.blueprint, loaded.allocation).load_balancers
    (lb,) = network.load_balancers.values()
    assert (lb.type, lb.internal, lb.security_group_ids) == (
        "application", False, ("aws_security_group.lb_web",))
    assert [(lst.port, lst.target_groups) for lst in lb.listeners] == [
        (443, ("aws_lb_target_group.lb_web",))]
    assert [t.port for t in lb.target_groups] == [8443]


OPEN_TARGET = """
resource "aws_vpc_security_group_ingress_rule" "app_open_8443" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_ipv4         = "0.0.0.0/0"
}
"""


@pytest.fixture(scope="module")
def open_target(tierform_cache_dir: Path, tierform_terraform: str | None) -> Plan:
    """The mutant issue 15 names: app's group open to the internet behind the ALB."""
    loaded = load_blueprint(BLUEPRINT)
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    files["mutant.tf"] = OPEN_TARGET
    return plan_files(files, VARIABLES, region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)


def test_the_internet_reaches_app_only_through_the_lb(planned: Plan) -> None:
    loaded = load_blueprint(BLUEPRINT)
    network = network_from_plan(planned.raw)
    result = analyze(network)
    assert reach_json(result, "plan") == reach_json(
        analyze(derive(loaded.blueprint, loaded.allocation)), "plan")
    # Never a direct path: the matrix has no internet -> app entry, the query blocks it.
    assert not result.ports("internet", "app", "tcp")
    assert query(network, "internet", "app", "tcp", 8443).verdict == "blocked"
    (through,) = result.proxied
    assert (through.src, through.dst, through.verdict) == ("internet", "app", "reachable")
    assert (through.listener_ports, through.target_ports) == (PortSet.range(443, 443),
                                                              PortSet.range(8443, 8443))
    assert "through load balancer aws_lb.lb_web" in through.detail
    assert "not a direct path" in through.detail
    report = workflow.verify_network(workflow.load(BLUEPRINT), network)
    assert not [f for f in report.findings if f.kind == "load_balancer"]
    assert report.exit_code == 0


def test_mutant_target_group_open_to_the_internet_is_caught_from_the_plan(
        open_target: Plan) -> None:
    network = network_from_plan(open_target.raw)
    report = workflow.verify_network(workflow.load(BLUEPRINT), network)
    (finding,) = [f for f in report.findings if f.kind == "load_balancer"]
    assert finding.path == ("tiers", "app")
    assert finding.layer == "security_groups"
    assert finding.resource == "aws_vpc_security_group_ingress_rule.app_open_8443"
    assert finding.ports == PortSet.range(8443, 8443)
    assert "0.0.0.0/0" in finding.message
    assert "aws_lb.lb_web" in finding.message
    assert report.exit_code == 1


def test_native_tests_of_the_lb_module_pass(tmp_path: Path,
                                            tierform_terraform: str | None) -> None:
    """The rendered module's own `terraform test` (offline plan, certificate input given
    by the test file) passes with the load balancer in it."""
    loaded = load_blueprint(BLUEPRINT)
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    for name, text in files.items():
        if not name.startswith("example/"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
    runner = Runner(tmp_path, binary=tierform_terraform)
    runner.init()
    result = runner.execute("test", "-no-color", ok_codes=(0, 1))
    assert result.returncode == 0, result.out + result.err
    assert "1 passed, 0 failed" in result.out
