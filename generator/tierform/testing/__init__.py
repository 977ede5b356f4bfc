"""Test harness for layered networks: the pytest plugin (``tierform.testing.plugin``).

The plugin loads itself in any project that installs tierform (entry point
``pytest11``); import from here only to annotate fixtures.
"""

from __future__ import annotations

from tierform.testing.plugin import PlanFactory, RenderFactory

__all__ = ["PlanFactory", "RenderFactory"]
