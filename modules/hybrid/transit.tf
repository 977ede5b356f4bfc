# Transit gateway attachment for the named network corp: dedicated /28
# subnets at the top of the VPC (one per AZ, never moved by tiers), each with its own
# route table (local routes only) and one ACL that admits all traffic between the VPC
# and those networks: the tiers' ACLs and groups filter, as AWS advises for attachments.
resource "aws_ec2_transit_gateway_vpc_attachment" "this" {
  transit_gateway_id = var.transit_gateway_id
  vpc_id             = aws_vpc.this.id
  subnet_ids         = [aws_subnet.transit_a.id, aws_subnet.transit_b.id, aws_subnet.transit_c.id]

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-tgw"
  })
}

resource "aws_network_acl" "transit" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit"
  })
}

# transit attachment: all traffic from 10.40.0.0/16
resource "aws_network_acl_rule" "transit_in_4330" {
  #checkov:skip=CKV_AWS_352:Transit attachment subnets hold only the attachment's interfaces; all traffic between the VPC and 10.40.0.0/16 passes here and the tiers' ACLs and groups filter it (AWS's advice for attachment subnets).
  network_acl_id = aws_network_acl.transit.id
  rule_number    = 4330
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/16"
}

# transit attachment: all traffic from 192.168.0.0/16
resource "aws_network_acl_rule" "transit_in_5860" {
  #checkov:skip=CKV_AWS_352:Transit attachment subnets hold only the attachment's interfaces; all traffic between the VPC and 192.168.0.0/16 passes here and the tiers' ACLs and groups filter it (AWS's advice for attachment subnets).
  network_acl_id = aws_network_acl.transit.id
  rule_number    = 5860
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
}

# transit attachment: all traffic to 10.40.0.0/16
resource "aws_network_acl_rule" "transit_out_4330" {
  network_acl_id = aws_network_acl.transit.id
  rule_number    = 4330
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/16"
}

# transit attachment: all traffic to 192.168.0.0/16
resource "aws_network_acl_rule" "transit_out_5860" {
  network_acl_id = aws_network_acl.transit.id
  rule_number    = 5860
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
}

resource "aws_subnet" "transit_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.255.192/28"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-a"
  })
}

resource "aws_route_table" "transit_a" {
  vpc_id = aws_vpc.this.id
  # Local routes only: what arrives from the transit gateway is delivered in the VPC.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-a"
  })
}

resource "aws_route_table_association" "transit_a" {
  subnet_id      = aws_subnet.transit_a.id
  route_table_id = aws_route_table.transit_a.id
}

resource "aws_network_acl_association" "transit_a" {
  network_acl_id = aws_network_acl.transit.id
  subnet_id      = aws_subnet.transit_a.id
}

resource "aws_subnet" "transit_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.255.208/28"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-b"
  })
}

resource "aws_route_table" "transit_b" {
  vpc_id = aws_vpc.this.id
  # Local routes only: what arrives from the transit gateway is delivered in the VPC.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-b"
  })
}

resource "aws_route_table_association" "transit_b" {
  subnet_id      = aws_subnet.transit_b.id
  route_table_id = aws_route_table.transit_b.id
}

resource "aws_network_acl_association" "transit_b" {
  network_acl_id = aws_network_acl.transit.id
  subnet_id      = aws_subnet.transit_b.id
}

resource "aws_subnet" "transit_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.255.224/28"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-c"
  })
}

resource "aws_route_table" "transit_c" {
  vpc_id = aws_vpc.this.id
  # Local routes only: what arrives from the transit gateway is delivered in the VPC.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-transit-c"
  })
}

resource "aws_route_table_association" "transit_c" {
  subnet_id      = aws_subnet.transit_c.id
  route_table_id = aws_route_table.transit_c.id
}

resource "aws_network_acl_association" "transit_c" {
  network_acl_id = aws_network_acl.transit.id
  subnet_id      = aws_subnet.transit_c.id
}
