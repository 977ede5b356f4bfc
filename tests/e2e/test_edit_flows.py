"""Editing the flows of an applied network touches only what the edit is about (issue 11).

Four-tier is applied to the emulator once; then, on the same state, Terraform plans three
edits of the blueprint: a flow's ports widened (only that flow's rules change), the flows
reordered (nothing changes), a flow removed (only deletes, of that flow's resources). The
plans skip the refresh: the first test proves the state matches the emulator.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import ROOT, pending_changes

from tierform import workflow
from tierform.apply import apply_module
from tierform.layout import Layout
from tierform.localaws import LocalAWS, provider_hcl
from tierform.render.writer import write_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.runner import Runner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = ROOT / "blueprints" / "four-tier.yaml"


def rewrite(files: dict[str, str], workdir: Path, endpoint: str, region: str) -> None:
    """A module rendered into an applied work dir, as apply writes it (state kept)."""
    module = {k: v for k, v in files.items() if not k.startswith("example/")}
    write_module(module, workdir, extra={OFFLINE_PROVIDER_FILE: provider_hcl(endpoint, region)})


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
        rewrite(workflow.render(edited), self.workdir, self.endpoint, edited.region)
        runner = Runner(self.workdir)
        out = self.workdir / "edit.tfplan"
        runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
        return runner.show(out), edited.layout


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    """four-tier applied; no destroy after (the module's emulator reset, conftest.py)."""
    checked = workflow.check(workflow.load(BLUEPRINT))
    workdir = tmp_path_factory.mktemp("edit-flows")
    apply_module(workflow.render(checked), name=checked.name, region=checked.region,
                 endpoint=local_aws.endpoint, workdir=workdir)
    return Applied(checked, workdir, local_aws.endpoint)


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


def test_renamed_group_rules_are_moved_not_replaced(local_aws: LocalAWS, tmp_path: Path
                                                    ) -> None:
    """Tiers with ``_`` in their names: the previous release named their group rules without
    escaping. Applied under those names, the new module plans moves, nothing else. (The
    stand-in for the previous module differs only in those names: the real one's
    descriptions said ``flow 1``, an in-place update on top, see CHANGELOG.md.)"""
    text = yaml.safe_dump({
        "tierform": 1, "name": "moved", "region": "us-east-1",
        "vpc": {"cidr": "10.40.0.0/16"}, "availability_zones": ["us-east-1a"],
        "tiers": {"web_public": {"exposure": "public", "netmask": 24},
                  "db_main": {"exposure": "isolated", "netmask": 24}},
        "flows": [{"from": "internet", "to": "web_public", "ports": [443]},
                  {"from": "web_public", "to": "db_main", "ports": [5432]}]}, sort_keys=False)
    (tmp_path / "moved.yaml").write_text(text, encoding="utf-8")
    checked = workflow.check(workflow.load(tmp_path / "moved.yaml"))
    renamed = {r.name: r.moved_from for r in checked.layout.sg_rules}
    assert all(renamed.values()), renamed  # every rule here had another name before
    files = workflow.render(checked)
    # The previous release's security_groups.tf: the old names, no moved blocks.
    blocks = files["security_groups.tf"].split("\n\n")
    old = "\n\n".join(b for b in blocks if not b.lstrip().startswith(("moved {", "# The name")))
    for new_name, old_name in renamed.items():
        old = old.replace(f'"{new_name}" {{', f'"{old_name}" {{')
    assert "moved {" not in old
    previous = {**files, "security_groups.tf": old}
    workdir = tmp_path / "work"
    apply_module(previous, name=checked.name, region=checked.region,
                 endpoint=local_aws.endpoint, workdir=workdir)
    runner = Runner(workdir)
    rewrite(files, workdir, local_aws.endpoint, checked.region)
    out = workdir / "moved.tfplan"
    runner.execute("plan", "-input=false", "-no-color", f"-out={out}")
    plan = runner.show(out)
    assert pending_changes(plan) == []
    moved = {c["previous_address"]: c["address"] for c in plan["resource_changes"]
             if c.get("previous_address")}
    assert moved == {
        f"aws_vpc_security_group_{'egress' if r.egress else 'ingress'}_rule.{r.moved_from}":
        f"aws_vpc_security_group_{'egress' if r.egress else 'ingress'}_rule.{r.name}"
        for r in checked.layout.sg_rules}
