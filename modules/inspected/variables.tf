variable "name_prefix" {
  description = "Prefix of every Name tag and generated resource name (letters, digits and hyphens)."
  type        = string
  default     = "inspected"

  validation {
    # IAM role name prefixes are limited to 38 characters, including the "-flow-logs-" suffix.
    condition     = can(regex("^[A-Za-z0-9-]{1,24}$", var.name_prefix))
    error_message = "The name_prefix must be 1-24 letters, digits or hyphens."
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

variable "firewall_delete_protection" {
  description = "Protect the Network Firewall from deletion (set false before a destroy)."
  type        = bool
  default     = true
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate of the load balancers' HTTPS and TLS listeners (required)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn != null && can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "Set certificate_arn to an ACM certificate's ARN (arn:aws:acm:...)."
  }
}
