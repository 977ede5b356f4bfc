"""Terraform JSON (plan, state) and live AWS -> Network."""

from __future__ import annotations

__all__: list[str] = []
