"""Network Firewall wording and expressions, decided once for inspection.tf and routes.tf.

The one expression every route to a firewall endpoint uses (``endpoint_expression``): the
endpoint of AZ ``X`` is the attachment of the firewall's sync state in ``X``. The plan
reader resolves exactly this idiom (``tierform.readers``), so keep it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.blueprint.inspection import crosses, nat_tier_of
from tierform.layout import Layout
from tierform.layout.inspection import PRIORITIES
from tierform.layout.model import InspectionPlan
from tierform.render.filters import hcl_string

__all__ = ["FIREWALL", "LogDestination", "endpoint_expression", "inspection_context",
           "paths_mermaid", "rule_group_capacity"]

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
        "paths": paths_mermaid(layout, plan),
        "flows": _flow_rows(layout, plan),
    }


def _flow_rows(layout: Layout, plan: InspectionPlan) -> list[tuple[str, str, str]]:
    """(flow id, mode, inspected?) for the README, in flow order."""
    bp = layout.blueprint
    spec = bp.inspection
    assert spec is not None
    rows: list[tuple[str, str, str]] = []
    for flow in bp.flows:
        mode = spec.mode_of(flow, bp.tiers)
        if mode is None:
            continue
        if mode == "east-west" and "east-west" not in spec.modes:
            continue
        crossing = crosses(bp, plan.routing, flow)
        rows.append((flow.flow_id, mode, "yes" if crossing else "no"))
    return rows


def paths_mermaid(layout: Layout, plan: InspectionPlan) -> str:
    """A Mermaid flowchart of the inspected paths (one hop per line; each AZ alike)."""
    bp = layout.blueprint
    lines = ["flowchart LR", '  internet(["internet"])', '  igw{{"internet gateway"}}',
             '  fw{{"firewall endpoint<br/>(same AZ)"}}', "  internet --- igw"]
    nat_tier = nat_tier_of(bp)
    if plan.routing.public:
        lines.append('  nat{{"NAT gateway"}}' if nat_tier in plan.routing.public and
                     layout.nats else "")
        for tier in plan.routing.public:
            lines.append(f'  {tier}["{tier} (public)"]')
            lines.append(f'  igw -->|"edge table: {tier} subnets"| fw')
            lines.append(f"  fw --> {tier}")
            lines.append(f'  {tier} -->|"0.0.0.0/0"| fw')
        lines.append('  fw -->|"firewall subnet 0.0.0.0/0"| igw')
        if plan.routing.egress_after_nat and layout.nats and nat_tier is not None:
            private = [t for t, s in bp.tiers.items() if s.exposure == "private"]
            for tier in private:
                lines.append(f'  {tier}["{tier} (private)"]')
                lines.append(f'  {tier} -->|"0.0.0.0/0"| nat')
            lines.append(f'  nat -->|"{nat_tier} 0.0.0.0/0"| fw')
    if plan.routing.private:
        lines.append('  nat{{"NAT gateway"}}')
        for tier in plan.routing.private:
            lines.append(f'  {tier}["{tier} (private)"]')
            lines.append(f'  {tier} -->|"0.0.0.0/0"| fw')
            lines.append(f'  nat -->|"return: {tier} subnets"| fw')
            lines.append(f"  fw -->|\"return\"| {tier}")
        lines.append('  fw -->|"firewall subnet 0.0.0.0/0"| nat')
        lines.append("  nat --> igw")
    shown = {line.split("[", 1)[0].strip() for line in lines if '["' in line}
    for first, second in plan.routing.east_west:
        for tier in (first, second):
            if tier not in shown:
                shown.add(tier)
                lines.append(f'  {tier}["{tier} ({bp.tiers[tier].exposure})"]')
        # One endpoint per subnet pair, both ways (the first tier's subnet's AZ).
        lines.append(f'  {first} -->|"east-west: {second} subnets"| fw')
        lines.append(f'  {second} -->|"east-west: {first} subnets"| fw')
        lines.append(f'  fw -->|"local"| {first}')
        lines.append(f'  fw -->|"local"| {second}')
    return "\n".join(line for line in lines if line) + "\n"
