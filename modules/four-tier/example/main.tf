# Example root module: `terraform init && terraform apply` in this directory.
provider "aws" {
  region = "us-west-2"
}

module "four_tier" {
  source = "../"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.four_tier.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = module.four_tier.vpc_cidr_block
}

output "subnet_ids" {
  description = "Subnet IDs by tier and availability zone."
  value       = module.four_tier.subnet_ids
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value       = module.four_tier.subnet_cidr_blocks
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value       = module.four_tier.route_table_ids
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value       = module.four_tier.network_acl_ids
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value       = module.four_tier.security_group_ids
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = module.four_tier.internet_gateway_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value       = module.four_tier.nat_gateway_ids
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value       = module.four_tier.nat_eip_ids
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value       = module.four_tier.nat_public_ips
}

output "vpn_gateway_id" {
  description = "ID of the virtual private gateway for the named networks: attach your VPN or Direct Connect to it."
  value       = module.four_tier.vpn_gateway_id
}

output "vpc_endpoint_ids" {
  description = "Gateway VPC endpoint IDs by service."
  value       = module.four_tier.vpc_endpoint_ids
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = module.four_tier.flow_log_id
}

output "flow_log_destination_arn" {
  description = "ARN of the flow log destination (log group or bucket)."
  value       = module.four_tier.flow_log_destination_arn
}
