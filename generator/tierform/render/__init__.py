"""Rendering: Jinja2 environment, HCL filters, templates, and the module renderer."""

from __future__ import annotations

__all__: list[str] = []
