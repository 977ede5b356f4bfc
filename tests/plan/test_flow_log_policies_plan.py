"""The flow-log delivery policies as Terraform plans them: the S3 bucket policy and the IAM
role's trust policy name this account and region (confused deputy), with the values taken
from the VPC itself, so the offline plan needs no data source and no credentials.

An offline plan knows neither the VPC's owner nor its ARN, so ``terraform test`` overrides
them during plan (``override_during = plan``, Terraform >= 1.11) and the assertions read the
planned ``policy`` documents. A ``name_prefix`` that S3 would refuse for the bucket fails the
variable's validation. Each module costs one ``init`` and one ``terraform test``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.terraform.runner import Runner

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
REGION = "eu-central-1"

pytestmark = pytest.mark.terraform

_VPC_OVERRIDE = f"""
override_resource {{
  target          = aws_vpc.this
  override_during = plan
  values = {{
    owner_id = "{ACCOUNT}"
    arn      = "arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-0123456789abcdef0"
  }}
}}
"""

_BUCKET_TEST = _VPC_OVERRIDE + f"""
override_resource {{
  target          = aws_s3_bucket.flow_logs
  override_during = plan
  values = {{
    arn = "arn:aws:s3:::four-tier-flow-logs-x"
  }}
}}

run "bucket_policy" {{
  command = plan

  assert {{
    condition = alltrue([
      for s in jsondecode(aws_s3_bucket_policy.flow_logs.policy).Statement :
      s.Condition == {{
        StringEquals = {{ "aws:SourceAccount" = "{ACCOUNT}" }}
        ArnLike      = {{ "aws:SourceArn" = "arn:aws:logs:{REGION}:{ACCOUNT}:*" }}
      }}
      if s.Effect == "Allow"
    ])
    error_message = "every Allow for log delivery names this account and region"
  }}

  assert {{
    condition = length([
      for s in jsondecode(aws_s3_bucket_policy.flow_logs.policy).Statement : s
      if s.Effect == "Allow"
    ]) == 2
    error_message = "two Allow statements (write, ACL check)"
  }}

  assert {{
    condition = contains(
      [for s in jsondecode(aws_s3_bucket_policy.flow_logs.policy).Statement : s.Resource
      if s.Action == "s3:PutObject"],
      "arn:aws:s3:::four-tier-flow-logs-x/AWSLogs/{ACCOUNT}/*")
    error_message = "delivery writes under AWSLogs/<this account>/ only"
  }}

  assert {{
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.flow_logs.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" &&
      s.Condition == {{ Bool = {{ "aws:SecureTransport" = "false" }} }}
    ])
    error_message = "plain-HTTP access is denied"
  }}
}}

# The bucket is named after name_prefix: a prefix S3 refuses fails at plan, not at apply.
run "upper_case_prefix" {{
  command         = plan
  variables {{
    name_prefix = "Four-Tier"
  }}
  expect_failures = [var.name_prefix]
}}

run "reserved_prefix" {{
  command         = plan
  variables {{
    name_prefix = "xn--four"
  }}
  expect_failures = [var.name_prefix]
}}
"""

_ROLE_TEST = _VPC_OVERRIDE + f"""
run "role_trust_policy" {{
  command = plan

  assert {{
    condition = jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement[0].Condition == {{
      StringEquals = {{ "aws:SourceAccount" = "{ACCOUNT}" }}
      ArnLike      = {{ "aws:SourceArn" = "arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*" }}
    }}
    error_message = "the flow-logs service may assume the role only for this account's flow logs"
  }}

  assert {{
    condition     = length(jsondecode(aws_iam_role.flow_logs.assume_role_policy).Statement) == 1
    error_message = "one trust statement"
  }}
}}
"""


@pytest.mark.parametrize(("name", "test", "runs"), [
    ("four-tier", _BUCKET_TEST, ("bucket_policy", "upper_case_prefix", "reserved_prefix")),
    ("three-tier", _ROLE_TEST, ("role_trust_policy",))])
def test_planned_delivery_policies_are_scoped_to_the_account(
        name: str, test: str, runs: tuple[str, ...], tmp_path: Path) -> None:
    runner = Runner.for_module(ROOT / "modules" / name, tmp_path / name, region=REGION)
    # The module's own tests/ (its layering tests) run too: this file is one more.
    (runner.workdir / "tests").mkdir(exist_ok=True)
    (runner.workdir / "tests" / "policy.tftest.hcl").write_text(test, encoding="utf-8")
    runner.init()
    # Exit 1 (a failed assertion) raises TerraformError, whose message holds the output.
    result = runner.execute("test", "-no-color")
    assert "0 failed" in result.out, result.out
    for run in runs:
        assert f'run "{run}"... pass' in result.out, result.out
