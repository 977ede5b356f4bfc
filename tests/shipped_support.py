"""Inputs a shipped module needs to plan: the hybrid blueprint's transit gateway id.

A module with a `via: tgw` network requires ``transit_gateway_id`` (validated `tgw-...`);
an offline plan needs any well-formed one (nothing is applied). The e2e apply creates a
real one in the emulator instead (tests/e2e/shipped_cases.py, run by one
test_apply_shipped_<name>.py per blueprint).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["OFFLINE_TRANSIT_GATEWAY", "needs_transit_gateway", "plan_variables"]

OFFLINE_TRANSIT_GATEWAY = "tgw-0123456789abcdef0"


def needs_transit_gateway(source: Path) -> bool:
    """Whether the blueprint (``*.yaml``) or module folder takes ``transit_gateway_id``."""
    source = Path(source)
    if source.suffix in (".yaml", ".yml"):
        from tierform import workflow  # the layout decides (a network named by a flow)

        return workflow.check(workflow.load(source)).layout.transit is not None
    variables = source / "variables.tf"
    return variables.is_file() and 'variable "transit_gateway_id"' in variables.read_text(
        encoding="utf-8")


def plan_variables(source: Path) -> dict[str, object]:
    """The variables an offline plan of ``source`` needs (empty for most modules)."""
    return {"transit_gateway_id": OFFLINE_TRANSIT_GATEWAY} if needs_transit_gateway(source) \
        else {}
