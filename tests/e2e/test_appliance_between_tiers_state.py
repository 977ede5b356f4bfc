"""R9 from state and live: the hand-written east-west-appliance fixture (app and db route
each other's subnet to a filtering appliance's interface) applied to the local emulator
and read back from the state and live; both answers must equal the plan's
(tests/plan/test_appliance_between_tiers_plan.py). One apply, one show; no destroy (the
module's emulator reset)."""

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

MODULE = (Path(__file__).resolve().parents[1] / "fixtures" / "handwritten"
          / "east-west-appliance")
REGION = "us-east-1"


@pytest.fixture(scope="module")
def applied_state(local_aws: LocalAWS,
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("apply-east-west-appliance")
    runner = ReattachedRunner.for_module(MODULE, workdir, region=REGION,
                                         endpoint=local_aws.endpoint)
    (workdir / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(local_aws.endpoint, REGION))
    runner.init()
    runner.apply()
    # No destroy: no test asserts one; the module's emulator reset (conftest.py) empties it.
    return runner.show()


def _summary(result: Any, source: str) -> tuple[Any, dict[str, str]]:
    found = reach_json(result, source)
    return found["flows"], {t: i["exposure"] for t, i in found["tiers"].items()}


def test_state_and_live_read_the_appliance_and_equal_the_plan(
        applied_state: dict[str, Any], local_aws: LocalAWS, tierform_cache_dir: Path,
        tierform_terraform: str | None) -> None:
    state = analyze(network_from_state(applied_state))
    assert str(state.ports("app", "db", "tcp")) == "5432"
    assert not state.unknown_ports("app", "db", "tcp")
    vpc_id = next(r["values"]["id"] for r in applied_state["values"]["root_module"]["resources"]
                  if r["address"] == "aws_vpc.this")
    live = analyze(network_from_live(client("ec2", local_aws.endpoint, REGION), vpc_id=vpc_id))
    assert str(live.ports("app", "db", "tcp")) == "5432"
    assert not live.unknown_ports("app", "db", "tcp")
    plan = plan_files(module_files(MODULE), region=REGION, cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    planned = _summary(analyze(network_from_plan(plan.raw)), "plan")
    assert _summary(state, "state") == planned
    assert _summary(live, "live") == planned
