"""Where a module's VPC flow log goes, decided once: the destination resources a template
writes around the one ``aws_flow_log`` block, and that block's per-destination fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tierform.layout import Layout
from tierform.render.filters import hcl_string

__all__ = ["FlowLogPlan", "flow_log_of"]


@dataclass(frozen=True)
class FlowLogPlan:
    kind: Literal["cloudwatch", "existing_bucket", "new_bucket"]
    """Which destination resources the module creates: a log group and IAM role, none
    (the caller's bucket), or a dedicated bucket with its policy."""
    traffic_type: str
    destination_type: str
    """``log_destination_type``: ``cloud-watch-logs`` or ``s3``."""
    destination: str
    """``log_destination`` as an HCL expression."""
    max_aggregation_interval: int
    iam_role_arn: str | None
    """HCL expression of the delivery role (CloudWatch Logs only)."""
    log_format: str | None
    """HCL string of the custom record format; None keeps AWS's default format."""
    depends_on: str | None
    """Resource the flow log must wait for (the bucket policy that lets delivery write)."""


def flow_log_of(layout: Layout) -> FlowLogPlan | None:
    """The flow log of a blueprint, or None when it has none."""
    fl = layout.blueprint.flow_logs
    if fl is None:
        return None
    kind: Literal["cloudwatch", "existing_bucket", "new_bucket"]
    if fl.destination == "cloudwatch":
        kind, destination_type = "cloudwatch", "cloud-watch-logs"
        destination, role, depends_on = ("aws_cloudwatch_log_group.flow_logs.arn",
                                         "aws_iam_role.flow_logs.arn", None)
    elif fl.bucket_arn:
        kind, destination_type = "existing_bucket", "s3"
        destination, role, depends_on = hcl_string(fl.bucket_arn), None, None
    else:
        kind, destination_type = "new_bucket", "s3"
        destination, role, depends_on = ("aws_s3_bucket.flow_logs.arn", None,
                                         "aws_s3_bucket_policy.flow_logs")
    return FlowLogPlan(
        kind=kind, traffic_type=fl.traffic_type, destination_type=destination_type,
        destination=destination, max_aggregation_interval=fl.max_aggregation_interval,
        iam_role_arn=role, depends_on=depends_on,
        log_format=(hcl_string(" ".join("${" + f + "}" for f in fl.fields))
                    if fl.fields else None))
