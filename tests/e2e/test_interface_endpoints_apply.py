"""Interface endpoints on the emulator: an applied three-tier grows flows to aws:ssm and
aws:kms (upgrade: only creates), is applied, and is proven from the state and live.

One apply of the shipped three-tier, one upgrade apply, one destroy, asserted (a few
minutes on a small machine; no other destroy: the module's emulator reset). The analyzer
reads the endpoints back from AWS (DescribeVpcEndpoints: subnets, groups) and from the
state, and must give the derived answer: db and app reach their endpoints on 443 only,
web reaches neither, verify finds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import leftovers, pending_changes

from cli_support import tierform
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

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

THREE_TIER = Path(__file__).resolve().parents[2] / "blueprints" / "three-tier.yaml"
NEW_FLOWS = [{"from": "db", "to": "aws:ssm", "ports": [443]},
             {"from": "db", "to": "aws:kms", "ports": [443]},
             {"from": "app", "to": "aws:ssm", "ports": [443]}]


def _grown(tmp: Path) -> workflow.Checked:
    source = yaml.safe_load(THREE_TIER.read_text(encoding="utf-8"))
    # The endpoints get an isolated tier of their own (adding a tier only creates).
    source["tiers"]["vpce"] = {"exposure": "isolated", "netmask": 28}
    source["interface_endpoints"] = {"tier": "vpce", "policy": {"source_vpc": True}}
    source["flows"] = source["flows"] + NEW_FLOWS
    path = tmp / "three-tier.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    return workflow.check(workflow.load(path))


@pytest.fixture(scope="module")
def upgraded(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[workflow.Checked, ReattachedRunner, dict[str, Any], dict[str, Any]]:
    """three-tier applied, then the endpoint flows planned (kept) and applied."""
    checked = workflow.check(workflow.load(THREE_TIER))
    region = checked.loaded.blueprint.region
    workdir = tmp_path_factory.mktemp("apply-endpoints")
    runner = ReattachedRunner(workdir)
    apply_module(workflow.render(checked), name=checked.name, region=region,
                 endpoint=local_aws.endpoint, workdir=workdir)
    bigger = _grown(tmp_path_factory.mktemp("grown"))
    files = {k: v for k, v in workflow.render(bigger).items()
             if not k.startswith("example/")}
    write_module(files, workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(local_aws.endpoint, region)})
    out = workdir / "upgrade.tfplan"
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
    upgrade = runner.show(out)
    # Applied the way `tierform apply` applies a grown blueprint to its own workdir.
    outputs = apply_module(workflow.render(bigger), name=bigger.name, region=region,
                           endpoint=local_aws.endpoint, workdir=workdir)
    return bigger, runner, upgrade, outputs


def test_adding_endpoint_flows_plans_only_creates(upgraded: Any) -> None:
    _, _, upgrade, _ = upgraded
    assert pending_changes(upgrade, allowed=("create",)) == []
    created = sorted(c["address"] for c in upgrade["resource_changes"]
                     if c["change"]["actions"] == ["create"])
    assert [a for a in created if a.startswith("aws_vpc_endpoint.")] == \
        ["aws_vpc_endpoint.kms", "aws_vpc_endpoint.ssm"]
    assert "aws_security_group.vpce_ssm" in created
    assert "aws_security_group.vpce_kms" in created


def test_second_plan_after_upgrade_is_empty(upgraded: Any) -> None:
    _, runner, _, _ = upgraded
    assert pending_changes(runner.show(runner.plan())) == []


def _live(local_aws: LocalAWS, checked: workflow.Checked, outputs: dict[str, Any]) -> Any:
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    return network_from_live(ec2, vpc_id=outputs["vpc_id"])


def test_live_endpoints_are_read_with_subnets_and_groups(upgraded: Any,
                                                        local_aws: LocalAWS) -> None:
    checked, _, _, outputs = upgraded
    live = _live(local_aws, checked, outputs)
    by_endpoint = {e.endpoint: e for e in live.interface_endpoints.values()}
    assert sorted(by_endpoint) == ["aws:kms", "aws:ssm"]
    app_subnets = {s.id for s in live.subnets_of("vpce")}
    for name, endpoint in by_endpoint.items():
        assert endpoint.subnet_ids == app_subnets, name
        assert endpoint.security_group_ids == (
            outputs["interface_endpoint_security_group_ids"][name.removeprefix("aws:")],)


def test_live_and_state_prove_the_endpoint_flows(upgraded: Any, local_aws: LocalAWS) -> None:
    checked, runner, _, outputs = upgraded
    want = workflow.analyze_network(checked.network)
    for network in (_live(local_aws, checked, outputs), network_from_state(runner.show())):
        got = workflow.analyze_network(network)
        assert got.unresolved == []
        assert got.unknown == []
        assert {(f.src, f.dst, f.protocol, str(f.ports)) for f in got.flows} == \
            {(f.src, f.dst, f.protocol, str(f.ports)) for f in want.flows}
        assert query(network, "db", "aws:ssm", "tcp", 443).verdict == "reachable"
        assert query(network, "db", "aws:kms", "tcp", 443).verdict == "reachable"
        assert query(network, "web", "aws:ssm", "tcp", 443).verdict == "blocked"
        assert query(network, "app", "aws:kms", "tcp", 443).verdict == "blocked"
    report = workflow.verify_network(checked.loaded, _live(local_aws, checked, outputs))
    assert report.ok, verify_table(report)


def _records(tmp: Path, rows: list[tuple[str, str, int]]) -> Path:
    lines = ["srcaddr dstaddr srcport dstport protocol packets bytes start end action "
             "log-status"]
    lines += [f"{s} {d} {41000 + n} {port} 6 3 300 {1000 + n} {1060 + n} ACCEPT OK"
              for n, (s, d, port) in enumerate(rows)]
    path = tmp / "endpoints.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_logs_live_places_the_endpoints_network_interfaces(
        upgraded: Any, local_aws: LocalAWS, tmp_path: Path) -> None:
    """`logs check --live` reads each endpoint's interfaces (DescribeVpcEndpoints, then
    DescribeNetworkInterfaces): app's traffic to kms's interface is then a finding (its
    flow is to ssm only), where without the read the vpce tier would stand for both."""
    checked, _, _, outputs = upgraded
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    addresses: dict[str, str] = {}
    for endpoint in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        service = endpoint["ServiceName"].rsplit(".", 1)[-1]
        (eni, *_) = ec2.describe_network_interfaces(
            NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"]
        addresses[service] = eni["PrivateIpAddress"]
    assert sorted(addresses) == ["kms", "ssm"]
    host = {s.tier: str(s.cidr[10]) for s in checked.layout.subnets}
    records = _records(tmp_path, [(host["app"], addresses["ssm"], 443),
                                  (host["db"], addresses["kms"], 443),
                                  (host["db"], addresses["ssm"], 443),
                                  (host["web"], addresses["ssm"], 443),
                                  (host["app"], addresses["kms"], 443)])
    blueprint = checked.loaded.file
    done = tierform("logs", "check", blueprint, str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--vpc-id", outputs["vpc_id"], "--format", "json",
                    quiet=True)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert {(c["client"], c["server"], c["flow"]) for c in doc["connections"]} == {
        ("app", "aws:ssm", "app_to_aws:ssm_tcp"), ("db", "aws:kms", "db_to_aws:kms_tcp"),
        ("db", "aws:ssm", "db_to_aws:ssm_tcp"), ("web", "aws:ssm", None),
        ("app", "aws:kms", None)}
    assert {(f["client"], f["server"]) for f in doc["findings"]} == {
        ("web", "aws:ssm"), ("app", "aws:kms")}
    assert not any("interface endpoint" in n for n in doc["notes"])
    # Without the read the vpce tier would stand for them (tests/unit/logs/
    # test_stand_ins.py): not asserted here, since moto draws an endpoint's interface
    # address from any 10.x.y.z, not from its subnet as AWS does.


def test_adding_a_transit_network_plans_only_creates(upgraded: Any, local_aws: LocalAWS,
                                                     tmp_path: Path) -> None:
    """Upgrade: a named network via a transit gateway (and a flow from it) added to the
    applied module only creates: attachment, its /28 subnets, tables, ACL, routes, rules."""
    checked, runner, _, _ = upgraded
    source = yaml.safe_load(checked.loaded.text)
    source["networks"] = {"corp": {"cidr": "192.168.0.0/16", "via": "tgw"}}
    source["flows"].append({"from": "corp", "to": "app", "ports": [22]})
    path = tmp_path / "three-tier.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    bigger = workflow.check(workflow.load(path))
    files = {k: v for k, v in workflow.render(bigger).items() if not k.startswith("example/")}
    write_module(files, runner.workdir, extra={
        OFFLINE_PROVIDER_FILE: provider_hcl(local_aws.endpoint,
                                            checked.loaded.blueprint.region)})
    out = runner.workdir / "transit.tfplan"
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false",
                   "-var=transit_gateway_id=tgw-0123456789abcdef0", f"-out={out}")
    plan = runner.show(out)
    assert pending_changes(plan, allowed=("create",)) == []
    created = {c["address"] for c in plan["resource_changes"]
               if c["change"]["actions"] == ["create"]}
    assert {"aws_ec2_transit_gateway_vpc_attachment.this", "aws_subnet.transit_a",
            "aws_subnet.transit_b", "aws_route.app_a_corp", "aws_route.app_b_corp"} <= created
    # Put the applied configuration back, so that the destroy below matches the state.
    write_module({k: v for k, v in workflow.render(checked).items()
                  if not k.startswith("example/")}, runner.workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(
                     local_aws.endpoint, checked.loaded.blueprint.region)})


def test_destroy_leaves_nothing(upgraded: Any, local_aws: LocalAWS) -> None:
    checked, runner, _, outputs = upgraded
    runner.destroy()
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    assert leftovers(ec2, outputs["vpc_id"], checked.name) == {}
    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["VpcEndpoints"]
    assert [e for e in endpoints if str(e.get("State")).lower() not in ("deleted",)] == []
