"""``tierform plan --out``: the plan JSON reaches a device such as /dev/stdout in order with
the summary, and the device is never replaced by a regular file (a cached real plan)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cli_support import ROOT, tierform

pytestmark = pytest.mark.terraform

TWO_TIER = ROOT / "blueprints" / "two-tier.yaml"


def test_plan_out_dev_stdout(tmp_path: Path) -> None:
    before = os.lstat("/dev/stdout")
    result = tierform("plan", str(TWO_TIER), "--out", "/dev/stdout", quiet=True)
    assert result.returncode == 0, result.stderr
    # The document, then the summary (its first line, then the counts by type and tier).
    plan, end = json.JSONDecoder().raw_decode(result.stdout)
    assert plan["resource_changes"]
    assert result.stdout[end:].lstrip("\n").startswith("two-tier: plan: ")
    after = os.lstat("/dev/stdout")
    assert stat.S_ISLNK(after.st_mode)
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    # A regular file: replaced whole, the same document.
    out = tmp_path / "plan.json"
    again = tierform("plan", str(TWO_TIER), "--out", str(out), quiet=True)
    assert again.returncode == 0, again.stderr
    assert json.loads(out.read_text()) == plan
