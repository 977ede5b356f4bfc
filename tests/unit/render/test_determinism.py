"""Same blueprint, same bytes: across processes, not only twice in one.

A set or dict iterated in hash order, a timestamp or a path would differ between two
interpreters with different hash seeds; rendering twice in one process cannot see it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*.yaml"))

_RENDER = """
import hashlib, json, sys
from pathlib import Path
from tierform import workflow
out = {}
for name in sys.argv[1:]:
    files = workflow.render(workflow.check(workflow.load(Path(name))))
    out[name] = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in files.items()}
print(json.dumps(out, sort_keys=True))
"""


def _render_in_process(seed: str, cwd: Path) -> dict[str, dict[str, str]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _RENDER, *map(str, BLUEPRINTS)], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, dict[str, str]] = json.loads(done.stdout)
    return result


def test_two_processes_with_other_hash_seeds_render_the_same_bytes(tmp_path: Path) -> None:
    assert BLUEPRINTS, "no shipped blueprints found"
    first = _render_in_process("1", tmp_path)
    (tmp_path / "elsewhere").mkdir()
    second = _render_in_process("4242", tmp_path / "elsewhere")
    assert first == second
    assert all(first[str(b)] for b in BLUEPRINTS)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_rendered_bytes_equal_the_shipped_module(blueprint: Path) -> None:
    """The drift check's promise, across processes: a fresh interpreter renders modules/."""
    rendered = _render_in_process("7", ROOT)[str(blueprint)]
    module = ROOT / "modules" / blueprint.stem
    on_disk = {p: hashlib.sha256((module / p).read_bytes()).hexdigest() for p in rendered}
    assert rendered == on_disk
