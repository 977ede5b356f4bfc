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
      "us-west-2a" = aws_subnet.web_a.id
      "us-west-2b" = aws_subnet.web_b.id
      "us-west-2c" = aws_subnet.web_c.id
    }
    app = {
      "us-west-2a" = aws_subnet.app_a.id
      "us-west-2b" = aws_subnet.app_b.id
      "us-west-2c" = aws_subnet.app_c.id
    }
    db = {
      "us-west-2a" = aws_subnet.db_a.id
      "us-west-2b" = aws_subnet.db_b.id
      "us-west-2c" = aws_subnet.db_c.id
    }
    mgmt = {
      "us-west-2a" = aws_subnet.mgmt_a.id
      "us-west-2b" = aws_subnet.mgmt_b.id
      "us-west-2c" = aws_subnet.mgmt_c.id
    }
  }
}

output "subnet_cidr_blocks" {
  description = "Subnet CIDR blocks by tier and availability zone."
  value = {
    web = {
      "us-west-2a" = aws_subnet.web_a.cidr_block
      "us-west-2b" = aws_subnet.web_b.cidr_block
      "us-west-2c" = aws_subnet.web_c.cidr_block
    }
    app = {
      "us-west-2a" = aws_subnet.app_a.cidr_block
      "us-west-2b" = aws_subnet.app_b.cidr_block
      "us-west-2c" = aws_subnet.app_c.cidr_block
    }
    db = {
      "us-west-2a" = aws_subnet.db_a.cidr_block
      "us-west-2b" = aws_subnet.db_b.cidr_block
      "us-west-2c" = aws_subnet.db_c.cidr_block
    }
    mgmt = {
      "us-west-2a" = aws_subnet.mgmt_a.cidr_block
      "us-west-2b" = aws_subnet.mgmt_b.cidr_block
      "us-west-2c" = aws_subnet.mgmt_c.cidr_block
    }
  }
}

output "route_table_ids" {
  description = "Route table IDs by tier and availability zone."
  value = {
    web = {
      "us-west-2a" = aws_route_table.web_a.id
      "us-west-2b" = aws_route_table.web_b.id
      "us-west-2c" = aws_route_table.web_c.id
    }
    app = {
      "us-west-2a" = aws_route_table.app_a.id
      "us-west-2b" = aws_route_table.app_b.id
      "us-west-2c" = aws_route_table.app_c.id
    }
    db = {
      "us-west-2a" = aws_route_table.db_a.id
      "us-west-2b" = aws_route_table.db_b.id
      "us-west-2c" = aws_route_table.db_c.id
    }
    mgmt = {
      "us-west-2a" = aws_route_table.mgmt_a.id
      "us-west-2b" = aws_route_table.mgmt_b.id
      "us-west-2c" = aws_route_table.mgmt_c.id
    }
  }
}

output "network_acl_ids" {
  description = "Network ACL IDs by tier."
  value = {
    web  = aws_network_acl.web.id
    app  = aws_network_acl.app.id
    db   = aws_network_acl.db.id
    mgmt = aws_network_acl.mgmt.id
  }
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value = {
    web  = aws_security_group.web.id
    app  = aws_security_group.app.id
    db   = aws_security_group.db.id
    mgmt = aws_security_group.mgmt.id
  }
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs by availability zone."
  value = {
    "us-west-2a" = aws_nat_gateway.web_a.id
  }
}

output "nat_eip_ids" {
  description = "Elastic IP allocation IDs of the NAT gateways, by AZ."
  value = {
    "us-west-2a" = aws_eip.web_a.id
  }
}

output "nat_public_ips" {
  description = "Public IPv4 addresses of the NAT gateways, by AZ."
  value = {
    "us-west-2a" = aws_eip.web_a.public_ip
  }
}

output "vpn_gateway_id" {
  description = "ID of the virtual private gateway for the named networks: attach your VPN or Direct Connect to it."
  value       = aws_vpn_gateway.this.id
}

output "vpc_endpoint_ids" {
  description = "Gateway VPC endpoint IDs by service."
  value = {
    s3       = aws_vpc_endpoint.s3.id
    dynamodb = aws_vpc_endpoint.dynamodb.id
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
