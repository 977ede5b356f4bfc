"""Plan tests: shared, session-scoped plans (a plan costs ~10 s: plan each input once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.terraform.plan import Plan
from tierform.testing import PlanFactory

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny"


@pytest.fixture(scope="session")
def tiny_plan(tierform_plan: PlanFactory) -> Plan:
    """The hand-written two-tier fixture module, planned offline (cached)."""
    return tierform_plan(TINY)
