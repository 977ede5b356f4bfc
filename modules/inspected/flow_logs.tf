# The account, partition and region the flow log belongs to, from the VPC itself (no data
# source: an offline plan needs no credentials). The delivery policies below name them.
locals {
  flow_log_account   = aws_vpc.this.owner_id
  flow_log_partition = split(":", aws_vpc.this.arn)[1]
  flow_log_region    = split(":", aws_vpc.this.arn)[3]
}

# VPC flow logs (ALL) to a CloudWatch log group.
resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:Encrypted with var.kms_key_id when given; CloudWatch Logs encrypts at rest with AWS-managed keys otherwise.
  name_prefix       = "/aws/vpc-flow-logs/${var.name_prefix}-"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.kms_key_id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flow-logs"
  })
}

# The flow logs service assumes this role to write into the log group above only, and
# only for flow logs of this account and region (confused deputy: aws:SourceAccount and
# aws:SourceArn).
resource "aws_iam_role" "flow_logs" {
  name_prefix = "${var.name_prefix}-flow-logs-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.flow_log_account }
        ArnLike = {
          "aws:SourceArn" = "arn:${local.flow_log_partition}:ec2:${local.flow_log_region}:${local.flow_log_account}:vpc-flow-log/*"
        }
      }
    }]
  })

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flow-logs"
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  name = "vpc-flow-logs-delivery"
  role = aws_iam_role.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
      ]
      Resource = [
        aws_cloudwatch_log_group.flow_logs.arn,
        "${aws_cloudwatch_log_group.flow_logs.arn}:*",
      ]
    }]
  })
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 600
  log_format               = "$${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${subnet-id} $${instance-id}"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flow-logs"
  })
}
