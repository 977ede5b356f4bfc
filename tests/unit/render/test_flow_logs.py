"""render/flow_logs.py: one ``aws_flow_log`` block, whose per-destination fields come
from Python, for each of the three destinations (and none without flow logs)."""

from __future__ import annotations

import json
from typing import Any

import hcl2
import pytest

from tierform.render.environment import environment
from tierform.render.flow_logs import flow_log_of

ROOT_TEMPLATE = "flow_logs.tf.j2"


def _flow_logs(files: dict[str, str]) -> list[dict[str, Any]]:
    parsed = hcl2.loads(files["flow_logs.tf"])
    return [body for block in parsed.get("resource", []) for kind, named in block.items()
            if kind.strip('"') == "aws_flow_log" for body in named.values()]


def test_the_template_writes_one_flow_log_block() -> None:
    env = environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, ROOT_TEMPLATE)
    assert source.count('resource "aws_flow_log"') == 1


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("three-tier", "cloudwatch", {
        "log_destination_type": '"cloud-watch-logs"',
        "log_destination": "${aws_cloudwatch_log_group.flow_logs.arn}",
        "iam_role_arn": "${aws_iam_role.flow_logs.arn}"}),
    ("four-tier", "new_bucket", {
        "log_destination_type": '"s3"',
        "log_destination": "${aws_s3_bucket.flow_logs.arn}",
        "depends_on": ["${aws_s3_bucket_policy.flow_logs}"]}),
    ("existing-bucket", "existing_bucket", {
        "log_destination_type": '"s3"',
        "log_destination": '"arn:aws:s3:::central-logs/vpc"'}),
])
def test_one_flow_log_per_destination(named_case: Any, name: str, kind: str,
                                      expected: dict[str, Any]) -> None:
    case = named_case(name)
    plan = flow_log_of(case.layout)
    assert plan is not None
    assert plan.kind == kind
    (block,) = _flow_logs(case.files)
    fl = case.layout.blueprint.flow_logs
    assert json.loads(block["traffic_type"]) == fl.traffic_type
    assert block["max_aggregation_interval"] == fl.max_aggregation_interval
    found = {k: block[k] for k in ("log_destination_type", "log_destination", "iam_role_arn",
                                   "depends_on") if k in block}
    assert found == expected
    if fl.fields:
        assert json.loads(block["log_format"].replace("$${", "${")) == " ".join(
            "${" + f + "}" for f in fl.fields)
    else:
        assert "log_format" not in block


def test_existing_bucket_creates_no_destination(named_case: Any) -> None:
    text = named_case("existing-bucket").files["flow_logs.tf"]
    assert "aws_s3_bucket" not in text
    assert "aws_cloudwatch_log_group" not in text
    assert "delivery.logs.amazonaws.com write under AWSLogs/" in text


def test_no_flow_logs_no_block(named_case: Any) -> None:
    case = named_case("no-flow-logs")
    assert flow_log_of(case.layout) is None
    assert _flow_logs(case.files) == []
    assert "flow_log_id" not in case.files["outputs.tf"]
