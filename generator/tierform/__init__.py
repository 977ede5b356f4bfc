"""Tierform: layered AWS networks (SEC05-BP01) from a YAML blueprint."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
"""The release, semver (MAJOR.MINOR.PATCH): the only place it is written. pyproject reads it
(hatch), `tierform --version` prints it, and the CI kit and pre-commit hooks pin it
(``tierform==X.Y.Z``, ``rev: vX.Y.Z``). A release tags the commit ``vX.Y.Z``."""
