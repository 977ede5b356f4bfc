"""The command line round trip a user runs: ``apply --local``, ``verify --live``,
``destroy --local``; the emulator ``apply --local`` started is stopped by ``destroy``."""

from __future__ import annotations

import json
import os
import signal
import time
from contextlib import suppress
from pathlib import Path

import pytest
from e2e_support import ROOT, stray_processes, tierform

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = ROOT / "blueprints" / "two-tier.yaml"  # the smallest shipped network: fastest


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_apply_local_verify_live_destroy_local(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    record = workdir / "emulator.json"
    try:
        applied = tierform("apply", str(BLUEPRINT), "--local", "--workdir", str(workdir),
                           "--format", "json")
        assert applied.returncode == 0, applied.stderr
        outputs = json.loads(applied.stdout)
        assert outputs["vpc_id"].startswith("vpc-")
        emulator = json.loads(record.read_text())
        assert _alive(emulator["pid"]), "apply --local must leave its emulator running"

        verified = tierform("verify", str(BLUEPRINT), "--live", "--endpoint",
                            emulator["endpoint"])
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "verify: ok" in verified.stdout

        destroyed = tierform("destroy", str(BLUEPRINT), "--local", "--workdir", str(workdir))
        assert destroyed.returncode == 0, destroyed.stderr
        assert destroyed.stdout.strip() == "two-tier: destroyed"
        assert not record.exists()
        assert _gone_within(emulator["pid"], 15), f"emulator {emulator['pid']} still runs"
        assert stray_processes(workdir) == []
    finally:
        # A failed step must not leave the emulator this test's command started running.
        with suppress(OSError, ValueError, KeyError):
            os.killpg(int(json.loads(record.read_text())["pid"]), signal.SIGTERM)
