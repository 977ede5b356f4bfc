"""Shipped blueprint four-tier, applied to the emulator and proved (cases: shipped_cases.py)."""

from __future__ import annotations

from shipped_cases import cases_for

globals().update(cases_for("four-tier"))
