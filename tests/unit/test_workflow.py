"""workflow: each stage alone, and the stages strung together as the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tierform import workflow
from tierform.errors import BlueprintError, ReadError

ROOT = Path(__file__).resolve().parents[2]
THREE = ROOT / "blueprints" / "three-tier.yaml"
STATE = ROOT / "tests" / "fixtures" / "handwritten" / "three-tier.state.json"


def test_load_check_render_is_the_shipped_module() -> None:
    checked = workflow.check(workflow.load(THREE))
    assert checked.name == "three-tier"
    assert checked.region == "us-east-1"
    files = workflow.render(checked)
    module = ROOT / "modules" / "three-tier"
    assert files == {p: (module / p).read_text(encoding="utf-8") for p in files}
    assert workflow.render_blueprint(THREE) == (files, "us-east-1")


def test_check_derives_the_network_of_the_layout() -> None:
    checked = workflow.check(workflow.load(THREE))
    assert set(checked.network.tiers) == {"web", "app", "db"}
    assert len(checked.network.subnets) == len(checked.layout.subnets) == 6


def test_the_derived_network_verifies_clean() -> None:
    loaded = workflow.load(THREE)
    report = workflow.verify_network(loaded, workflow.check(loaded).network)
    assert report.ok, [f.message for f in report.findings]
    assert report.exit_code == 0


def test_load_fails_with_every_finding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(THREE.read_text(encoding="utf-8").replace("to: app", "to: ap"),
                   encoding="utf-8")
    with pytest.raises(BlueprintError) as caught:
        workflow.load(bad)
    assert caught.value.exit_code == 2
    assert all(f.file == str(bad) for f in caught.value.findings)


def test_read_network_of_a_state_then_analyze() -> None:
    source, network = workflow.read_network(STATE)
    assert source == "state"
    assert len(network.tiers) == 3
    reach = workflow.analyze_network(network)
    assert set(network.tiers) | {"internet"} <= set(reach.endpoints)


@pytest.mark.parametrize(("text", "says"), [
    ("{", "not JSON"),
    ("[]", "expected a JSON object"),
    ('{"format_version": "1.0"}', ""),
])
def test_read_network_rejects_what_is_not_terraform_json(tmp_path: Path, text: str,
                                                          says: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        workflow.read_network(path)
    assert str(path) in str(caught.value)
    assert says in str(caught.value)
    assert caught.value.exit_code == 2


def test_read_network_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        workflow.read_network(tmp_path / "nope.json")


def test_state_fixture_is_a_state() -> None:
    assert "values" in json.loads(STATE.read_text(encoding="utf-8"))
