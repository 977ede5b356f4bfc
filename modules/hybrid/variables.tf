variable "name_prefix" {
  description = "Prefix of every Name tag and generated resource name (lower-case letters, digits and hyphens: it starts the flow-log S3 bucket's name)."
  type        = string
  default     = "hybrid"

  validation {
    # S3 bucket names are lower case and may not start with a reserved prefix; the bucket prefix adds "-flow-logs-" (37 characters at most).
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,23}$", var.name_prefix)) && !startswith(var.name_prefix, "xn--") && !startswith(var.name_prefix, "sthree-") && !startswith(var.name_prefix, "amzn-s3-demo-")
    error_message = "The name_prefix must be 1-24 lower-case letters, digits or hyphens, starting with a letter or digit and not with xn--, sthree-, amzn-s3-demo-: it starts the flow-log S3 bucket's name."
  }
}

variable "tags" {
  description = "Tags added to every resource, merged over the blueprint's tags (these win)."
  type        = map(string)
  default     = {}
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow log records (CloudWatch retention or S3 expiration; 0 = never expire)."
  type        = number
  default     = 365
}

variable "kms_key_id" {
  description = "ARN of a KMS key to encrypt the flow log group or bucket with; null uses AWS-managed encryption."
  type        = string
  default     = null
}

variable "transit_gateway_id" {
  description = "ID of the existing transit gateway that reaches the named networks corp (required)."
  type        = string
  default     = null

  validation {
    condition     = var.transit_gateway_id != null && can(regex("^tgw-[0-9a-f]{8,17}$", var.transit_gateway_id))
    error_message = "Set transit_gateway_id to the transit gateway's ID (tgw-...)."
  }
}
