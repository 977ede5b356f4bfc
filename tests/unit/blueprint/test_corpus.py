"""Invalid-blueprint corpus: every file fails with the expected message at the expected place.

Each file in corpus/ starts with ``# expect: <part of the message>`` and
``# at: <line>:<col>`` (where the first finding points). corpus_valid/ holds blueprints
that must load without findings. The last tests run the CLI on bad input that a file
cannot hold (a FIFO, a device, a huge file, a flood of findings, a hostile file name).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cli_support import failed, tierform
from tierform import workflow
from tierform.blueprint.load import load_blueprint, load_blueprint_text
from tierform.cli import error_text, printable
from tierform.errors import BlueprintError, Finding

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


# --------------------------------------------------------------------------- as the user sees it


def test_cli_never_blocks_on_a_fifo_or_a_device(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "bp.yaml")
    failed(tierform("validate", "bp.yaml", cwd=tmp_path, timeout=60), 2,
           "bp.yaml:1:1: <root>: is a named pipe (FIFO), not a regular file",
           "hint: save the blueprint to a .yaml file and name that file")
    failed(tierform("validate", "/dev/zero", cwd=tmp_path, timeout=60), 2,
           "is a character device")


def test_cli_refuses_a_huge_file_at_once(tmp_path: Path) -> None:
    with (tmp_path / "bp.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    failed(tierform("validate", "bp.yaml", cwd=tmp_path, timeout=60), 2,
           "the file is too large for a blueprint (52,428,800 bytes); the limit is "
           "1,048,576 bytes (1 MiB)")


def test_cli_summarizes_repeated_findings(tmp_path: Path) -> None:
    flows = "".join(f"  - {{from: web, to: app, ports: [x{i}], id: f{i}}}\n"
                    for i in range(5000))
    text = (HERE / "corpus_valid" / "three-tier.yaml").read_text(encoding="utf-8")
    (tmp_path / "bp.yaml").write_text(text.replace("flows:\n", "flows:\n" + flows))
    stderr = failed(tierform("validate", "bp.yaml", cwd=tmp_path), 2,
                    "… and 989 more port-invalid problems like these (`tierform validate "
                    "--format json` lists them)", "4,001 more problems after line",
                    "are not listed (5,000 in all)")
    assert stderr.count("is not a port") == 10
    assert len(stderr) < 4000
    listed = json.loads(tierform("validate", "bp.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert len(listed["findings"]) == 1000


def test_cli_cuts_a_long_finding(tmp_path: Path) -> None:
    finding = Finding(path=("flows", 1), message="flow(s) " + ", ".join(map(str, range(9999))),
                      code="nacl-quota", file="bp.yaml", line=3, column=1)
    text = error_text(BlueprintError([finding]))
    assert len(text) < 1200
    assert text.endswith(f"… ({len(finding.format()):,} characters)")


def test_cli_escapes_control_characters_it_echoes(tmp_path: Path) -> None:
    name = "bp\x1b[31m\u202e.yaml"
    (tmp_path / name).write_text("tierform: 1\n")
    stderr = failed(tierform("validate", name, cwd=tmp_path), 2, "bp\\x1b[31m\\u202e.yaml:1:1")
    assert "\x1b" not in stderr
    assert "\u202e" not in stderr
    # Values echoed from the blueprint too (a zone name with an escape sequence).
    text = (HERE / "corpus_valid" / "three-tier.yaml").read_text(encoding="utf-8")
    (tmp_path / "zone.yaml").write_text(text.replace("us-east-1b]", '"us-east-1b\\e[2J"]'))
    stderr = failed(tierform("validate", "zone.yaml", cwd=tmp_path), 2, "us-east-1b\\x1b[2J")
    assert "\x1b" not in stderr
    assert printable("a\tb\nc\x00") == "a\\tb\nc\\x00"
