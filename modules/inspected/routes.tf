# The main route table is managed with no routes: a subnet that loses its own
# association falls back to local-only routing (fail closed).
resource "aws_default_route_table" "this" {
  default_route_table_id = aws_vpc.this.default_route_table_id
  route                  = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-main"
  })
}

# Tier web (public), us-east-1a: default route to the firewall endpoint in us-east-1a.
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

# Inspected: the default route goes to the firewall endpoint of this subnet's AZ.
resource "aws_route" "web_a_default" {
  route_table_id         = aws_route_table.web_a.id
  destination_cidr_block = "0.0.0.0/0"
  vpc_endpoint_id        = one([for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == "us-east-1a"])
}

# Tier web (public), us-east-1b: default route to the firewall endpoint in us-east-1b.
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

# Inspected: the default route goes to the firewall endpoint of this subnet's AZ.
resource "aws_route" "web_b_default" {
  route_table_id         = aws_route_table.web_b.id
  destination_cidr_block = "0.0.0.0/0"
  vpc_endpoint_id        = one([for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == "us-east-1b"])
}

# Tier app (private), us-east-1a: default route to NAT gateway web_a.
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

# Tier app (private), us-east-1b: default route to NAT gateway web_b.
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
  nat_gateway_id         = aws_nat_gateway.web_b.id
}

# Tier db (isolated), us-east-1a: local routes only.
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

# Tier db (isolated), us-east-1b: local routes only.
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
