"""The terminal and the diagram on real plans: progress lines from a plan that runs, the
plan summary counted against the plan JSON, a plan JSON drawn from what the analyzer finds."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from cli_support import ROOT, tierform
from tierform import report, workflow
from tierform.cli import _plan_changes, main

pytestmark = pytest.mark.terraform

TWO_TIER = str(ROOT / "blueprints" / "two-tier.yaml")
THREE_TIER = ROOT / "blueprints" / "three-tier.yaml"


def test_a_real_plan_reports_progress_from_terraform(tmp_path: Path) -> None:
    """A plan that really runs (a fresh cache in tmp_path), piped: the progress lines come
    from terraform plan -json; the second run is a cache hit and runs no terraform plan."""
    first = tierform("plan", TWO_TIER, cwd=tmp_path, drop=("TIERFORM_QUIET", "NO_COLOR"))
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert lines[0] == "planning two-tier (offline, cached by content)..."
    assert re.fullmatch(r"planning two-tier \(offline, cached by content\): done in "
                        r"(\d+ s|\d+ min \d+ s) \(42 changes planned\)", lines[-1]), lines
    assert first.stdout.startswith("two-tier: plan: 42 to create\n")
    second = tierform("plan", TWO_TIER, cwd=tmp_path, drop=("TIERFORM_QUIET",))
    assert second.returncode == 0, second.stderr
    assert "changes planned" not in second.stderr  # cached: no terraform ran
    assert second.stdout == first.stdout


def test_the_plan_summary_counts_a_real_plan_by_type_and_tier() -> None:
    plan = workflow.plan_blueprint(THREE_TIER)
    changes = _plan_changes(plan)
    text = report.changes_table("three-tier", changes)
    # Counted again, straight from the plan JSON.
    by_type = Counter(rc["type"] for rc in plan.raw["resource_changes"]
                      if rc["mode"] == "managed" and rc["change"]["actions"] == ["create"])
    total = sum(by_type.values())
    assert text.splitlines()[0] == f"three-tier: plan: {total} to create"
    rows = {line.rsplit(None, 1)[0]: line.rsplit(None, 1)[1:]
            for line in text.splitlines()[1:] if line}
    for type_, count in by_type.items():
        assert rows[type_] == [str(count)], type_
    for tier in ("web", "app", "db"):
        assert rows[tier] == [str(len(plan.resources(tier=tier)))], tier
    assert rows["(no tier)"] == [str(total - sum(len(plan.resources(tier=t))
                                                 for t in ("web", "app", "db")))]
    assert [r for k, r in rows.items() if k == "total"] == [[str(total)]]
    document = report.changes_json("three-tier", changes)
    assert document["changes"] == {"create": total, "update": 0, "replace": 0, "delete": 0}
    assert sum(row["create"] for row in document["by_tier"].values()) == total


def test_a_plan_json_is_drawn_from_what_the_analyzer_finds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = workflow.plan_blueprint(THREE_TIER)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.raw))
    assert main(["diagram", str(path), "--config-dir", str(plan.config_dir)]) == 0
    text = capsys.readouterr().out
    for cidr in ("10.0.1.0/24", "10.0.2.0/24", "10.0.11.0/24", "10.0.21.0/24"):
        assert cidr in text
    assert sum('{{"NAT gateway (' in line for line in text.splitlines()) == 2
    arrows = [line.strip() for line in text.splitlines() if "-->" in line]
    assert 'internet -->|"tcp 80,443"| t_web' in arrows
    assert 't_app -->|"tcp 3306"| t_db' in arrows
    assert main(["diagram", str(path), "--config-dir", str(plan.config_dir),
                 "--blueprint", str(THREE_TIER)]) == 0
    verified = capsys.readouterr().out
    assert "BROKEN" not in verified
    assert "UNINTENDED" not in verified
    assert '|"app_to_db_tcp: tcp 3306"|' in verified
