# Example root module: `terraform init && terraform apply` in this directory.
provider "aws" {
  region = "us-west-2"
}

variable "transit_gateway_id" {
  description = "ID of the existing transit gateway that reaches corp (tgw-...)."
  type        = string
}

module "hybrid" {
  source = "../"

  transit_gateway_id = var.transit_gateway_id
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.hybrid.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = module.hybrid.vpc_cidr_block
}

output "subnet_ids" {
  description = "Subnet IDs by tier and availability zone."
  value       = module.hybrid.subnet_ids
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value       = module.hybrid.subnet_cidr_blocks
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value       = module.hybrid.route_table_ids
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value       = module.hybrid.network_acl_ids
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value       = module.hybrid.security_group_ids
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = module.hybrid.internet_gateway_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value       = module.hybrid.nat_gateway_ids
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value       = module.hybrid.nat_eip_ids
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value       = module.hybrid.nat_public_ips
}

output "vpc_endpoint_ids" {
  description = "Gateway VPC endpoint IDs by service."
  value       = module.hybrid.vpc_endpoint_ids
}

output "transit_gateway_attachment_id" {
  description = "ID of the VPC's transit gateway attachment."
  value       = module.hybrid.transit_gateway_attachment_id
}

output "transit_subnet_ids" {
  description = "IDs of the transit attachment's subnets, by AZ."
  value       = module.hybrid.transit_subnet_ids
}

output "interface_endpoint_ids" {
  description = "Interface VPC endpoint IDs by service."
  value       = module.hybrid.interface_endpoint_ids
}

output "interface_endpoint_security_group_ids" {
  description = "Security group IDs of the interface endpoints, by service."
  value       = module.hybrid.interface_endpoint_security_group_ids
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = module.hybrid.flow_log_id
}

output "flow_log_destination_arn" {
  description = "ARN of the flow log destination (log group or bucket)."
  value       = module.hybrid.flow_log_destination_arn
}
