"""Gateway-endpoint flows on the emulator: an applied three-tier grows a flow from app to
aws:s3 (upgrade: only creates), is applied, and is proven from the state and live.

One apply of the shipped three-tier, one upgrade apply, one destroy. The emulator holds
AWS's managed prefix list for S3 (``com.amazonaws.us-east-1.s3``, with entries), as AWS
does: the endpoint's ``prefix_list_id`` and ``cidr_blocks`` come back in the state, and
DescribePrefixLists answers the live reader. Both must give the derived answer: app
reaches aws:s3 on 443 through its endpoint, db and web do not; verify finds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import leftovers, pending_changes

from tierform import workflow
from tierform.analyze import query
from tierform.apply import apply_module
from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.render.writer import write_module
from tierform.report import verify_table
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]

THREE_TIER = Path(__file__).resolve().parents[2] / "blueprints" / "three-tier.yaml"


def _grown(tmp: Path) -> workflow.Checked:
    source = yaml.safe_load(THREE_TIER.read_text(encoding="utf-8"))
    source["flows"] = [*source["flows"], {"from": "app", "to": "aws:s3", "ports": [443]}]
    path = tmp / "three-tier.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    return workflow.check(workflow.load(path))


@pytest.fixture(scope="module")
def upgraded(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[workflow.Checked, ReattachedRunner, dict[str, Any], dict[str, Any]]:
    """three-tier applied, then the aws:s3 flow planned (kept) and applied."""
    checked = workflow.check(workflow.load(THREE_TIER))
    region = checked.loaded.blueprint.region
    workdir = tmp_path_factory.mktemp("apply-gateway-flows")
    runner = ReattachedRunner(workdir)
    apply_module(workflow.render(checked), name=checked.name, region=region,
                 endpoint=local_aws.endpoint, workdir=workdir)
    bigger = _grown(tmp_path_factory.mktemp("grown"))
    files = {k: v for k, v in workflow.render(bigger).items() if not k.startswith("example/")}
    write_module(files, workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(local_aws.endpoint, region)})
    out = workdir / "upgrade.tfplan"
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
    upgrade = runner.show(out)
    outputs = apply_module(workflow.render(bigger), name=bigger.name, region=region,
                           endpoint=local_aws.endpoint, workdir=workdir)
    return bigger, runner, upgrade, outputs


def test_adding_a_gateway_flow_plans_only_creates(upgraded: Any) -> None:
    _, _, upgrade, _ = upgraded
    assert pending_changes(upgrade, allowed=("create",)) == []
    created = sorted(c["address"] for c in upgrade["resource_changes"]
                     if c["change"]["actions"] == ["create"])
    assert [a for a in created if a.startswith("aws_vpc_endpoint")] == [
        "aws_vpc_endpoint.s3", "aws_vpc_endpoint_route_table_association.s3_app_a",
        "aws_vpc_endpoint_route_table_association.s3_app_b"]
    assert "aws_vpc_security_group_egress_rule.app_to_vpce-s3_tcp_443" in created
    # app's ACL: the 443 leg, its return, and the deny band before them (VPC CIDR).
    acl = [a for a in created if a.startswith("aws_network_acl_rule.")]
    assert acl
    assert all(a.startswith("aws_network_acl_rule.app_") for a in acl)


def test_second_plan_after_upgrade_is_empty(upgraded: Any) -> None:
    _, runner, _, _ = upgraded
    assert pending_changes(runner.show(runner.plan())) == []


def _live(local_aws: LocalAWS, checked: workflow.Checked, outputs: dict[str, Any]) -> Any:
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    return network_from_live(ec2, vpc_id=outputs["vpc_id"])


def test_state_and_live_read_the_prefix_list(upgraded: Any, local_aws: LocalAWS) -> None:
    checked, runner, _, outputs = upgraded
    for network in (_live(local_aws, checked, outputs), network_from_state(runner.show())):
        [endpoint] = network.endpoints.values()
        assert endpoint.endpoint == "aws:s3"
        assert (endpoint.prefix_list_id or "").startswith("pl-")
        assert endpoint.cidrs  # the emulator's entries for the service, as AWS has some


def test_state_and_live_prove_the_gateway_flow(upgraded: Any, local_aws: LocalAWS) -> None:
    checked, runner, _, outputs = upgraded
    want = workflow.analyze_network(checked.network)
    for network in (_live(local_aws, checked, outputs), network_from_state(runner.show())):
        got = workflow.analyze_network(network)
        assert got.unresolved == []
        assert got.unknown == []
        assert {(f.src, f.dst, f.protocol, str(f.ports)) for f in got.flows} == \
            {(f.src, f.dst, f.protocol, str(f.ports)) for f in want.flows}
        assert query(network, "app", "aws:s3", "tcp", 443).verdict == "reachable"
        blocked = query(network, "db", "aws:s3", "tcp", 443)
        assert blocked.verdict == "blocked"
        assert {leg.layer for leg in blocked.legs if not leg.ok} >= {"routes",
                                                                     "security_groups"}
        assert query(network, "web", "aws:s3", "tcp", 443).verdict == "blocked"
    report = workflow.verify_network(checked.loaded, _live(local_aws, checked, outputs))
    assert report.ok, verify_table(report)


def test_destroy_leaves_nothing(upgraded: Any, local_aws: LocalAWS) -> None:
    checked, runner, _, outputs = upgraded
    runner.destroy()
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    assert leftovers(ec2, outputs["vpc_id"], checked.name) == {}
    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["VpcEndpoints"]
    assert [e for e in endpoints if str(e.get("State")).lower() not in ("deleted",)] == []
