"""R14 from state: the hand-written nat-instance fixture applied to the local emulator and
read back, from the state and live. The state and live readers name the appliance by its
AWS ids; the answers must equal the plan's (tests/plan/test_appliance_hops_plan.py). One
apply, one show; no destroy (the module's emulator reset)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tierform.analyze import analyze
from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.readers.live import network_from_live
from tierform.readers.plan import network_from_plan
from tierform.readers.state import network_from_state
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner
from tierform.terraform.runner import module_files

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

MODULE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten" / "nat-instance"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def applied_state(local_aws: LocalAWS,
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("apply-nat-instance")
    runner = ReattachedRunner.for_module(MODULE, workdir, region=REGION,
                                         endpoint=local_aws.endpoint)
    (workdir / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(local_aws.endpoint, REGION))
    runner.init()
    runner.apply()
    # No destroy: no test asserts one; the module's emulator reset (conftest.py) empties it.
    return runner.show()


def test_state_reads_the_appliance_and_equals_the_plan(
        applied_state: dict[str, Any], tierform_cache_dir: Path,
        tierform_terraform: str | None) -> None:
    network = network_from_state(applied_state)
    eni = [a for a in network.appliances.values() if a.id.startswith("eni-")]
    assert eni
    assert eni[0].source_dest_check is False
    assert eni[0].security_group_ids
    result = analyze(network)
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert result.tiers["app"].exposure == "private"
    assert result.tiers["inspect"].exposure == "unknown"
    plan = plan_files(module_files(MODULE), region=REGION, cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    planned = reach_json(analyze(network_from_plan(plan.raw)), "plan")
    got = reach_json(result, "state")
    assert got["flows"] == planned["flows"]
    assert {t: i["exposure"] for t, i in got["tiers"].items()} == \
        {t: i["exposure"] for t, i in planned["tiers"].items()}


def test_live_reads_the_appliance_and_equals_the_state(
        applied_state: dict[str, Any], local_aws: LocalAWS) -> None:
    """The live reader asks DescribeNetworkInterfaces for the interface the route names
    (subnet, groups, SourceDestCheck), so the live answer is the state's, not unknown."""
    vpc_id = next(r["values"]["id"] for r in applied_state["values"]["root_module"]["resources"]
                  if r["address"] == "aws_vpc.this")
    live = network_from_live(client("ec2", local_aws.endpoint, REGION), vpc_id=vpc_id)
    eni = [a for a in live.appliances.values() if a.id.startswith("eni-")]
    assert eni, live.appliances
    assert eni[0].source_dest_check is False
    assert eni[0].security_group_ids
    assert eni[0].security_group_ids[0].startswith("sg-")
    result = analyze(live)
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"
    state = reach_json(analyze(network_from_state(applied_state)), "state")
    got = reach_json(result, "live")
    assert got["flows"] == state["flows"]
    assert {t: i["exposure"] for t, i in got["tiers"].items()} == \
        {t: i["exposure"] for t, i in state["tiers"].items()}
