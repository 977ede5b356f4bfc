"""Re-render into a module Terraform has run in (the README's ``cd example && terraform
init``): Terraform's working files and state survive, and ``render --check`` is clean.
Real ``terraform init`` (from the provider mirror), the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from cli_support import ROOT, tierform

pytestmark = pytest.mark.terraform

TWO_TIER = ROOT / "blueprints" / "two-tier.yaml"
STATE = {"version": 4, "terraform_version": "1.5.0", "serial": 3, "lineage": "kept",
         "outputs": {}, "resources": []}


def _terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["terraform", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env={**os.environ, "TF_IN_AUTOMATION": "1"})


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (symbolic links by their target), to prove it is kept."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[name] = os.readlink(path).encode()
        elif path.is_file():
            out[name] = path.read_bytes()
    return out


def test_render_after_terraform_init_keeps_terraforms_files(tmp_path: Path) -> None:
    (tmp_path / "bp.yaml").write_text(TWO_TIER.read_text(encoding="utf-8"), encoding="utf-8")
    assert tierform("render", "bp.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    example = tmp_path / "out" / "example"
    init = _terraform("init", "-input=false", "-no-color", cwd=example)
    assert init.returncode == 0, init.stdout + init.stderr
    assert (example / ".terraform.lock.hcl").is_file()
    assert (example / ".terraform" / "modules" / "modules.json").is_file()
    # What `terraform apply` leaves: the state, its backup, and a user's variables.
    (example / "terraform.tfstate").write_text(json.dumps(STATE))
    (example / "terraform.tfstate.backup").write_text(json.dumps({**STATE, "serial": 2}))
    (example / "terraform.tfvars").write_text('# mine\n')
    kept = {name: data for name, data in _snapshot(example).items() if name != "main.tf"}

    check = tierform("render", "bp.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    again = tierform("render", "bp.yaml", "-o", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    after = _snapshot(example)
    assert {name: after.get(name) for name in kept} == kept
    assert tierform("render", "bp.yaml", "-o", "out", "--check", cwd=tmp_path).returncode == 0
    # Terraform still finds its initialised working directory: no second init needed.
    validate = _terraform("validate", "-no-color", cwd=example)
    assert validate.returncode == 0, validate.stdout + validate.stderr
