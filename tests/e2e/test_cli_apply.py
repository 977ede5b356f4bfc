"""The command line round trip a user runs: ``apply --local``, ``verify --live``,
``destroy --local``; the emulator ``apply --local`` started is stopped by ``destroy``.
Two ``apply --local`` at once into one work directory run one after the other and share
one emulator; a user's file in the work directory is kept."""

from __future__ import annotations

import json
import os
import signal
import time
from contextlib import suppress
from pathlib import Path

import pytest
from e2e_support import ROOT, stray_processes, tierform

from cli_support import EMULATOR_TAG, emulators_tagged, tierform_popen

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
    tag = f"{os.getpid()}-{tmp_path.name}"
    try:
        args = ("apply", str(BLUEPRINT), "--local", "--workdir", str(workdir),
                "--format", "json")
        both = [tierform_popen(*args, env={EMULATOR_TAG: tag}, quiet=True) for _ in range(2)]
        outputs = []
        for process in both:
            out, err = process.communicate(timeout=900)
            assert process.returncode == 0, err
            outputs.append(json.loads(out))
        assert outputs[0]["vpc_id"].startswith("vpc-")
        assert outputs[0] == outputs[1]  # the second apply found the network built
        emulator = json.loads(record.read_text())
        assert _alive(emulator["pid"]), "apply --local must leave its emulator running"
        assert emulators_tagged(tag) == [emulator["pid"]], "two applies, two emulators"

        verified = tierform("verify", str(BLUEPRINT), "--live", "--endpoint",
                            emulator["endpoint"])
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "verify: ok" in verified.stdout

        (workdir / "notes.txt").write_text("mine\n")
        destroyed = tierform("destroy", str(BLUEPRINT), "--local", "--workdir", str(workdir))
        assert destroyed.returncode == 0, destroyed.stderr
        assert destroyed.stdout.strip() == "two-tier: destroyed"
        assert (workdir / "notes.txt").read_text() == "mine\n"
        assert not record.exists()
        assert _gone_within(emulator["pid"], 15), f"emulator {emulator['pid']} still runs"
        assert stray_processes(workdir) == []
        assert emulators_tagged(tag) == []
    finally:
        # A failed step must not leave an emulator this test's commands started running.
        for pid in emulators_tagged(tag):
            with suppress(OSError):
                os.killpg(pid, signal.SIGTERM)
