"""Commands run with Terraform's ``-json`` UI stream (progress): each message passed on as
it comes, the inherited environment (``TF_VAR_*``) kept, error diagnostics turned to text."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from cli_support import process_alive
from tierform.errors import TerraformError
from tierform.terraform.runner import Runner

_FAKE = """#!/bin/sh
echo '{"type":"version","terraform":"1.11.4"}'
echo "not json"
echo "{\\"type\\":\\"planned_change\\",\\"probe\\":\\"$TF_VAR_probe\\"}"
if [ "$TF_VAR_probe" = fail ]; then
  echo 'DIAGNOSTIC'
  echo "stderr line" >&2
  exit 1
fi
""".replace("DIAGNOSTIC", json.dumps({"type": "diagnostic", "diagnostic": {
    "severity": "error", "summary": "Invalid value for variable",
    "detail": "The probe must not fail.",
    "range": {"filename": "variables.tf", "start": {"line": 7}}}}))


def _runner(tmp_path: Path) -> Runner:
    fake = tmp_path / "terraform"
    fake.write_text(_FAKE)
    fake.chmod(0o755)
    return Runner(tmp_path, binary=str(fake))


def test_events_come_with_the_inherited_environment(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_probe", "seen")  # a plan without it would cache a wrong plan
    got: list[Mapping[str, Any]] = []
    result = _runner(tmp_path).execute("plan", "-json", events=got.append)
    assert [m["type"] for m in got] == ["version", "planned_change"]
    assert got[1]["probe"] == "seen"
    assert result.returncode == 0


def test_error_diagnostics_become_the_error_text(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_probe", "fail")
    got: list[Mapping[str, Any]] = []
    with pytest.raises(TerraformError) as raised:
        _runner(tmp_path).execute("plan", "-json", events=got.append)
    text = str(raised.value)
    assert "terraform plan failed (exit 1)" in text
    assert "Error: Invalid value for variable (at variables.tf:7)\nThe probe must not fail." in text
    assert "stderr line" in text
    assert '{"type"' not in text  # the JSON stream itself is not shown
    assert got[-1]["type"] == "diagnostic"


def test_a_streamed_command_keeps_the_time_limit(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``-json`` (progress) command that never ends is stopped like any other: its whole
    process group killed when TIERFORM_TERRAFORM_TIMEOUT expires, the error naming it."""
    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\necho '{\"type\":\"version\"}'\n"
                    f"sleep 300 & echo $! > {pid_file}; wait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("TIERFORM_TERRAFORM_TIMEOUT", "1")
    got: list[Mapping[str, Any]] = []
    with pytest.raises(TerraformError) as raised:
        Runner(tmp_path, binary=str(fake)).execute("apply", "-json", events=got.append)
    assert "terraform apply did not finish within 1 s" in str(raised.value)
    assert "TIERFORM_TERRAFORM_TIMEOUT=SECONDS (now 1)" in str(raised.value)
    assert [m["type"] for m in got] == ["version"]
    child = int(pid_file.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 10
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(child), "the terraform's child survived"

