"""East-west inspection (issue 15) on the local emulator: tests/plan/fixtures/
inspected-east-west.yaml applies (the emulator takes routes more specific than local to a
firewall endpoint, as AWS does for a destination that is exactly a subnet's CIDR), plans
empty, routes every app <-> db subnet pair both ways through the endpoint of the pair's
AZ, and the network read back from the state proves app -> db inspected. Added to an
applied blueprint with ingress and egress only, east-west creates and updates in place:
AWS replaces nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from e2e_support import pending_changes

from tierform import workflow
from tierform.analyze import analyze
from tierform.apply import apply_module, destroy_module
from tierform.blueprint.load import load_blueprint_text
from tierform.localaws import LocalAWS, client
from tierform.readers.state import network_from_state
from tierform.terraform.reattach import ReattachedRunner
from tierform.verify import inspected_from_blueprint, inspection_findings

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]

EAST_WEST = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / \
    "inspected-east-west.yaml"
APP = {"us-east-1a": "10.0.11.0/24", "us-east-1b": "10.0.12.0/24"}
DB = {"us-east-1a": "10.0.21.0/24", "us-east-1b": "10.0.22.0/24"}


def _routes(ec2: Any, vpc: str, subnets: dict[str, str]) -> dict[str, dict[str, str]]:
    """AZ -> {destination: target} of the table of each subnet (zone -> subnet id)."""
    zone_of = {subnet: zone for zone, subnet in subnets.items()}
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    return {zone_of[a["SubnetId"]]: {
        r["DestinationCidrBlock"]: r.get("GatewayId") or r.get("VpcEndpointId")
        or r.get("NatGatewayId", "") for r in t["Routes"] if "DestinationCidrBlock" in r}
        for t in tables for a in t["Associations"] if a.get("SubnetId") in zone_of}


def test_east_west_applies_routes_both_ways_and_verifies_from_state(
        local_aws: LocalAWS, tmp_path: Path) -> None:
    checked = workflow.check(workflow.load(EAST_WEST))
    files = workflow.render(checked)
    common: dict[str, Any] = {"name": checked.name, "region": checked.region,
                              "workdir": tmp_path / "work", "endpoint": local_aws.endpoint}
    outputs = apply_module(files, **common)
    runner = ReattachedRunner(tmp_path / "work")
    assert pending_changes(runner.show(runner.plan())) == []
    endpoints = outputs["firewall_endpoint_ids"]
    assert sorted(endpoints) == ["us-east-1a", "us-east-1b"]
    ec2 = client("ec2", local_aws.endpoint, checked.region)
    app = _routes(ec2, outputs["vpc_id"], outputs["subnet_ids"]["app"])
    db = _routes(ec2, outputs["vpc_id"], outputs["subnet_ids"]["db"])
    for app_zone, app_cidr in APP.items():
        for db_zone, db_cidr in DB.items():
            # one endpoint per pair both ways: the app subnet's AZ (app is listed first)
            assert app[app_zone][db_cidr] == endpoints[app_zone]
            assert db[db_zone][app_cidr] == endpoints[app_zone]
    # the state read back: app -> db crosses the firewall, every pair both ways
    state = runner.show()
    network = network_from_state(state)
    matrix = analyze(network)
    assert matrix.unknown == []
    assert matrix.verdict("app", "db", "tcp", 3306) == "reachable"
    assert matrix.verdict("app", "db", "tcp", 3307) == "blocked"
    inspected = inspected_from_blueprint(checked.loaded.blueprint)
    assert ("app", "db") in inspected
    assert inspection_findings(network, inspected) == []
    runner.apply(variables={"firewall_delete_protection": False})
    destroy_module(files, **common)


def test_adding_east_west_replaces_nothing(local_aws: LocalAWS, tmp_path: Path) -> None:
    text = EAST_WEST.read_text(encoding="utf-8")
    before = workflow.check(load_blueprint_text(
        text.replace("modes: [ingress, egress, east-west]", "modes: [ingress, egress]"),
        "before.yaml"))
    after = workflow.check(workflow.load(EAST_WEST))
    workdir = tmp_path / "work"
    common: dict[str, Any] = {"name": after.name, "region": after.region, "workdir": workdir,
                              "endpoint": local_aws.endpoint}
    apply_module(workflow.render(before), **common)
    files = workflow.render(after)
    probe = tmp_path / "probe"  # the upgrade planned in a copy of the work directory
    shutil.copytree(workdir, probe, symlinks=True)
    for name, body in files.items():
        (probe / name).parent.mkdir(parents=True, exist_ok=True)
        (probe / name).write_text(body, encoding="utf-8")
    planner = ReattachedRunner(probe)
    planner.init()
    changes = planner.show(planner.plan())["resource_changes"]
    actions = {c["address"]: c["change"]["actions"] for c in changes
               if c["change"]["actions"] not in (["no-op"], ["read"])}
    created = sorted(a for a, act in actions.items() if act == ["create"])
    assert {tuple(act) for act in actions.values()} <= {("create",), ("update",)}
    assert created == sorted(f"aws_route.{x}_east_west_{y}"
                             for a in ("app_a", "app_b") for d in ("db_a", "db_b")
                             for x, y in ((a, d), (d, a)))
    updated = sorted(a for a, act in actions.items() if act == ["update"])
    assert updated == ["aws_networkfirewall_rule_group.flows"]  # the new PASS rules
    apply_module(files, **common)
    runner = ReattachedRunner(workdir)
    assert pending_changes(runner.show(runner.plan())) == []
    runner.apply(variables={"firewall_delete_protection": False})
    destroy_module(files, **common)
