"""Tierform: layered AWS networks (SEC05-BP01) from a YAML blueprint."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
