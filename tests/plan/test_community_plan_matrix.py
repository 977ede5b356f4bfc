"""The network read from each community fixture's offline plan equals its hand-written
matrix, pair by pair (tests/fixtures/community/*.expected.json), as the state read back
from the emulator does (tests/e2e/test_community_state.py): plan == state == by hand.

Both ways in are held to it: ``tierform reach PLAN.json`` run in the configuration
directory (the reader's default; the fixture's local module sources are there) and the
``Plan`` test API, which shares the readers' one reference resolver.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import tierform
from community_support import NAMES, REGION, differences, load_expected
from tierform.report import reach_json
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform


@pytest.mark.parametrize("name", NAMES)
def test_reach_on_the_plan_is_the_hand_derived_matrix(name: str, tierform_plan: PlanFactory,
                                                      tmp_path: Path) -> None:
    expected = load_expected(name)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(dict(tierform_plan(expected.module, region=REGION).raw)),
                         encoding="utf-8")
    done = tierform("reach", str(plan_file), "--format", "json", cwd=expected.module,
                    env={"TIERFORM_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    problems = differences(json.loads(done.stdout), expected)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_plan_flows_are_the_hand_derived_matrix(name: str, tierform_plan: PlanFactory) -> None:
    expected = load_expected(name)
    reach = reach_json(tierform_plan(expected.module, region=REGION).flows(), "plan")
    problems = differences(reach, expected)
    assert not problems, "\n".join(problems)
