"""Repository-wide test set-up: Terraform CLI config for the local provider mirror."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
# Tests run in importlib mode (test files in different folders may share a name); the
# support modules they import (cli_support, e2e_support, ...) are found on these paths.
for _folder in ("tests", "tests/e2e", "tests/unit"):
    sys.path.insert(0, str(ROOT / _folder))

from tfenv import configure_terraform_env  # noqa: E402

# No per-example deadline: on a loaded 2-core CI machine the first example of a test can
# take seconds (imports, caches), which is not a failure. CI runs are derandomized so a
# red run is reproducible; local runs keep exploring new examples.
_SLOW_OK = [HealthCheck.too_slow]
settings.register_profile("tierform", deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("tierform-ci", deadline=None, suppress_health_check=_SLOW_OK,
                          derandomize=True, database=None)
settings.load_profile("tierform-ci" if os.environ.get("CI") else "tierform")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(configure_terraform_env(ROOT / ".tierform-cache" / "terraform"))
