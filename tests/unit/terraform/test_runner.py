"""Runner.validate on output that holds no JSON report: a TerraformError carrying the
output, never a JSONDecodeError. A shell script stands in for a terraform (or wrapper)
that prints text where ``validate -json`` should print a document."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.errors import OutputError, TerraformError
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.runner import TIMEOUT_ENV, Runner, timeout_for


def _fake_terraform(tmp_path: Path, body: str, code: int) -> str:
    script = tmp_path / "terraform"
    script.write_text(f"#!/bin/sh\ncat <<'OUT'\n{body}\nOUT\nexit {code}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(("body", "code"), [
    ("Error: this wrapper does not know -json", 0),
    ("Error: this wrapper does not know -json", 1),
    ('warning first\n{"valid": tru', 0),  # truncated JSON after a "{"
    ("[1, 2]", 0),  # JSON, but not the report object
])
def test_validate_without_a_json_report(tmp_path: Path, body: str, code: int) -> None:
    runner = Runner(tmp_path, binary=_fake_terraform(tmp_path, body, code))
    with pytest.raises(TerraformError) as caught:
        runner.validate()
    assert "gave no JSON report" in str(caught.value)
    assert body.splitlines()[0] in str(caught.value)


def test_validate_reads_a_report_after_other_lines(tmp_path: Path) -> None:
    body = 'a warning line\n{"valid": true, "error_count": 0, "diagnostics": []}'
    runner = Runner(tmp_path, binary=_fake_terraform(tmp_path, body, 0))
    assert runner.validate()["valid"] is True


def test_validate_invalid_report_lists_diagnostics(tmp_path: Path) -> None:
    body = ('{"valid": false, "diagnostics": [{"severity": "error", "summary": "Bad thing", '
            '"detail": "here"}]}')
    runner = Runner(tmp_path, binary=_fake_terraform(tmp_path, body, 1))
    with pytest.raises(TerraformError, match="error: Bad thing: here"):
        runner.validate()


def test_for_module_writes_through_the_module_writer(tmp_path: Path) -> None:
    """A rerun into the same work dir keeps Terraform's state; a foreign dir is refused."""
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text("# m\n")
    (module / "terraform.tfstate").write_text("{}")  # module_files leaves state out
    binary = _fake_terraform(tmp_path, "", 0)
    work = tmp_path / "work"
    Runner.for_module(module, work, binary=binary)
    (work / "terraform.tfstate").write_text('{"serial": 7}')
    (module / "main.tf").write_text("# m2\n")
    Runner.for_module(module, work, binary=binary)
    assert (work / "main.tf").read_text() == "# m2\n"
    assert (work / "terraform.tfstate").read_text() == '{"serial": 7}'
    assert (work / OFFLINE_PROVIDER_FILE).is_file()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by tierform"):
        Runner.for_module(module, foreign, binary=binary)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_time_limits_by_verb_and_setting() -> None:
    assert timeout_for("plan", {}) == 600
    assert timeout_for("init", {}) == 600
    assert timeout_for("apply", {}) == 1800
    assert timeout_for("destroy", {}) == 1800
    assert timeout_for("apply", {TIMEOUT_ENV: "30"}) == 30
    assert timeout_for("plan", {TIMEOUT_ENV: " 2.5 "}) == 2.5
    assert timeout_for("plan", {TIMEOUT_ENV: ""}) == 600
