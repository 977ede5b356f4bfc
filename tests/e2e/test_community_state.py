"""Apply each community-style fixture to the emulator, read it back from state and hold the
analysis to the hand-written matrix, pair by pair (tests/fixtures/community/*.expected.json).

In state every reference is an AWS id, so the state reader needs none of the module
wiring the plan reader must resolve: this is the ground truth the plan side is measured
against. Each test applies and reads its own fixture (its own VPC; no destroy, the
module's emulator reset after the last one), so the tests are independent of each other
and of the worker they run on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from community_support import NAMES, REGION, differences, load_expected
from tierform import workflow
from tierform.localaws import LocalAWS, provider_hcl
from tierform.report import reach_json
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]


def _apply_and_save_state(module: Path, workdir: Path, local_aws: LocalAWS) -> Path:
    """``terraform show -json`` of the applied module, saved in ``workdir``."""
    runner = ReattachedRunner.for_module(module, workdir / "module", region=REGION,
                               endpoint=local_aws.endpoint)
    # The emulator provider block (same file name as the runner's): it asks STS for the
    # account id, without which security-group references read back as "<account>/sg-...".
    (workdir / "module" / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(local_aws.endpoint,
                                                                         REGION))
    runner.init()
    state = workdir / "state.json"
    runner.apply()
    state.write_text(json.dumps(runner.show()), encoding="utf-8")
    return state


@pytest.mark.parametrize("name", NAMES)
def test_state_read_back_is_the_hand_derived_matrix(name: str, local_aws: LocalAWS,
                                                    tmp_path: Path) -> None:
    expected = load_expected(name)
    kind, network = workflow.read_network(_apply_and_save_state(expected.module, tmp_path,
                                                                local_aws))
    assert kind == "state"
    reach = reach_json(workflow.analyze_network(network), kind)
    # Nothing unresolved and no warning either: every tier has its group, every return leg
    # the full ephemeral range.
    problems = differences(reach, expected)
    assert not problems, "\n".join(problems)
