"""Reattached providers: the same plans, no provider left behind, a dead one started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tierform.terraform import reattach
from tierform.terraform.cache import plan_files
from tierform.terraform.runner import COUNTERS, module_files

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
THREE_TIER = ROOT / "modules" / "three-tier"


def _normal(raw: dict[str, Any]) -> dict[str, Any]:
    """The plan without what differs between any two runs of terraform itself: the
    timestamp, and the order of ``relevant_attributes`` (terraform emits it unordered)."""
    document = {k: v for k, v in raw.items() if k != "timestamp"}
    document["relevant_attributes"] = sorted(
        raw.get("relevant_attributes", []), key=lambda item: json.dumps(item, sort_keys=True))
    return document


def _gone(pid: int, timeout: float = 20.0) -> bool:
    """True once ``pid`` no longer runs (absent, or a zombie waiting for its reaper)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.2)
    return False


def test_plans_are_identical_with_and_without_reattach(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {k: v for k, v in module_files(THREE_TIER).items() if not k.startswith("example/")}
    monkeypatch.setenv(reattach.REATTACH_ENV, "0")
    before = COUNTERS.get("provider", 0)
    plain = plan_files(files, cache_dir=tmp_path / "plain")
    assert COUNTERS.get("provider", 0) == before  # turned off: terraform starts its own
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    shared = plan_files(files, cache_dir=tmp_path / "shared")
    assert reattach.running(), "the plan ran without a reattached provider"
    assert _normal(shared.raw) == _normal(plain.raw)
    assert len(shared.raw["resource_changes"]) > 50


_CHILD = """
import json, os, sys, time
from pathlib import Path
from tierform.terraform import reattach
from tierform.terraform.cache import plan_module

plan = plan_module(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
(pid,) = reattach.running().values()
environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\\0")
print(json.dumps({"pid": pid, "subnets": len(plan.resources("aws_subnet")),
                  "bundle": any(e.startswith(b"AWS_CA_BUNDLE=") for e in environ),
                  "log": [e.decode() for e in environ if e.startswith(b"TF_LOG=")]}), flush=True)
if sys.argv[3] == "hang":
    time.sleep(600)
"""


def _child(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(_CHILD))
    env = {**os.environ, "AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
           reattach.REATTACH_ENV: "1"}
    return subprocess.Popen([sys.executable, str(script), str(TINY), str(tmp_path / mode), mode],
                            stdout=subprocess.PIPE, text=True, env=env)


def test_no_provider_outlives_its_process_and_none_gets_the_ca_bundle(tmp_path: Path) -> None:
    child = _child(tmp_path, "exit")
    out, _ = child.communicate(timeout=600)
    assert child.returncode == 0
    report = json.loads(out.strip().splitlines()[-1])
    assert report["subnets"] == 2
    assert report["bundle"] is False
    assert report["log"] == ["TF_LOG=off"]
    assert _gone(report["pid"]), f"provider {report['pid']} left running after a normal exit"


def test_a_killed_process_takes_its_provider_along(tmp_path: Path) -> None:
    child = _child(tmp_path, "hang")
    try:
        assert child.stdout is not None
        report = json.loads(child.stdout.readline())
        assert not _gone(report["pid"], timeout=0.5)
        child.send_signal(signal.SIGKILL)  # no atexit: the kernel's parent-death signal acts
        child.wait(timeout=60)
        assert _gone(report["pid"]), f"provider {report['pid']} left running after SIGKILL"
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_a_dead_provider_is_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    cache = tmp_path / "cache"
    files = module_files(TINY)
    plan_files(files, cache_dir=cache)
    (first,) = reattach.running().values()
    os.kill(first, signal.SIGKILL)
    assert _gone(first)
    changed = {**files, "main.tf": files["main.tf"].replace(b'"tiny"', b'"tiny2"')}
    plan = plan_files(changed, cache_dir=cache)
    assert plan.resource("aws_vpc.this").tags == {"Name": "tiny2"}
    (second,) = reattach.running().values()
    assert second != first
    reattach.stop_all()
    assert _gone(second)
    assert reattach.running() == {}
