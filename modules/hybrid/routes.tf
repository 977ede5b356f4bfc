# The main route table is managed with no routes: a subnet that loses its own
# association falls back to local-only routing (fail closed).
resource "aws_default_route_table" "this" {
  default_route_table_id = aws_vpc.this.default_route_table_id
  route                  = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-main"
  })
}

# Tier web (public), us-west-2a: default route to the internet gateway.
resource "aws_route_table" "web_a" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-a"
    Tier = "web"
  })
}

resource "aws_route_table_association" "web_a" {
  subnet_id      = aws_subnet.web_a.id
  route_table_id = aws_route_table.web_a.id
}

resource "aws_route" "web_a_default" {
  route_table_id         = aws_route_table.web_a.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

# Tier web (public), us-west-2b: default route to the internet gateway.
resource "aws_route_table" "web_b" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-b"
    Tier = "web"
  })
}

resource "aws_route_table_association" "web_b" {
  subnet_id      = aws_subnet.web_b.id
  route_table_id = aws_route_table.web_b.id
}

resource "aws_route" "web_b_default" {
  route_table_id         = aws_route_table.web_b.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

# Tier web (public), us-west-2c: default route to the internet gateway.
resource "aws_route_table" "web_c" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-c"
    Tier = "web"
  })
}

resource "aws_route_table_association" "web_c" {
  subnet_id      = aws_subnet.web_c.id
  route_table_id = aws_route_table.web_c.id
}

resource "aws_route" "web_c_default" {
  route_table_id         = aws_route_table.web_c.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

# Tier app (private), us-west-2a: default route to NAT gateway web_a.
resource "aws_route_table" "app_a" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-a"
    Tier = "app"
  })
}

resource "aws_route_table_association" "app_a" {
  subnet_id      = aws_subnet.app_a.id
  route_table_id = aws_route_table.app_a.id
}

resource "aws_route" "app_a_default" {
  route_table_id         = aws_route_table.app_a.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Tier app (private), us-west-2b: default route to NAT gateway web_a.
resource "aws_route_table" "app_b" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-b"
    Tier = "app"
  })
}

resource "aws_route_table_association" "app_b" {
  subnet_id      = aws_subnet.app_b.id
  route_table_id = aws_route_table.app_b.id
}

resource "aws_route" "app_b_default" {
  route_table_id         = aws_route_table.app_b.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Tier app (private), us-west-2c: default route to NAT gateway web_a.
resource "aws_route_table" "app_c" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-c"
    Tier = "app"
  })
}

resource "aws_route_table_association" "app_c" {
  subnet_id      = aws_subnet.app_c.id
  route_table_id = aws_route_table.app_c.id
}

resource "aws_route" "app_c_default" {
  route_table_id         = aws_route_table.app_c.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Tier db (isolated), us-west-2a: local routes only.
resource "aws_route_table" "db_a" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-a"
    Tier = "db"
  })
}

resource "aws_route_table_association" "db_a" {
  subnet_id      = aws_subnet.db_a.id
  route_table_id = aws_route_table.db_a.id
}

# Tier db (isolated), us-west-2b: local routes only.
resource "aws_route_table" "db_b" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-b"
    Tier = "db"
  })
}

resource "aws_route_table_association" "db_b" {
  subnet_id      = aws_subnet.db_b.id
  route_table_id = aws_route_table.db_b.id
}

# Tier db (isolated), us-west-2c: local routes only.
resource "aws_route_table" "db_c" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-c"
    Tier = "db"
  })
}

resource "aws_route_table_association" "db_c" {
  subnet_id      = aws_subnet.db_c.id
  route_table_id = aws_route_table.db_c.id
}

# Tier mgmt (private), us-west-2a: default route to NAT gateway web_a; corp through the transit gateway.
resource "aws_route_table" "mgmt_a" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-a"
    Tier = "mgmt"
  })
}

resource "aws_route_table_association" "mgmt_a" {
  subnet_id      = aws_subnet.mgmt_a.id
  route_table_id = aws_route_table.mgmt_a.id
}

resource "aws_route" "mgmt_a_default" {
  route_table_id         = aws_route_table.mgmt_a.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Named network corp: through the transit gateway (var.transit_gateway_id), once
# the VPC is attached to it.
resource "aws_route" "mgmt_a_corp" {
  route_table_id         = aws_route_table.mgmt_a.id
  destination_cidr_block = "192.168.0.0/16"
  transit_gateway_id     = var.transit_gateway_id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.this]
}

# Tier mgmt (private), us-west-2b: default route to NAT gateway web_a; corp through the transit gateway.
resource "aws_route_table" "mgmt_b" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-b"
    Tier = "mgmt"
  })
}

resource "aws_route_table_association" "mgmt_b" {
  subnet_id      = aws_subnet.mgmt_b.id
  route_table_id = aws_route_table.mgmt_b.id
}

resource "aws_route" "mgmt_b_default" {
  route_table_id         = aws_route_table.mgmt_b.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Named network corp: through the transit gateway (var.transit_gateway_id), once
# the VPC is attached to it.
resource "aws_route" "mgmt_b_corp" {
  route_table_id         = aws_route_table.mgmt_b.id
  destination_cidr_block = "192.168.0.0/16"
  transit_gateway_id     = var.transit_gateway_id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.this]
}

# Tier mgmt (private), us-west-2c: default route to NAT gateway web_a; corp through the transit gateway.
resource "aws_route_table" "mgmt_c" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-c"
    Tier = "mgmt"
  })
}

resource "aws_route_table_association" "mgmt_c" {
  subnet_id      = aws_subnet.mgmt_c.id
  route_table_id = aws_route_table.mgmt_c.id
}

resource "aws_route" "mgmt_c_default" {
  route_table_id         = aws_route_table.mgmt_c.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.web_a.id
}

# Named network corp: through the transit gateway (var.transit_gateway_id), once
# the VPC is attached to it.
resource "aws_route" "mgmt_c_corp" {
  route_table_id         = aws_route_table.mgmt_c.id
  destination_cidr_block = "192.168.0.0/16"
  transit_gateway_id     = var.transit_gateway_id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.this]
}

# Tier vpce (isolated), us-west-2a: local routes only.
resource "aws_route_table" "vpce_a" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-a"
    Tier = "vpce"
  })
}

resource "aws_route_table_association" "vpce_a" {
  subnet_id      = aws_subnet.vpce_a.id
  route_table_id = aws_route_table.vpce_a.id
}

# Tier vpce (isolated), us-west-2b: local routes only.
resource "aws_route_table" "vpce_b" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-b"
    Tier = "vpce"
  })
}

resource "aws_route_table_association" "vpce_b" {
  subnet_id      = aws_subnet.vpce_b.id
  route_table_id = aws_route_table.vpce_b.id
}

# Tier vpce (isolated), us-west-2c: local routes only.
resource "aws_route_table" "vpce_c" {
  vpc_id = aws_vpc.this.id
  # No routes besides the implicit local one (gateway endpoint routes are managed by
  # their associations and not counted here). Never mix with aws_route resources.
  route = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-c"
    Tier = "vpce"
  })
}

resource "aws_route_table_association" "vpce_c" {
  subnet_id      = aws_subnet.vpce_c.id
  route_table_id = aws_route_table.vpce_c.id
}
