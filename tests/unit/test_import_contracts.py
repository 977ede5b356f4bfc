"""The import contracts in pyproject.toml hold, and would catch an import that points up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(package_root: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    return subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")],
                          env={"PYTHONPATH": str(package_root), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_package_keeps_its_contracts() -> None:
    done = _lint_imports(ROOT / "generator")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_up_the_pipeline_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "tierform"
    shutil.copytree(ROOT / "generator" / "tierform", copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "network" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nfrom tierform import workflow\n",
                     encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "tierform.network is not allowed to import tierform.workflow" in done.stdout
