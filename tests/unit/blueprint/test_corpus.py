"""Invalid-blueprint corpus: every file fails with the expected message at the expected place.

Each file in corpus/ starts with ``# expect: <part of the message>`` and
``# at: <line>:<col>`` (where the first finding points). corpus_valid/ holds blueprints
that must load without findings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tierform import workflow
from tierform.blueprint.load import load_blueprint, load_blueprint_text
from tierform.errors import BlueprintError

HERE = Path(__file__).parent
INVALID = sorted((HERE / "corpus").glob("*.yaml"))
VALID = sorted((HERE / "corpus_valid").glob("*.yaml"))
HEADER = re.compile(r"# expect: (?P<expect>.+)\n# at: (?P<line>\d+):(?P<col>\d+)\n")


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 45
    assert len(VALID) >= 2


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_blueprint_is_reported(path: Path) -> None:
    header = HEADER.match(path.read_text(encoding="utf-8"))
    assert header, f"{path.name} must start with '# expect:' and '# at:' lines"
    with pytest.raises(BlueprintError) as caught:  # what `tierform validate` runs
        workflow.check(workflow.load(path))
    error = caught.value
    assert header["expect"] in str(error)
    assert error.exit_code == 2
    first = error.findings[0]
    assert (first.line, first.column) == (int(header["line"]), int(header["col"])), str(error)
    for finding in error.findings:
        assert finding.file == str(path)
        assert finding.line is not None
        assert finding.line >= 1
        assert finding.column is not None
        assert finding.column >= 1
        assert finding.key_path
        assert finding.hint, finding.format()
        assert finding.code != "invalid", f"unmapped error kind: {finding.format()}"
        assert f"{path}:{finding.line}:{finding.column}" in str(error)


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_blueprint_loads(path: Path) -> None:
    loaded = load_blueprint(path)
    assert set(loaded.allocation) == set(loaded.blueprint.tiers)
    for zones in loaded.allocation.values():
        assert list(zones) == loaded.blueprint.availability_zones


def test_two_errors_in_one_file_are_both_reported() -> None:
    text = (HERE / "corpus_valid" / "three-tier.yaml").read_text(encoding="utf-8")
    text = text.replace("availability_zones: [us-east-1a, us-east-1b]",
                        "availability_zones: [us-east-1a, us-east-1a]")
    text = text.replace("{from: web, to: app, ports: [8080]}",
                        "{from: web, to: ap, ports: [80800]}")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "two.yaml")
    codes = [finding.code for finding in caught.value.findings]
    assert codes == ["az-duplicate", "flow-unknown-endpoint", "port-out-of-range"]
    assert "blueprint is invalid (3 problems)" in str(caught.value)
    lines = [finding.line for finding in caught.value.findings]
    assert lines == sorted(lines)


def test_shape_errors_are_all_reported_together() -> None:
    text = (HERE / "corpus_valid" / "three-tier.yaml").read_text(encoding="utf-8")
    text = text.replace("exposure: private", "exposure: privat").replace("nat: per_az", "nat: yes")
    text = text.replace("description: SEC05", "descripton: SEC05")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "three.yaml")
    messages = [finding.message for finding in caught.value.findings]
    assert len(messages) == 3, messages
    assert any("unknown key 'descripton'" in m for m in messages)
    assert any("'privat' is not allowed for 'exposure'" in m for m in messages)
    assert any("yes (read by YAML 1.1 as true) is not allowed for 'nat'" in m for m in messages)
