"""The README's path: render, ``cd example && terraform init && terraform apply``, change
nothing, render again. The state and Terraform's working files are still there, ``render
--check`` is clean, and Terraform plans no change. Real terraform, the session emulator
(reached through an override file of the user's, which the render keeps too)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cli_support import ROOT, tierform
from tierform.localaws import LocalAWS, provider_hcl

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

TWO_TIER = ROOT / "blueprints" / "two-tier.yaml"
REGION = "eu-west-1"  # the blueprint's


def _terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["terraform", *args, "-input=false", "-no-color"], cwd=cwd,
                          capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "TF_IN_AUTOMATION": "1"})


def _kept(example: Path) -> dict[str, bytes]:
    names = ["terraform.tfstate", ".terraform.lock.hcl", "emulator_override.tf",
             ".terraform/modules/modules.json"]
    return {name: (example / name).read_bytes() for name in names}


def test_render_after_apply_in_example_keeps_the_state(local_aws: LocalAWS,
                                                       tmp_path: Path) -> None:
    (tmp_path / "bp.yaml").write_text(TWO_TIER.read_text(encoding="utf-8"), encoding="utf-8")
    assert tierform("render", "bp.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    example = tmp_path / "out" / "example"
    # The user's own file: the example's provider, pointed at the emulator.
    (example / "emulator_override.tf").write_text(provider_hcl(local_aws.endpoint, REGION))
    init = _terraform("init", cwd=example)
    assert init.returncode == 0, init.stdout + init.stderr
    # No destroy after: the module's emulator reset forgets the network (conftest.py).
    applied = _terraform("apply", "-auto-approve", cwd=example)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    before = _kept(example)
    assert b'"aws_vpc"' in before["terraform.tfstate"]

    again = tierform("render", "bp.yaml", "-o", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert _kept(example) == before
    assert (example / ".terraform" / "providers").is_dir()
    check = tierform("render", "bp.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    # -detailed-exitcode: 0 is "no changes", 2 would be a diff against the kept state.
    plan = _terraform("plan", "-detailed-exitcode", cwd=example)
    assert plan.returncode == 0, plan.stdout + plan.stderr
