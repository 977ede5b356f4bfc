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
    vpce = {
      "us-west-2a" = aws_subnet.vpce_a.id
      "us-west-2b" = aws_subnet.vpce_b.id
      "us-west-2c" = aws_subnet.vpce_c.id
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
    vpce = {
      "us-west-2a" = aws_subnet.vpce_a.cidr_block
      "us-west-2b" = aws_subnet.vpce_b.cidr_block
      "us-west-2c" = aws_subnet.vpce_c.cidr_block
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
    vpce = {
      "us-west-2a" = aws_route_table.vpce_a.id
      "us-west-2b" = aws_route_table.vpce_b.id
      "us-west-2c" = aws_route_table.vpce_c.id
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
    vpce = aws_network_acl.vpce.id
  }
}

output "security_group_ids" {
  description = "Security group IDs by tier."
  value = {
    web  = aws_security_group.web.id
    app  = aws_security_group.app.id
    db   = aws_security_group.db.id
    mgmt = aws_security_group.mgmt.id
    vpce = aws_security_group.vpce.id
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

output "vpc_endpoint_ids" {
  description = "Gateway VPC endpoint IDs by service."
  value = {
    s3 = aws_vpc_endpoint.s3.id
  }
}

output "transit_gateway_attachment_id" {
  description = "ID of the VPC's transit gateway attachment."
  value       = aws_ec2_transit_gateway_vpc_attachment.this.id
}

output "transit_subnet_ids" {
  description = "IDs of the transit attachment's subnets, by AZ."
  value = {
    "us-west-2a" = aws_subnet.transit_a.id
    "us-west-2b" = aws_subnet.transit_b.id
    "us-west-2c" = aws_subnet.transit_c.id
  }
}

output "interface_endpoint_ids" {
  description = "Interface VPC endpoint IDs by service."
  value = {
    "kms" = aws_vpc_endpoint.kms.id
    "ssm" = aws_vpc_endpoint.ssm.id
  }
}

output "interface_endpoint_security_group_ids" {
  description = "Security group IDs of the interface endpoints, by service."
  value = {
    "kms" = aws_security_group.vpce_kms.id
    "ssm" = aws_security_group.vpce_ssm.id
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
