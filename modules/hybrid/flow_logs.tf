# The account, partition and region the flow log belongs to, from the VPC itself (no data
# source: an offline plan needs no credentials). The delivery policies below name them.
locals {
  flow_log_account   = aws_vpc.this.owner_id
  flow_log_partition = split(":", aws_vpc.this.arn)[1]
  flow_log_region    = split(":", aws_vpc.this.arn)[3]
  # Log delivery writes into the bucket only on behalf of this account's log sources.
  flow_log_delivery_source = {
    StringEquals = { "aws:SourceAccount" = local.flow_log_account }
    ArnLike = {
      "aws:SourceArn" = "arn:${local.flow_log_partition}:logs:${local.flow_log_region}:${local.flow_log_account}:*"
    }
  }
}

# VPC flow logs (ALL) to a dedicated S3 bucket.
resource "aws_s3_bucket" "flow_logs" {
  #checkov:skip=CKV_AWS_18:This bucket is itself a log destination; access-logging it would need another bucket per network.
  #checkov:skip=CKV_AWS_144:Cross-region replication is a per-organisation choice for log archives, outside this module.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events from the flow log bucket.
  #checkov:skip=CKV_AWS_145:Encrypted with var.kms_key_id (aws:kms) when given; SSE-S3 otherwise.
  bucket_prefix = "${var.name_prefix}-flow-logs-"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flow-logs"
  })
}

resource "aws_s3_bucket_public_access_block" "flow_logs" {
  bucket                  = aws_s3_bucket.flow_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_id == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_id
    }
    bucket_key_enabled = var.kms_key_id != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    id     = "expire-flow-logs"
    status = var.flow_log_retention_days > 0 ? "Enabled" : "Disabled"

    filter {}

    expiration {
      days = var.flow_log_retention_days > 0 ? var.flow_log_retention_days : 1
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# Lets the log delivery service write this account's flow logs (and nothing on behalf of
# another account); denies plain-HTTP access.
resource "aws_s3_bucket_policy" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AWSLogDeliveryWrite"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.flow_logs.arn}/AWSLogs/${local.flow_log_account}/*"
        Condition = local.flow_log_delivery_source
      },
      {
        Sid       = "AWSLogDeliveryAclCheck"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["s3:GetBucketAcl", "s3:ListBucket"]
        Resource  = aws_s3_bucket.flow_logs.arn
        Condition = local.flow_log_delivery_source
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.flow_logs.arn, "${aws_s3_bucket.flow_logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.flow_logs]
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "s3"
  log_destination          = aws_s3_bucket.flow_logs.arn
  max_aggregation_interval = 600

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flow-logs"
  })

  depends_on = [aws_s3_bucket_policy.flow_logs]
}
