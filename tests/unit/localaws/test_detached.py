"""The detached emulator's bookkeeping: reused while it is ours and answers, stopped only
when its pid is still Tierform's emulator (a real moto server; a plain process stands in
for a recycled pid)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path

from tierform.localaws import detached


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_missing_or_garbled_record_is_none(tmp_path: Path) -> None:
    assert detached.recorded(tmp_path) is None
    for text in ("", "[]", '{"endpoint": "x"}', '{"endpoint": "x", "pid": "abc"}', "{"):
        (tmp_path / detached.RECORD).write_text(text)
        assert detached.recorded(tmp_path) is None, text
        assert detached.reusable(tmp_path) is None


def test_stop_never_signals_a_pid_that_is_not_our_emulator(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (tmp_path / detached.RECORD).write_text(
            json.dumps({"endpoint": "http://127.0.0.1:1", "pid": other.pid}))
        assert detached.reusable(tmp_path) is None
        detached.stop(tmp_path)
        assert not (tmp_path / detached.RECORD).exists()
        time.sleep(0.2)
        assert other.poll() is None, "stop() signalled a process that is not an emulator"
    finally:
        other.kill()
        other.wait()


def test_start_reuses_then_stop_ends_the_emulator(tmp_path: Path) -> None:
    endpoint = detached.start(tmp_path)
    record = detached.recorded(tmp_path)
    try:
        assert record is not None
        assert record[0] == endpoint
        assert detached.reusable(tmp_path) == endpoint
        assert detached.start(tmp_path) == endpoint  # reused, not a second one
        assert detached.recorded(tmp_path) == record
        detached.stop(tmp_path)
        assert detached.recorded(tmp_path) is None
        deadline = time.monotonic() + 15
        while _alive(record[1]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(record[1])
        assert detached.reusable(tmp_path) is None
    finally:
        if record is not None:
            with suppress(OSError):
                os.killpg(record[1], signal.SIGTERM)
