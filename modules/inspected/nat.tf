# NAT gateway in subnet web_a (tier web, per_az).
resource "aws_eip" "web_a" {
  #checkov:skip=CKV2_AWS_19:This Elastic IP belongs to a NAT gateway, not to an EC2 instance.
  domain = "vpc"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-nat-web-a"
    Tier = "web"
  })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "web_a" {
  allocation_id = aws_eip.web_a.id
  subnet_id     = aws_subnet.web_a.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-nat-web-a"
    Tier = "web"
  })

  depends_on = [aws_internet_gateway.this]
}

# NAT gateway in subnet web_b (tier web, per_az).
resource "aws_eip" "web_b" {
  #checkov:skip=CKV2_AWS_19:This Elastic IP belongs to a NAT gateway, not to an EC2 instance.
  domain = "vpc"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-nat-web-b"
    Tier = "web"
  })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "web_b" {
  allocation_id = aws_eip.web_b.id
  subnet_id     = aws_subnet.web_b.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-nat-web-b"
    Tier = "web"
  })

  depends_on = [aws_internet_gateway.this]
}
