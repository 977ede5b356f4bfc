"""Editing the flows of an applied network touches only what the edit is about (issue 11).

The edits of four-tier's flows (ports widened, flows reordered, a flow removed) are
planned over the shipped four-tier's apply, in shipped_cases.py (run by
test_apply_shipped_four_tier.py): one four-tier apply per session (its S3 lifecycle
alone waits a minute on the provider's polling). Here: a
previous release's group-rule names, applied, are moved, not replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from e2e_support import pending_changes

from tierform import workflow
from tierform.apply import apply_module
from tierform.localaws import LocalAWS, provider_hcl
from tierform.render.writer import write_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]


def rewrite(files: dict[str, str], workdir: Path, endpoint: str, region: str) -> None:
    """A module rendered into an applied work dir, as apply writes it (state kept)."""
    module = {k: v for k, v in files.items() if not k.startswith("example/")}
    write_module(module, workdir, extra={OFFLINE_PROVIDER_FILE: provider_hcl(endpoint, region)})


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
    runner = ReattachedRunner(workdir)
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
