"""Repository-wide test set-up: Terraform CLI config for the local provider mirror."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from tfenv import configure_terraform_env  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(configure_terraform_env(ROOT / ".tierform-cache" / "terraform"))
