"""``tierform demo`` when a step fails: the work directory is kept and its path printed
(it once pointed at a directory it had already deleted). A wrapper terraform runs the real
one for every verb but ``apply``, which fails as a broken emulator connection would."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from cli_support import ROOT, failed, tierform

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = ROOT / "blueprints" / "two-tier.yaml"


def _terraform_failing_apply(folder: Path) -> Path:
    real = shutil.which("terraform")
    assert real is not None
    wrapper = folder / "terraform"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "if sys.argv[1:2] == ['apply']:\n"
        "    sys.stderr.write('Error: injected: the emulator connection broke\\n')\n"
        "    sys.exit(1)\n"
        f"os.execv({real!r}, [{real!r}, *sys.argv[1:]])\n")
    wrapper.chmod(0o755)
    return wrapper


def test_a_failed_demo_keeps_its_work_directory(tmp_path: Path) -> None:
    wrapper = _terraform_failing_apply(tmp_path)
    # The shared plan cache: the wrapper reports the real version, so the plan is reused.
    cache = {"TIERFORM_CACHE_DIR": os.environ.get("TIERFORM_CACHE_DIR",
                                                  str(ROOT / ".tierform-cache" / "plans")),
             "TMPDIR": str(tmp_path)}
    result = tierform("demo", str(BLUEPRINT), "--terraform", str(wrapper), env=cache,
                      quiet=True)
    stderr = failed(result, 1, "injected: the emulator connection broke", "demo: did not finish")
    kept = re.search(r"is kept in (\S+)\n", stderr)
    assert kept is not None, stderr
    workdir = Path(kept.group(1))
    assert workdir.parent == tmp_path
    assert f"The state is kept in {workdir}" in stderr  # apply's message names the same
    assert (workdir / ".tierform").is_file()
    assert (workdir / "vpc.tf").is_file()
    assert (workdir / ".terraform").is_dir()  # init ran before the apply failed
    assert "== destroy" not in result.stdout  # nothing was applied, nothing to destroy


def test_the_demo_runs_end_to_end_and_cleans_up(tmp_path: Path) -> None:
    """The main job on the smallest shipped blueprint: every step, a clean verdict, exit 0,
    and no work directory left behind (a clean run removes its own)."""
    env = {"TIERFORM_CACHE_DIR": os.environ.get("TIERFORM_CACHE_DIR",
                                                str(ROOT / ".tierform-cache" / "plans")),
           "TMPDIR": str(tmp_path)}
    result = tierform("demo", str(BLUEPRINT), env=env, quiet=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    steps = re.findall(r"^== (\w+)", result.stdout, re.M)
    assert steps[:3] == ["validate", "render", "plan"], steps
    assert {"apply", "read", "reachability", "destroy"} <= set(steps), steps
    assert result.stdout.rstrip().endswith("demo: the network matches its blueprint")
    assert not list(tmp_path.glob("tierform-demo-*")), "a clean run removes its work directory"
