"""Every shipped module under modules/ is `terraform fmt` clean and passes
`terraform init` + `terraform validate` with an offline provider (no AWS calls)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "versions.tf").is_file())

OFFLINE_PROVIDER = """\
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline-fake"
  secret_key                  = "offline-fake"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""

pytestmark = pytest.mark.terraform


def _terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=300)


def test_there_are_modules() -> None:
    assert {"three-tier", "two-tier", "four-tier"} <= set(MODULES)


def test_modules_are_fmt_clean(tmp_path: Path) -> None:
    # fmt needs no provider; check a copy so a stray .terraform never matters.
    shutil.copytree(ROOT / "modules", tmp_path / "modules")
    result = _terraform("fmt", "-check", "-recursive", "-diff", cwd=tmp_path / "modules")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", MODULES)
def test_module_validates(name: str, tmp_path: Path) -> None:
    work = tmp_path / name
    shutil.copytree(ROOT / "modules" / name, work, ignore=shutil.ignore_patterns("example"))
    (work / "_offline_provider.tf").write_text(OFFLINE_PROVIDER)
    init = _terraform("init", "-input=false", "-backend=false", cwd=work)
    assert init.returncode == 0, init.stderr
    validate = _terraform("validate", cwd=work)
    assert validate.returncode == 0, validate.stdout + validate.stderr
