"""Network Firewall wording and expressions, decided once for inspection.tf and routes.tf.

The one expression every route to a firewall endpoint uses (``endpoint_expression``): the
endpoint of AZ ``X`` is the attachment of the firewall's sync state in ``X``. The plan
reader resolves exactly this idiom (``tierform.readers``), so keep it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout
from tierform.layout.inspection import PRIORITIES, InspectionPlan
from tierform.render.filters import hcl_string

__all__ = ["FIREWALL", "LogDestination", "endpoint_expression", "inspection_context",
           "rule_group_capacity"]

FIREWALL = "aws_networkfirewall_firewall.this"


def endpoint_expression(az: str) -> str:
    """HCL of the firewall endpoint in ``az`` (AZ-local routing): one sync state per AZ."""
    return (f"one([for s in {FIREWALL}.firewall_status[0].sync_states : "
            f"s.attachment[0].endpoint_id if s.availability_zone == {hcl_string(az)}])")


def rule_group_capacity(rules: int) -> int:
    """Capacity of a stateful group (fixed at creation: a change replaces the group): the
    rule count rounded up to a multiple of 100, at least 100."""
    return max(100, -(-rules // 100) * 100)


@dataclass(frozen=True)
class LogDestination:
    log_type: str
    """``ALERT`` or ``FLOW``."""
    destination_type: str
    """``CloudWatchLogs`` or ``S3``."""
    destination: tuple[tuple[str, str], ...]
    """``log_destination`` entries: (key, HCL expression)."""
    log_group: str | None
    """Resource name of the log group the module creates for this type (CloudWatch)."""


def _logs(layout: Layout, plan: InspectionPlan) -> tuple[LogDestination, ...]:
    fl = layout.blueprint.flow_logs
    if fl is None:
        return ()
    out = []
    for log_type in plan.logging:
        lower = log_type.lower()
        if fl.destination == "cloudwatch":
            group = f"firewall_{lower}"
            out.append(LogDestination(log_type, "CloudWatchLogs", (
                ("logGroup", f"aws_cloudwatch_log_group.{group}.name"),), group))
        elif fl.bucket_arn:
            bucket, _, prefix = fl.bucket_arn.split(":::", 1)[1].partition("/")
            entries = [("bucketName", hcl_string(bucket))]
            # The caller's prefix, then the log type: as the flow log writes under it.
            path = "/".join(p for p in (prefix.strip("/"), "network-firewall", lower) if p)
            entries.append(("prefix", hcl_string(path)))
            out.append(LogDestination(log_type, "S3", tuple(entries), None))
        else:
            # The module's bucket admits delivery under AWSLogs/<account>/ only (its
            # policy): no prefix, AWS writes AWSLogs/<account>/network-firewall/<type>/.
            out.append(LogDestination(log_type, "S3", (
                ("bucketName", "aws_s3_bucket.flow_logs.bucket"),), None))
    return tuple(out)


def inspection_context(layout: Layout) -> dict[str, object] | None:
    """What inspection.tf prints, or None without ``inspection``."""
    plan = layout.inspection
    if plan is None:
        return None
    endpoints = {s.az: endpoint_expression(s.az) for s in plan.subnets}
    return {
        "plan": plan,
        "endpoints": endpoints,
        "priorities": PRIORITIES,
        "capacities": {"egress_domains": rule_group_capacity(2 * len(plan.domains)),
                       "rules": rule_group_capacity(len(plan.rules)),
                       "flows": rule_group_capacity(len(plan.flow_rules))},
        "rules_string": hcl_string("\n".join(r.strip() for r in plan.rules)),
        "logs": _logs(layout, plan),
        "nat_subnets": {n.name: n.subnet for n in layout.nats},
    }
