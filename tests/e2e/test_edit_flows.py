"""Editing the flows of an applied network touches only what the edit is about (issue 11).

Four-tier is applied to the emulator once; then, on the same state, Terraform plans three
edits of the blueprint: a flow's ports widened (only that flow's rules change), the flows
reordered (nothing changes), a flow removed (only deletes, of that flow's resources). The
plans skip the refresh: the first test proves the state matches the emulator.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import ROOT, pending_changes

from tierform import workflow
from tierform.apply import apply_blueprint, prepare_workdir
from tierform.layout import Layout
from tierform.localaws import LocalAWS, provider_hcl
from tierform.terraform.runner import Runner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = ROOT / "blueprints" / "four-tier.yaml"


@dataclass
class Applied:
    checked: workflow.Checked
    workdir: Path
    endpoint: str

    def plan(self, data: dict[str, Any], tmp_path: Path) -> tuple[dict[str, Any], Layout]:
        """Terraform's plan of the edited blueprint over the applied state, and its layout."""
        path = tmp_path / "four-tier.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        edited = workflow.check(workflow.load(path))
        prepare_workdir(workflow.render(edited), self.workdir,
                        provider_hcl(self.endpoint, edited.region))
        runner = Runner(self.workdir)
        out = self.workdir / "edit.tfplan"
        runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
        return runner.show(out), edited.layout


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Applied]:
    checked = workflow.check(workflow.load(BLUEPRINT))
    workdir = tmp_path_factory.mktemp("edit-flows")
    try:
        apply_blueprint(checked, local=False, endpoint=local_aws.endpoint, workdir=workdir)
        yield Applied(checked, workdir, local_aws.endpoint)
    finally:
        # Back to the applied configuration, then destroy what the apply built.
        prepare_workdir(workflow.render(checked), workdir,
                        provider_hcl(local_aws.endpoint, checked.region))
        Runner(workdir).destroy()


def source() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BLUEPRINT.read_text(encoding="utf-8"))
    return data


def flow_resources(layout: Layout, flow_id: str) -> set[str]:
    """Addresses of the rules that serve ``flow_id`` (a shared group rule: its owner's)."""
    nacl = {f"aws_network_acl_rule.{r.name}" for r in layout.nacl_rules if r.flow == flow_id}
    sg = {f"aws_vpc_security_group_{'egress' if r.egress else 'ingress'}_rule.{r.name}"
          for r in layout.sg_rules if r.flow == flow_id}
    return nacl | sg


def changes(plan: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {c["address"]: tuple(c["change"]["actions"]) for c in plan["resource_changes"]
            if c["change"]["actions"] not in (["no-op"], ["read"])}


def test_applied_state_matches(applied: Applied) -> None:
    runner = Runner(applied.workdir)
    assert pending_changes(runner.show(runner.plan())) == []


def test_editing_a_flows_ports_touches_only_that_flows_rules(applied: Applied,
                                                             tmp_path: Path) -> None:
    data = source()
    edit = next(f for f in data["flows"] if (f["from"], f["to"]) == ("web", "app"))
    edit["ports"] = [8443, 9443]
    plan, layout = applied.plan(data, tmp_path)
    changed = changes(plan)
    mine = flow_resources(applied.checked.layout, "web_to_app_tcp") | flow_resources(
        layout, "web_to_app_tcp")
    assert changed, "the edit must plan something"
    assert set(changed) <= mine, sorted(set(changed) - mine)
    # Widening adds rules for 9443; the 8443 rules and the return legs stay as they are.
    assert set(changed.values()) == {("create",)}, changed
    assert {a.split(".")[0] for a in changed} == {
        "aws_network_acl_rule", "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule"}


def test_reordering_flows_plans_nothing(applied: Applied, tmp_path: Path) -> None:
    data = source()
    data["flows"] = data["flows"][::-1]
    plan, _ = applied.plan(data, tmp_path)
    assert pending_changes(plan) == []


def test_removing_a_flow_only_deletes_its_rules(applied: Applied, tmp_path: Path) -> None:
    for gone in ("mgmt_to_db_tcp", "corp_to_mgmt_tcp"):
        data = source()
        data["flows"] = [f for f in data["flows"]
                         if f"{f['from']}_to_{f['to']}_tcp" != gone]
        plan, _ = applied.plan(data, tmp_path)
        assert pending_changes(plan, allowed=("delete",)) == [], gone
        deleted = set(changes(plan))
        mine = flow_resources(applied.checked.layout, gone)
        assert mine <= deleted, sorted(mine - deleted)
        extra = deleted - mine
        if gone == "corp_to_mgmt_tcp":
            # The only flow naming corp: its gateway and routes go too, and nothing else.
            assert extra == {"aws_vpn_gateway.this", *(
                f"aws_route.mgmt_{az}_corp" for az in "abc")}, sorted(extra)
        else:
            assert extra == set(), sorted(extra)
    # The copy in this work dir is edited; the fixture restores the applied one.
    assert copy.deepcopy(source()) == source()
