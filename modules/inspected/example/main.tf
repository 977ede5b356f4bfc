# Example root module: `terraform init && terraform apply` in this directory.
provider "aws" {
  region = "us-east-1"
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate of the load balancers' HTTPS and TLS listeners."
  type        = string
}

module "inspected" {
  source = "../"

  certificate_arn = var.certificate_arn
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.inspected.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = module.inspected.vpc_cidr_block
}

output "subnet_ids" {
  description = "Subnet IDs by tier and availability zone."
  value       = module.inspected.subnet_ids
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value       = module.inspected.subnet_cidr_blocks
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value       = module.inspected.route_table_ids
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value       = module.inspected.network_acl_ids
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value       = module.inspected.security_group_ids
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = module.inspected.internet_gateway_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value       = module.inspected.nat_gateway_ids
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value       = module.inspected.nat_eip_ids
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value       = module.inspected.nat_public_ips
}

output "firewall_arn" {
  description = "ARN of the Network Firewall."
  value       = module.inspected.firewall_arn
}

output "firewall_endpoint_ids" {
  description = "The Network Firewall's endpoint IDs, by AZ."
  value       = module.inspected.firewall_endpoint_ids
}

output "firewall_subnet_ids" {
  description = "IDs of the firewall endpoints' subnets, by AZ."
  value       = module.inspected.firewall_subnet_ids
}

output "load_balancer_dns_names" {
  description = "DNS names of the load balancers, by tier."
  value       = module.inspected.load_balancer_dns_names
}

output "load_balancer_target_group_arns" {
  description = "ARNs of the load balancers' target groups, by tier: register the target tier's hosts by IP address."
  value       = module.inspected.load_balancer_target_group_arns
}

output "load_balancer_security_group_ids" {
  description = "Security group IDs of the load balancers, by tier."
  value       = module.inspected.load_balancer_security_group_ids
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = module.inspected.flow_log_id
}

output "flow_log_destination_arn" {
  description = "ARN of the flow log destination (log group or bucket)."
  value       = module.inspected.flow_log_destination_arn
}
