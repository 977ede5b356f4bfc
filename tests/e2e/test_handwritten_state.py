"""Apply the hand-written three-tier fixture to the local emulator and read it back from state.

The plan reader resolves wiring through configuration references; the state reader
through AWS ids. Both must give the same matrix for Terraform Tierform never wrote
(inline routes/rules, separate rule resources, three security-group rule styles).
One apply, one ``show -json``; no destroy (the module's emulator reset, conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tierform.analyze import analyze
from tierform.localaws import LocalAWS, provider_hcl
from tierform.readers.plan import network_from_plan
from tierform.readers.state import network_from_state
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner
from tierform.terraform.runner import module_files

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

MODULE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten" / "three-tier"
REGION = "us-east-1"  # the fixture's availability zones and endpoint services name it


@pytest.fixture(scope="module")
def applied_state(local_aws: LocalAWS,
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``terraform show -json`` of the applied fixture."""
    workdir = tmp_path_factory.mktemp("apply-handwritten")
    runner = ReattachedRunner.for_module(MODULE, workdir, region=REGION,
                               endpoint=local_aws.endpoint)
    # The emulator provider block replaces the runner's (same file name): it lets the provider
    # ask STS for the account id, without which SG references diff on every read.
    (workdir / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(local_aws.endpoint, REGION))
    runner.init()
    runner.apply()
    return runner.show()


@pytest.fixture(scope="module")
def plan_reach(tierform_cache_dir: Path, tierform_terraform: str | None) -> dict[str, Any]:
    """The offline plan's answer (plan cache shared with tests/plan/test_handwritten_matrix)."""
    plan = plan_files(module_files(MODULE), region=REGION, cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    return reach_json(analyze(network_from_plan(plan.raw)), "plan")


def test_state_matrix_equals_the_plan_matrix(applied_state: dict[str, Any],
                                             plan_reach: dict[str, Any]) -> None:
    network = network_from_state(applied_state)
    assert network.source == "state"
    got = reach_json(analyze(network), "state")
    # Not vacuous: the fixture lets exactly internet -> Web tcp 80/443 through.
    assert [(f["from"], f["to"]) for f in plan_reach["flows"]] == [("internet", "Web")]
    assert got["flows"] == plan_reach["flows"]
    assert {t: i["exposure"] for t, i in got["tiers"].items()} == {
        "Web": "public", "Application": "private", "Database": "isolated"}
    assert got["tiers"] == plan_reach["tiers"]
    assert got["unresolved"] == []
    assert got["findings"] == plan_reach["findings"]
