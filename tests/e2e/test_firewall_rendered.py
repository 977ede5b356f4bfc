"""AWS Network Firewall on the local emulator, as Tierform renders it: the inspected
blueprint (tests/plan/fixtures/inspected.yaml) applies, plans empty, and its destroy is
refused under delete protection until that is turned off in place.

A module of its own (not in test_firewall_emulator.py): ``--dist loadscope`` keeps a module
on one worker, so the firewall applies run on different workers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_support import INSPECTED, pending_changes

from tierform.apply import apply_module, destroy_module
from tierform.errors import TierformError
from tierform.localaws import LocalAWS, client
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]


def test_a_rendered_inspected_module_applies_and_destroys(local_aws: LocalAWS,
                                                          tmp_path: Path) -> None:
    """What Tierform renders for inspection (tests/plan/fixtures/inspected.yaml) applies,
    plans empty, and destroys once its delete protection (on by default, as AWS keeps it)
    is turned off in place (UpdateFirewallDeleteProtection)."""
    from tierform import workflow

    checked = workflow.check(workflow.load(INSPECTED))
    files = workflow.render(checked)
    common: dict[str, Any] = {"name": checked.name, "region": checked.region,
                              "workdir": tmp_path / "work", "endpoint": local_aws.endpoint}
    outputs = apply_module(files, **common)
    nfw = client("network-firewall", local_aws.endpoint, checked.region)
    status = nfw.describe_firewall(FirewallArn=outputs["firewall_arn"])["FirewallStatus"]
    assert outputs["firewall_endpoint_ids"] == {
        zone: state["Attachment"]["EndpointId"] for zone, state in status["SyncStates"].items()}
    runner = ReattachedRunner(tmp_path / "work")
    assert pending_changes(runner.show(runner.plan())) == []
    with pytest.raises(TierformError, match="delete protection"):
        destroy_module(files, **common, attempts=1)
    unprotected = {"firewall_delete_protection": False}
    runner.apply(variables=unprotected)
    destroy_module(files, **common)
    assert nfw.list_firewalls()["Firewalls"] == []
