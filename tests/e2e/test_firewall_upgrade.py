"""Adding AWS Network Firewall inspection to a network already applied on the local emulator
replaces nothing: the upgrade only creates, and moves the public default routes onto the
firewall endpoint of their own zone in place.

A module of its own (not in test_firewall_emulator.py): ``--dist loadscope`` keeps a module
on one worker, so the firewall applies run on different workers at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from e2e_support import INSPECTED, pending_changes

from tierform.apply import apply_module
from tierform.localaws import LocalAWS, client
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]


def test_adding_inspection_to_an_applied_network_replaces_nothing(local_aws: LocalAWS,
                                                                  tmp_path: Path) -> None:
    """inspected.yaml without its `inspection` block applied first, then with it: the plan
    only creates, and updates in place the public tables' default routes (internet gateway
    -> the firewall endpoint of their zone: ReplaceRoute); AWS must replace nothing. The
    second plan is empty (the emulator's "replaced route targets" fix: moto's ReplaceRoute
    dropped the endpoint) and each replaced route answers its own zone's endpoint."""
    import yaml

    from tierform import workflow

    data = yaml.safe_load(INSPECTED.read_text(encoding="utf-8"))
    del data["inspection"]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    before, after = (workflow.check(workflow.load(path)) for path in (plain, INSPECTED))
    workdir = tmp_path / "work"
    common: dict[str, Any] = {"name": after.name, "region": after.region, "workdir": workdir,
                              "endpoint": local_aws.endpoint}
    apply_module(workflow.render(before), **common)
    files = workflow.render(after)
    # The upgrade, planned before it is applied, in a copy of the work directory (state,
    # provider override and init included): Tierform never writes over its own files there.
    probe = tmp_path / "probe"
    shutil.copytree(workdir, probe, symlinks=True)
    for name, text in files.items():
        (probe / name).parent.mkdir(parents=True, exist_ok=True)
        (probe / name).write_text(text, encoding="utf-8")
    planner = ReattachedRunner(probe)
    planner.init()
    changes = planner.show(planner.plan())["resource_changes"]
    actions = {c["address"]: c["change"]["actions"] for c in changes
               if c["change"]["actions"] not in (["no-op"], ["read"])}
    updated = sorted(a for a, act in actions.items() if act == ["update"])
    assert {tuple(act) for act in actions.values()} == {("create",), ("update",)}
    assert updated == ["aws_route.web_a_default", "aws_route.web_b_default"]
    outputs = apply_module(files, **common)
    runner = ReattachedRunner(workdir)
    assert pending_changes(runner.show(runner.plan())) == []
    ec2 = client("ec2", local_aws.endpoint, after.region)
    zone_of = {subnet: zone for zone, subnet in outputs["subnet_ids"]["web"].items()}
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["RouteTables"]
    web = {zone_of[a["SubnetId"]]: r.get("GatewayId") for t in tables
           for a in t["Associations"] if a.get("SubnetId") in zone_of
           for r in t["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"}
    assert web == outputs["firewall_endpoint_ids"]
    assert len(web) == 2
    # No destroy: nothing here asserts one (test_firewall_rendered.py does); the module's
    # emulator reset (conftest.py) empties the emulator.
