"""Run the ``tierform`` command as a user runs it (a subprocess of this interpreter) and
check how it failed: the one copy shared by the CLI, plan and e2e tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["EMULATOR_TAG", "ROOT", "emulators_tagged", "failed", "tierform", "tierform_popen"]

ROOT = Path(__file__).resolve().parents[1]


def _environment(cwd: Path, env: Mapping[str, str] | None, drop: tuple[str, ...],
                 quiet: bool) -> dict[str, str]:
    full = dict(os.environ)
    if cwd.resolve() != ROOT:
        # A run in a scratch folder keeps its plan cache there: tests neither reuse nor
        # fill the repository's cache.
        full["TIERFORM_CACHE_DIR"] = str(cwd / ".cache")
    if quiet:
        full["TIERFORM_QUIET"] = "1"
    full.update(env or {})
    for name in drop:
        full.pop(name, None)
    return full


def tierform(*args: str, cwd: Path = ROOT, env: Mapping[str, str] | None = None,
             drop: tuple[str, ...] = (), quiet: bool = False,
             timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tierform.cli`` in ``cwd`` with ``env`` added and ``drop`` removed;
    ``quiet`` silences progress output (TIERFORM_QUIET)."""
    return subprocess.run([sys.executable, "-m", "tierform.cli", *args], cwd=cwd,
                          env=_environment(cwd, env, drop, quiet), capture_output=True,
                          text=True, timeout=timeout, check=False)


def tierform_popen(*args: str, cwd: Path = ROOT, env: Mapping[str, str] | None = None,
                   quiet: bool = False) -> subprocess.Popen[str]:
    """``tierform`` started in the background (a test can then stop something under it)."""
    return subprocess.Popen([sys.executable, "-m", "tierform.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_environment(cwd, env, (), quiet), cwd=cwd)


def failed(result: subprocess.CompletedProcess[str], code: int, *needles: str,
           once: bool = False, stdout: str | None = None) -> str:
    """Assert exit ``code``, no traceback, and every needle in stderr (exactly once with
    ``once``: the output of a failed command reaches the user once); ``stdout`` when given
    is the exact expected stdout. Returns stderr."""
    detail = f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == code, detail
    assert "Traceback" not in result.stderr, detail
    # tftest's own CRITICAL log line: Terraform's output is reported by tierform, not twice.
    assert "Error running command" not in result.stderr, detail
    for needle in needles:
        count = result.stderr.count(needle)
        assert count == 1 if once else count >= 1, f"{needle!r}: {count} times\n{detail}"
    if stdout is not None:
        assert result.stdout == stdout, detail
    return result.stderr


EMULATOR_TAG = "TIERFORM_TEST_EMULATOR_TAG"
"""Set it in a command's environment to find the emulators that command started."""


def emulators_tagged(tag: str) -> list[int]:
    """Running emulator processes whose environment holds ``EMULATOR_TAG=tag`` (an emulator
    inherits the environment of the command that started it; Linux /proc)."""
    found = []
    wanted = f"{EMULATOR_TAG}={tag}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile, or not ours to inspect
        if b"tierform.localaws.motoserver" in command and state != "Z" and wanted in environ:
            found.append(int(entry.name))
    return sorted(found)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (dead, only not reaped yet by its killed parent's
    reaper) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")
