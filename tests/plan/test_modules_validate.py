"""The shipped modules as users meet them: `terraform fmt` clean, and each module's
`example/` root (provider block + module call) initialises and validates, so
`cd example && terraform init && terraform apply` starts from a valid configuration.

Validating and planning each module itself is in test_three_tier_plan.py
(`test_every_module_validates_and_plans`, through the shared plan cache).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tierform.terraform.runner import Runner

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "versions.tf").is_file())

pytestmark = pytest.mark.terraform


def test_there_are_modules() -> None:
    assert {"three-tier", "two-tier", "four-tier"} <= set(MODULES)


def test_modules_are_fmt_clean(tmp_path: Path) -> None:
    # fmt needs no provider; check a copy so a stray .terraform never matters.
    shutil.copytree(ROOT / "modules", tmp_path / "modules")
    assert Runner(tmp_path / "modules").fmt_check() == []


@pytest.mark.parametrize("name", MODULES)
def test_example_root_validates(name: str, tmp_path: Path) -> None:
    module = tmp_path / name
    shutil.copytree(ROOT / "modules" / name, module)
    example = Runner(module / "example")
    example.init()
    assert example.validate()["valid"] is True
