"""Flow logs replayed against the blueprint: records classified by the blueprint's intent,
on this machine (DuckDB) or on Athena, from one set of rules (``rules``)."""

from __future__ import annotations

__all__: list[str] = []
