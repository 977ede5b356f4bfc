output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "subnet_ids" {
  description = "Subnet IDs by tier and availability zone."
  value = {
    web = {
      "us-east-1a" = aws_subnet.web_a.id
      "us-east-1b" = aws_subnet.web_b.id
    }
    app = {
      "us-east-1a" = aws_subnet.app_a.id
      "us-east-1b" = aws_subnet.app_b.id
    }
    db = {
      "us-east-1a" = aws_subnet.db_a.id
      "us-east-1b" = aws_subnet.db_b.id
    }
  }
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value = {
    web = {
      "us-east-1a" = aws_subnet.web_a.cidr_block
      "us-east-1b" = aws_subnet.web_b.cidr_block
    }
    app = {
      "us-east-1a" = aws_subnet.app_a.cidr_block
      "us-east-1b" = aws_subnet.app_b.cidr_block
    }
    db = {
      "us-east-1a" = aws_subnet.db_a.cidr_block
      "us-east-1b" = aws_subnet.db_b.cidr_block
    }
  }
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value = {
    web = {
      "us-east-1a" = aws_route_table.web_a.id
      "us-east-1b" = aws_route_table.web_b.id
    }
    app = {
      "us-east-1a" = aws_route_table.app_a.id
      "us-east-1b" = aws_route_table.app_b.id
    }
    db = {
      "us-east-1a" = aws_route_table.db_a.id
      "us-east-1b" = aws_route_table.db_b.id
    }
  }
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value = {
    web = aws_network_acl.web.id
    app = aws_network_acl.app.id
    db  = aws_network_acl.db.id
  }
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value = {
    web = aws_security_group.web.id
    app = aws_security_group.app.id
    db  = aws_security_group.db.id
  }
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value = {
    "us-east-1a" = aws_nat_gateway.web_a.id
    "us-east-1b" = aws_nat_gateway.web_b.id
  }
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value = {
    "us-east-1a" = aws_eip.web_a.id
    "us-east-1b" = aws_eip.web_b.id
  }
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value = {
    "us-east-1a" = aws_eip.web_a.public_ip
    "us-east-1b" = aws_eip.web_b.public_ip
  }
}

output "firewall_arn" {
  description = "ARN of the Network Firewall."
  value       = aws_networkfirewall_firewall.this.arn
}

output "firewall_endpoint_ids" {
  description = "The Network Firewall's endpoint IDs, by AZ."
  value       = { for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : s.availability_zone => s.attachment[0].endpoint_id }
}

output "firewall_subnet_ids" {
  description = "IDs of the firewall endpoints' subnets, by AZ."
  value = {
    "us-east-1a" = aws_subnet.firewall_a.id
    "us-east-1b" = aws_subnet.firewall_b.id
  }
}

output "load_balancer_dns_names" {
  description = "DNS names of the load balancers, by tier."
  value = {
    web = aws_lb.lb_web.dns_name
  }
}

output "load_balancer_target_group_arns" {
  description = "ARNs of the load balancers' target groups, by tier: register the target tier's hosts by IP address."
  value = {
    web = aws_lb_target_group.lb_web.arn
  }
}

output "load_balancer_security_group_ids" {
  description = "Security group IDs of the load balancers, by tier."
  value = {
    web = aws_security_group.lb_web.id
  }
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = aws_flow_log.this.id
}

output "flow_log_destination_arn" {
  description = "ARN of the flow log destination (log group or bucket)."
  value       = aws_flow_log.this.log_destination
}
