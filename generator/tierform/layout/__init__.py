"""Blueprint -> Layout: every resource name, rule number and route, and every quota check."""

from __future__ import annotations

__all__: list[str] = []
