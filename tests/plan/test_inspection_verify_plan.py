"""The inspection joined to the firewall proof (issue 15) through a real terraform plan of
tests/plan/fixtures/inspected.yaml: the derived network answers as the plan does, and
``verify`` proves the inspected flows cross the firewall (a bypass mutant fails)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tierform import workflow
from tierform.analyze import analyze
from tierform.blueprint.load import load_blueprint_text
from tierform.cli import main
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


# --- verify: the inspected flows cross the firewall --------------------------------------

EGRESS_ALONE = (BLUEPRINT.read_text(encoding="utf-8")
                .replace("modes: [ingress, egress]", "modes: [egress]")
                .replace("  - {from: internet, to: web, ports: [80, 443]}\n", "")
                .replace("  - {from: web, to: app, ports: [8080]}\n", ""))


def _cli_verify(blueprint: Path, plan: Plan, tmp_path: Path,
                capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """``tierform verify BLUEPRINT --plan PLAN.json --config-dir HCL --format json``."""
    assert plan.config_dir is not None
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.raw), encoding="utf-8")
    capsys.readouterr()
    code = main(["verify", str(blueprint), "--plan", str(path), "--config-dir",
                 str(plan.config_dir), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _planned(text: str, cache_dir: Path, terraform: str | None,
             edit: Callable[[str], str] = lambda t: t) -> Plan:
    checked = workflow.check(load_blueprint_text(text, "inspected.yaml"))
    files = {name: edit(body) for name, body in workflow.render(checked).items()}
    return plan_files(files, None, region=checked.region, cache_dir=cache_dir,
                      terraform=terraform)


def test_verify_proves_the_inspected_flows(planned: Plan, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, got = _cli_verify(BLUEPRINT, planned, tmp_path, capsys)
    messages = [f["message"] for f in got["findings"]]
    assert messages == []
    assert (code, got["unknown"]) == (0, [])


def _skip_firewall(subnet: str, nat: str) -> Callable[[str], str]:
    """The subnet's default route straight to the NAT gateway (the firewall skipped)."""
    route = re.compile(rf'(resource "aws_route" "{subnet}_default" \{{[^}}]*?)'
                       r"vpc_endpoint_id\s*=\s*one\(\[[^\n]*\]\)")

    def edit(text: str) -> str:
        return route.sub(rf"\1nat_gateway_id = aws_nat_gateway.{nat}.id", text)
    return edit


def test_bypass_mutant_fails_verify(tierform_cache_dir: Path, tierform_terraform: str | None,
                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blueprint = tmp_path / "inspected.yaml"
    blueprint.write_text(EGRESS_ALONE, encoding="utf-8")
    clean = _planned(EGRESS_ALONE, tierform_cache_dir, tierform_terraform)
    code, got = _cli_verify(blueprint, clean, tmp_path, capsys)
    assert [f["message"] for f in got["findings"]] == []
    assert code == 0
    mutant = _planned(EGRESS_ALONE, tierform_cache_dir, tierform_terraform,
                      _skip_firewall("app_a", "web_a"))
    assert mutant.raw != clean.raw  # the edit took
    code, got = _cli_verify(blueprint, mutant, tmp_path, capsys)
    assert code == 1
    (finding,) = [f for f in got["findings"] if f["kind"] == "inspection"]
    assert finding["message"].startswith("bypass: app -> internet must be inspected, but "
                                         "subnet aws_subnet.app_a"), finding
    assert "aws_nat_gateway.web_a" in finding["message"]
