"""The harness's cold path (issue 13): fewer terraform runs, the same plan as plain terraform.

A shipped module's ``example/`` calls ``../``; terraform reads the root folder only, so the
plan dir needs no ``terraform get``. Tierform's runs use ``GOGC=400`` (terraform and the
reattached provider) unless the user sets ``GOGC``. Neither may change what a plan says:
the plan is compared with the one plain terraform makes (``init``, ``get``, ``plan -out``,
``show -json``, Go's default GOGC, terraform starting its own provider).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tierform.render.writer import write_module
from tierform.terraform import reattach
from tierform.terraform.cache import plan_files, prepare_workdir
from tierform.terraform.cliconfig import GO_GC, OFFLINE_PROVIDER_FILE, offline_provider_hcl
from tierform.terraform.runner import COUNTERS, module_files, resolve_binary

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = ROOT / "modules" / "three-tier"


def _normal(raw: dict[str, Any]) -> dict[str, Any]:
    """The plan without what differs between any two runs of terraform itself: the
    timestamp, and the order of ``relevant_attributes`` (terraform emits it unordered)."""
    document = {k: v for k, v in raw.items() if k != "timestamp"}
    document["relevant_attributes"] = sorted(
        raw.get("relevant_attributes", []), key=lambda item: json.dumps(item, sort_keys=True))
    return document


def _plain_terraform(files: dict[str, bytes], folder: Path) -> dict[str, Any]:
    """What a team does without Tierform, every verb, Go's defaults, no reattach."""
    write_module(files, folder, extra={OFFLINE_PROVIDER_FILE: offline_provider_hcl("us-east-1")})
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOGC", "TF_REATTACH_PROVIDERS", "TF_LOG")}
    binary = resolve_binary()
    for argv in (["init", "-input=false", "-no-color"], ["get", "-no-color"],
                 ["plan", "-input=false", "-no-color", "-lock=false", "-out=plain.tfplan"]):
        subprocess.run([binary, *argv], cwd=folder, env=env, check=True, capture_output=True)
    shown = subprocess.run([binary, "show", "-json", "plain.tfplan"], cwd=folder, env=env,
                           check=True, capture_output=True, text=True)
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


def test_cold_plan_runs_no_get_and_says_what_plain_terraform_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = module_files(THREE_TIER)
    assert any(k.startswith("example/") for k in files)  # the call that needed `get` before
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    reattach.stop_all()
    COUNTERS.clear()
    plan = plan_files(files, cache_dir=tmp_path / "cache")
    assert COUNTERS == {"version": 1, "init": 1, "provider": 1, "plan": 1, "show": 1}
    (pid,) = reattach.running().values()
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"GOGC={GO_GC}".encode() in environ
    plain = _plain_terraform(files, tmp_path / "plain")
    assert _normal(plan.raw) == _normal(plain)
    assert len(plan.raw["resource_changes"]) > 50


def test_the_users_gogc_reaches_the_provider(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    files = {k: v for k, v in module_files(THREE_TIER).items() if not k.startswith("example/")}
    monkeypatch.setenv("GOGC", "150")
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    reattach.stop_all()
    with reattach.reattached(prepare_workdir(files, cache_dir=tmp_path / "cache")) as env:
        assert env
    (pid,) = reattach.running().values()
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"GOGC=150" in environ
    assert f"GOGC={GO_GC}".encode() not in environ
    reattach.stop_all()
