"""Inputs a shipped module needs to plan: the hybrid blueprint's transit gateway id.

A module with a `via: tgw` network requires ``transit_gateway_id`` (validated `tgw-...`);
an offline plan needs any well-formed one (nothing is applied). The e2e apply creates a
real one in the emulator instead (tests/e2e/shipped_cases.py, run by one
test_apply_shipped_<name>.py per blueprint).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["OFFLINE_CERTIFICATE", "OFFLINE_TRANSIT_GATEWAY", "needs_certificate",
           "needs_transit_gateway", "plan_variables"]

OFFLINE_TRANSIT_GATEWAY = "tgw-0123456789abcdef0"
OFFLINE_CERTIFICATE = ("arn:aws:acm:us-east-1:123456789012:certificate/"
                       "00000000-0000-0000-0000-000000000000")


def needs_transit_gateway(source: Path) -> bool:
    """Whether the blueprint (``*.yaml``) or module folder takes ``transit_gateway_id``."""
    source = Path(source)
    if source.suffix in (".yaml", ".yml"):
        from tierform import workflow  # the layout decides (a network named by a flow)

        return workflow.check(workflow.load(source)).layout.transit is not None
    variables = source / "variables.tf"
    return variables.is_file() and 'variable "transit_gateway_id"' in variables.read_text(
        encoding="utf-8")


def needs_certificate(source: Path) -> bool:
    """Whether the blueprint or module folder takes ``certificate_arn`` (an HTTPS or TLS
    listener of a load balancer)."""
    source = Path(source)
    if source.suffix in (".yaml", ".yml"):
        from tierform import workflow  # the layout decides

        return any(lb.certificate for lb in workflow.check(workflow.load(source)).layout
                   .load_balancers)
    variables = source / "variables.tf"
    return variables.is_file() and 'variable "certificate_arn"' in variables.read_text(
        encoding="utf-8")


def plan_variables(source: Path) -> dict[str, object]:
    """The variables an offline plan of ``source`` needs (empty for most modules)."""
    out: dict[str, object] = {}
    if needs_transit_gateway(source):
        out["transit_gateway_id"] = OFFLINE_TRANSIT_GATEWAY
    if needs_certificate(source):
        out["certificate_arn"] = OFFLINE_CERTIFICATE
    return out
