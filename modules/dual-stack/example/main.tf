# Example root module: `terraform init && terraform apply` in this directory.
provider "aws" {
  region = "us-east-1"
}

module "dual_stack" {
  source = "../"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.dual_stack.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = module.dual_stack.vpc_cidr_block
}

output "subnet_ids" {
  description = "Subnet IDs by tier and availability zone."
  value       = module.dual_stack.subnet_ids
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value       = module.dual_stack.subnet_cidr_blocks
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value       = module.dual_stack.route_table_ids
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value       = module.dual_stack.network_acl_ids
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value       = module.dual_stack.security_group_ids
}

output "vpc_ipv6_cidr_block" {
  description = "The VPC's Amazon-provided IPv6 block (/56)."
  value       = module.dual_stack.vpc_ipv6_cidr_block
}

output "subnet_ipv6_cidr_blocks" {
  description = "Subnet IPv6 blocks (/64) by tier and availability zone (dual-stack tiers)."
  value       = module.dual_stack.subnet_ipv6_cidr_blocks
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = module.dual_stack.internet_gateway_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value       = module.dual_stack.nat_gateway_ids
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value       = module.dual_stack.nat_eip_ids
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value       = module.dual_stack.nat_public_ips
}

output "egress_only_internet_gateway_id" {
  description = "ID of the egress-only internet gateway (private tiers' IPv6)."
  value       = module.dual_stack.egress_only_internet_gateway_id
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = module.dual_stack.flow_log_id
}

output "flow_log_destination_arn" {
  description = "ARN of the flow log destination (log group or bucket)."
  value       = module.dual_stack.flow_log_destination_arn
}
