"""East-west inspection (issue 15) through a real terraform plan of
tests/plan/fixtures/inspected-east-west.yaml: every route and pass rule the mode derives
(written out by hand from the fixture), the network read back from the plan answers as the
blueprint-derived one does, ``verify`` proves app <-> db crosses the firewall both ways,
and three mutants of the rendered HCL are caught from the plan: a db table missing the
return route (asymmetric), an app route to the other AZ's endpoint (cross-AZ and
asymmetric), an app route that skips the firewall (bypass)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plan.test_inspection_plan import _hcl_routes, _target
from tierform import workflow
from tierform.analyze import analyze
from tierform.cli import main
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.plan import Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "inspected-east-west.yaml"
APP = {"app_a": ("10.0.11.0/24", "us-east-1a"), "app_b": ("10.0.12.0/24", "us-east-1b")}
DB = {"db_a": ("10.0.21.0/24", "us-east-1a"), "db_b": ("10.0.22.0/24", "us-east-1b")}


@pytest.fixture(scope="module")
def checked() -> workflow.Checked:
    return workflow.check(workflow.load(BLUEPRINT))


def _plan(checked: workflow.Checked, cache: Path, terraform: str | None,
          edit: Callable[[str], str] | None = None) -> Plan:
    files = workflow.render(checked)
    if edit is not None:
        before = files["inspection.tf"]
        files = {**files, "inspection.tf": edit(before)}
        assert files["inspection.tf"] != before  # the mutant changes something
    return plan_files(files, None, region=checked.region, cache_dir=cache,
                      terraform=terraform)


@pytest.fixture(scope="module")
def planned(checked: workflow.Checked, tierform_cache_dir: Path,
            tierform_terraform: str | None) -> Plan:
    return _plan(checked, tierform_cache_dir, tierform_terraform)


def test_every_east_west_route_both_ways_through_one_endpoint(planned: Plan) -> None:
    hcl = _hcl_routes(planned)
    got = {r.address: (planned.references(r.address, "route_table_id"),
                       r["destination_cidr_block"], _target(planned, hcl, r.address))
           for r in planned.resources("aws_route") if "_east_west_" in r.address}
    expected = {}
    for app, (app_cidr, app_az) in APP.items():
        for db, (db_cidr, _) in DB.items():
            # one endpoint per pair, both ways: app's AZ (app comes first in the blueprint)
            expected[f"aws_route.{app}_east_west_{db}"] = (
                [f"aws_route_table.{app}"], db_cidr, f"firewall {app_az}")
            expected[f"aws_route.{db}_east_west_{app}"] = (
                [f"aws_route_table.{db}"], app_cidr, f"firewall {app_az}")
    assert got == expected
    # db's tables are written without an inline `route = []`, which would remove these
    assert planned.config_dir is not None
    routes_tf = (planned.config_dir / "routes.tf").read_text(encoding="utf-8")
    for db in DB:
        body = routes_tf.split(f'resource "aws_route_table" "{db}"')[1].split("\n}\n")[0]
        assert "route" not in body.replace("route_table", "")


def test_one_pass_rule_per_subnet_pair(planned: Plan) -> None:
    (group,) = [g for g in planned.resources("aws_networkfirewall_rule_group")
                if g.address == "aws_networkfirewall_rule_group.flows"]
    rules = group["rule_group"][0]["rules_source"][0]["stateful_rule"]
    headers = {(r["action"], h["protocol"], h["source"], h["destination"],
                h["destination_port"], h["direction"])
               for r in rules for h in r["header"]}
    assert {h for h in headers if h[4] == "3306"} == {
        ("PASS", "TCP", a, d, "3306", "FORWARD")
        for a, _ in APP.values() for d, _ in DB.values()}
    sids = [r["rule_option"][0]["settings"][0] for r in rules]
    assert len(sids) == len(set(sids))


def test_the_planned_network_answers_as_the_blueprint(checked: workflow.Checked,
                                                      planned: Plan) -> None:
    intended = reach_json(analyze(checked.network), "blueprint")
    network = planned.network(named_networks=checked.loaded.blueprint.network_cidrs)
    got = reach_json(analyze(network), "plan")
    assert got["unresolved"] == []
    assert got["unknown"] == [] == intended["unknown"]
    assert got["flows"] == intended["flows"]
    assert got["tiers"] == intended["tiers"]
    assert {"from": "app", "to": "db", "protocol": "tcp", "ports": [[3306, 3306]],
            "family": "ipv4"} in got["flows"]


def _cli_verify(plan: Plan, tmp_path: Path,
                capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    assert plan.config_dir is not None
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.raw), encoding="utf-8")
    capsys.readouterr()
    code = main(["verify", str(BLUEPRINT), "--plan", str(path), "--config-dir",
                 str(plan.config_dir), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_verify_proves_app_to_db_is_inspected(planned: Plan, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, got = _cli_verify(planned, tmp_path, capsys)
    assert [f["message"] for f in got["findings"]] == []
    assert (code, got["unknown"]) == (0, [])


def _drop(name: str) -> Callable[[str], str]:
    """Remove the ``aws_route`` ``name`` (and its comment line)."""
    block = re.compile(rf'\n# [^\n]*\nresource "aws_route" "{name}" \{{[^}}]*\}}\n')
    return lambda text: block.sub("\n", text, count=1)


def _retarget(name: str, az: str) -> Callable[[str], str]:
    """Point the ``aws_route`` ``name`` at the endpoint of ``az``."""
    block = re.compile(rf'(resource "aws_route" "{name}" \{{[^}}]*?availability_zone == )'
                       r'"us-east-1[ab]"')
    return lambda text: block.sub(rf'\1"{az}"', text, count=1)


@pytest.mark.parametrize(("edit", "expected"), [
    (_drop("db_b_east_west_app_a"), [("asymmetric", "aws_subnet.app_a")]),
    (_retarget("app_a_east_west_db_a", "us-east-1b"),
     [("asymmetric", "aws_subnet.app_a"), ("cross-AZ", "aws_subnet.app_a")]),
    (_drop("app_b_east_west_db_b"), [("bypass", "aws_subnet.app_b")]),
], ids=["return-route-missing", "other-endpoint", "skips-the-firewall"])
def test_mutants_are_caught_from_the_plan(
        checked: workflow.Checked, tierform_cache_dir: Path, tierform_terraform: str | None,
        tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[str], str],
        expected: list[tuple[str, str]]) -> None:
    mutant = _plan(checked, tierform_cache_dir, tierform_terraform, edit)
    code, got = _cli_verify(mutant, tmp_path, capsys)
    assert code == 1
    found = sorted((f["message"].split(":")[0],
                    re.search(r"subnet (\S+)", f["message"]).group(1))  # type: ignore[union-attr]
                   for f in got["findings"] if f["kind"] == "inspection")
    assert found == expected, got["findings"]
    assert all("app -> db must be inspected" in f["message"] for f in got["findings"]
               if f["kind"] == "inspection")
