"""The emulator ``tierform apply --local`` leaves running, recorded in its work directory.

``emulator.json`` (endpoint and pid) lets ``verify --live`` and ``destroy --local`` find
the network ``apply`` built. A recorded pid is trusted (reused, or signalled) only while
its command line is still Tierform's emulator, so a recycled pid is never killed. The
caller holds the work directory's lock (``tierform.render.writer.locked``), so two
commands never start two emulators for one directory.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

from tierform.localaws.server import LocalAWS

__all__ = ["RECORD", "recorded", "reusable", "start", "stop"]

RECORD = "emulator.json"
_SERVER_MODULE = b"tierform.localaws.motoserver"
# The servers this process started: their handles (process, log file) are kept until
# exit, since dropping one would be reported as a running subprocess forgotten; the
# processes themselves outlive this one on purpose.
_STARTED: list[LocalAWS] = []


def recorded(workdir: Path) -> tuple[str, int] | None:
    """The endpoint and pid recorded in ``workdir``, or None (none, or unreadable)."""
    try:
        known = json.loads((workdir / RECORD).read_text(encoding="utf-8"))
        return str(known["endpoint"]), int(known["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_ours(pid: int) -> bool:
    """Is ``pid`` still an emulator Tierform started (and not a reused pid)?"""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return _SERVER_MODULE in command


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def reusable(workdir: Path) -> str | None:
    """The endpoint of the recorded emulator when it is still ours and answering."""
    known = recorded(workdir)
    if known is not None and _is_ours(known[1]) and _answers(known[0]):
        return known[0]
    return None


def start(workdir: Path) -> str:
    """The endpoint of the recorded emulator, or of a new one that outlives this process."""
    endpoint = reusable(workdir)
    if endpoint is not None:
        return endpoint
    server = LocalAWS(detach=True).start()
    _STARTED.append(server)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / RECORD).write_text(json.dumps({"endpoint": server.endpoint, "pid": server.pid}),
                                  encoding="utf-8")
    return server.endpoint


def stop(workdir: Path) -> None:
    """Stop the recorded emulator if it is still ours; forget the record either way."""
    known = recorded(workdir)
    if known is not None and _is_ours(known[1]):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(known[1], signal.SIGTERM)
    (workdir / RECORD).unlink(missing_ok=True)
