"""The README's worked example ("Verifying networks Tierform did not write") is run as
written: its set-up block, then each command of its transcript in one shell, each
command's output compared with the lines the README shows under it. The example cannot
go stale: a changed message, exit code or command fails here.

The set-up copies into ``/tmp/``; the test runs it in its own folder instead (``/tmp/``
is replaced by that folder in the commands, and back in what they print)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import ROOT

pytestmark = pytest.mark.terraform

README = ROOT / "README.md"
_BLOCK = re.compile(r"<!-- worked-example: (?P<kind>set-up|transcript)[^>]*-->\n"
                    r"```(?:sh|console)\n(?P<body>.*?)```", re.DOTALL)
_MARK = "@@tierform-readme-command@@"


def _blocks() -> dict[str, str]:
    found = {m["kind"]: m["body"] for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))}
    assert set(found) == {"set-up", "transcript"}, "the README's worked example moved"
    return found


def _transcript(body: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines the README shows for it), in order."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before the first command: {line!r}"
            steps[-1][1].append(line)
    return steps


def _shim(folder: Path) -> Path:
    """A ``tierform`` on PATH that is this interpreter's, whatever is installed."""
    folder.mkdir()
    script = folder / "tierform"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tierform.cli "$@"\n',
                      encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_the_worked_example_runs_as_the_readme_shows(tmp_path: Path) -> None:
    blocks = _blocks()
    steps = _transcript(blocks["transcript"])
    assert any("exit 3" in out for _, lines in steps for out in lines)
    work = tmp_path / "w"
    work.mkdir()
    here = f"{work}/"
    env = {**os.environ, "PATH": f"{_shim(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}",
           "TIERFORM_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("TIERFORM_QUIET", None)
    script = ["set -e", blocks["set-up"].replace("/tmp/", here), "set +e"]
    for command, _ in steps:
        script += [f"echo {_MARK}", f"{{ {command.replace('/tmp/', here)} ; }} 2>&1"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = done.stdout.replace(here, "/tmp/").split(f"{_MARK}\n")[1:]
    assert len(outputs) == len(steps), done.stdout
    for (command, shown), got in zip(steps, outputs, strict=True):
        assert got.splitlines() == shown, f"$ {command}\n--- README\n" + "\n".join(shown) + \
            "\n--- got\n" + got
