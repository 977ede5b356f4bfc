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


def _resource(files: dict[str, str], kind: str, name: str) -> dict[str, Any]:
    parsed = hcl2.loads(files["flow_logs.tf"])
    (body,) = [named[f'"{name}"'] for block in parsed.get("resource", [])
               for k, named in block.items() if k.strip('"') == kind]
    return dict(body)


def _locals(files: dict[str, str]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in hcl2.loads(files["flow_logs.tf"]).get("locals", []):
        merged |= {k: v for k, v in block.items() if not k.startswith("__")}
    return merged


def _statements(policy: str) -> list[str]:
    """The statements of a ``jsonencode({... Statement = [{...}, {...}]})`` as HCL text."""
    body = policy[policy.index("Statement = [") + len("Statement = ["):]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth, start = depth + 1, (i if depth == 0 else start)
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append(body[start:i + 1])
        elif ch == "]" and depth == 0:
            break
    return out


def test_account_and_region_come_from_the_vpc_not_a_data_source(named_case: Any) -> None:
    for name in ("three-tier", "four-tier"):
        files = named_case(name).files
        assert not any('data "' in text for text in files.values())
        found = _locals(files)
        assert found["flow_log_account"] == "${aws_vpc.this.owner_id}"
        assert found["flow_log_partition"] == '${split(":", aws_vpc.this.arn)[1]}'
        assert found["flow_log_region"] == '${split(":", aws_vpc.this.arn)[3]}'


def test_bucket_policy_scopes_log_delivery_to_this_account(named_case: Any) -> None:
    files = named_case("four-tier").files
    source = _locals(files)["flow_log_delivery_source"]
    assert source["StringEquals"] == {'"aws:SourceAccount"': "${local.flow_log_account}"}
    assert source["ArnLike"] == {'"aws:SourceArn"': (
        '"arn:${local.flow_log_partition}:logs:${local.flow_log_region}:'
        '${local.flow_log_account}:*"')}
    statements = _statements(_resource(files, "aws_s3_bucket_policy", "flow_logs")["policy"])
    allows = [s for s in statements if 'Effect = "Allow"' in s]
    assert len(allows) == 2
    assert all("delivery.logs.amazonaws.com" in s and
               "Condition = local.flow_log_delivery_source" in s for s in allows)
    assert any("/AWSLogs/${local.flow_log_account}/*" in s for s in allows)
    (deny,) = [s for s in statements if 'Effect = "Deny"' in s]
    assert 'Principal = "*"' in deny
    assert '{Bool = {"aws:SecureTransport" = "false"}}' in deny


def test_role_trust_policy_scopes_the_flow_logs_service_to_this_account(
        named_case: Any) -> None:
    role = _resource(named_case("three-tier").files, "aws_iam_role", "flow_logs")
    (statement,) = _statements(role["assume_role_policy"])
    assert '"aws:SourceAccount" = local.flow_log_account' in statement
    assert ('"aws:SourceArn" = "arn:${local.flow_log_partition}:ec2:${local.flow_log_region}:'
            '${local.flow_log_account}:vpc-flow-log/*"') in statement


def test_existing_bucket_has_no_policy_locals(named_case: Any) -> None:
    assert _locals(named_case("existing-bucket").files) == {}
