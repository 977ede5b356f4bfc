"""Load-balancer tiers on the emulator: tests/plan/fixtures/load-balanced.yaml (an ALB in
web in front of app on 8443) applied once, read back live (DescribeLoadBalancers,
Listeners, TargetGroups) and from the state, proven, then destroyed.

The live read and the state must give the derived answer: the internet reaches app
through the load balancer (listener 443, target 8443) and never directly; verify finds
nothing. The HTTPS listener takes a certificate requested from the emulator's ACM.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import leftovers

from cli_support import tierform
from tierform import workflow
from tierform.analyze import Reachability, query
from tierform.apply import apply_module
from tierform.localaws import LocalAWS, client
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.report import verify_table
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]

BLUEPRINT = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / "load-balanced.yaml"
_VARIABLE = "TF_VAR_certificate_arn"


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[workflow.Checked, ReattachedRunner, dict[str, Any], str]]:
    """The fixture applied once; the certificate comes from the emulator's ACM."""
    checked = workflow.check(workflow.load(BLUEPRINT))
    region = checked.loaded.blueprint.region
    acm = client("acm", local_aws.endpoint, region)
    certificate = acm.request_certificate(DomainName="app.example.com")["CertificateArn"]
    workdir = tmp_path_factory.mktemp("apply-lb")
    before = os.environ.get(_VARIABLE)
    os.environ[_VARIABLE] = certificate  # the runner passes TF_VAR_* through
    try:
        outputs = apply_module(workflow.render(checked), name=checked.name, region=region,
                               endpoint=local_aws.endpoint, workdir=workdir)
        yield checked, ReattachedRunner(workdir), outputs, certificate
    finally:
        if before is None:
            os.environ.pop(_VARIABLE, None)
        else:
            os.environ[_VARIABLE] = before


def _live(local_aws: LocalAWS, checked: workflow.Checked, outputs: dict[str, Any]) -> Any:
    region = checked.loaded.blueprint.region
    return network_from_live(client("ec2", local_aws.endpoint, region),
                             vpc_id=outputs["vpc_id"],
                             elbv2_client=client("elbv2", local_aws.endpoint, region))


def _proxied(result: Reachability) -> set[tuple[str, str, str, str, str]]:
    return {(p.src, p.dst, p.verdict, str(p.listener_ports), str(p.target_ports))
            for p in result.proxied}


def test_live_lb_is_read_with_subnets_groups_listener_and_target(
        applied: Any, local_aws: LocalAWS) -> None:
    checked, _, outputs, _ = applied
    live = _live(local_aws, checked, outputs)
    (lb,) = live.load_balancers.values()
    assert lb.subnet_ids == {s.id for s in live.subnets_of("web")}
    assert lb.security_group_ids == (outputs["load_balancer_security_group_ids"]["web"],)
    assert lb.type == "application"
    raw = client("elbv2", local_aws.endpoint, checked.loaded.blueprint.region
                 ).describe_load_balancers()["LoadBalancers"][0]
    # The emulator may leave Scheme out: then the reader says "not read" (None), not False.
    assert lb.internal == (raw["Scheme"] == "internal" if "Scheme" in raw else None)
    assert raw.get("Scheme", "internet-facing") == "internet-facing"
    assert [(lst.port, lst.protocol) for lst in lb.listeners] == [(443, "HTTPS")]
    assert [(t.id, t.port) for t in lb.target_groups] == [
        (outputs["load_balancer_target_group_arns"]["web"], 8443)]


def test_live_and_state_prove_the_lb_as_a_proxy(applied: Any, local_aws: LocalAWS) -> None:
    checked, runner, outputs, _ = applied
    want = workflow.analyze_network(checked.network)
    assert _proxied(want) == {("internet", "app", "reachable", "443", "8443")}
    for network in (_live(local_aws, checked, outputs), network_from_state(runner.show())):
        got = workflow.analyze_network(network)
        assert got.unresolved == []
        assert got.unknown == []
        assert {(f.src, f.dst, f.protocol, str(f.ports)) for f in got.flows} == \
            {(f.src, f.dst, f.protocol, str(f.ports)) for f in want.flows}
        assert _proxied(got) == _proxied(want)
        assert query(network, "internet", "app", "tcp", 8443).verdict == "blocked"
    report = workflow.verify_network(checked.loaded, _live(local_aws, checked, outputs))
    assert report.ok, verify_table(report)


def test_logs_live_places_the_lb_network_interfaces(applied: Any, local_aws: LocalAWS,
                                                   tmp_path: Path) -> None:
    """`logs check --live` takes the LB's interfaces (described ``ELB app/<name>/<id>`` in
    its tier's subnets) as the LB's: only they may reach app on 8443. The emulator creates
    no interfaces for a load balancer, so the test makes one as AWS describes it."""
    checked, _, outputs, _ = applied
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    web = next(s for s in _live(local_aws, checked, outputs).subnets_of("web"))
    cidr = next(s.cidr for s in checked.layout.subnets if str(s.cidr) == str(web.cidr))
    lb_ip, other = str(cidr[20]), str(cidr[30])
    ec2.create_network_interface(SubnetId=web.id, PrivateIpAddress=lb_ip,
                                 Description="ELB app/tf-lb-20261201/50dc6c495c0c9188")
    app = str(next(s.cidr for s in checked.layout.subnets if s.tier == "app")[10])
    lines = ["srcaddr dstaddr srcport dstport protocol action",
             f"198.51.100.7 {lb_ip} 50000 443 6 ACCEPT", f"{lb_ip} {app} 40000 8443 6 ACCEPT",
             f"{app} {lb_ip} 8443 40000 6 ACCEPT", f"{other} {app} 40001 8443 6 ACCEPT"]
    records = tmp_path / "lb.log"
    records.write_text("\n".join(lines) + "\n")
    done = tierform("logs", "check", str(BLUEPRINT), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--vpc-id", outputs["vpc_id"], "--format", "json",
                    quiet=True)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert {(c["class"], c["client"], c["server"], c["flow"]) for c in doc["connections"]} == {
        ("intended_accept", "internet", "lb_web", "lb_web"),
        ("intended_accept", "lb_web", "app", "lb_web"),
        ("unintended_accept", "web", "app", None)}
    assert not any("load balancer" in n for n in doc["notes"])
    done = tierform("logs", "check", str(BLUEPRINT), str(records), "--format", "json",
                    quiet=True)
    assert done.returncode == 0, done.stderr
    assert any(n.startswith("load balancer lb_web") for n in json.loads(done.stdout)["notes"])


def test_destroy_leaves_nothing(applied: Any, local_aws: LocalAWS) -> None:
    checked, runner, outputs, certificate = applied
    runner.destroy({"certificate_arn": certificate})
    region = checked.loaded.blueprint.region
    ec2 = client("ec2", local_aws.endpoint, region)
    assert leftovers(ec2, outputs["vpc_id"], checked.name) == {}
    elbv2 = client("elbv2", local_aws.endpoint, region)
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
