# Gateway endpoint: s3 traffic from private and isolated tiers stays on the AWS network.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.us-west-2.s3"
  vpc_endpoint_type = "Gateway"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-s3"
  })
}

resource "aws_vpc_endpoint_route_table_association" "s3_app_a" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.app_a.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_app_b" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.app_b.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_app_c" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.app_c.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_db_a" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.db_a.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_db_b" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.db_b.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_db_c" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.db_c.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_mgmt_a" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.mgmt_a.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_mgmt_b" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.mgmt_b.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_mgmt_c" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.mgmt_c.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_vpce_a" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.vpce_a.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_vpce_b" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.vpce_b.id
}

resource "aws_vpc_endpoint_route_table_association" "s3_vpce_c" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_route_table.vpce_c.id
}

# Interface endpoint: aws:kms for tiers app, db (the flows naming it), in tier vpce's subnets.
# Private DNS is VPC-wide: every tier resolves the service to this endpoint; its group admits only those tiers.
resource "aws_vpc_endpoint" "kms" {
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.us-west-2.kms"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.vpce_a.id, aws_subnet.vpce_b.id, aws_subnet.vpce_c.id]
  security_group_ids  = [aws_security_group.vpce_kms.id]
  policy              = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "*", Resource = "*", Condition = { StringEquals = { "aws:SourceVpc" = aws_vpc.this.id } } }] })

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-kms"
  })
}

# Interface endpoint: aws:ssm for tiers app, db (the flows naming it), in tier vpce's subnets.
# Private DNS is VPC-wide: every tier resolves the service to this endpoint; its group admits only those tiers.
resource "aws_vpc_endpoint" "ssm" {
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.us-west-2.ssm"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.vpce_a.id, aws_subnet.vpce_b.id, aws_subnet.vpce_c.id]
  security_group_ids  = [aws_security_group.vpce_ssm.id]
  policy              = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "*", Resource = "*", Condition = { StringEquals = { "aws:SourceVpc" = aws_vpc.this.id } } }] })

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-ssm"
  })
}
