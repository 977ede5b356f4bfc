# Tier web (public), us-west-2a.
resource "aws_subnet" "web_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.0.0/24"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-a"
    Tier = "web"
  })
}

# Tier web (public), us-west-2b.
resource "aws_subnet" "web_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.1.0/24"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-b"
    Tier = "web"
  })
}

# Tier web (public), us-west-2c.
resource "aws_subnet" "web_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.2.0/24"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-c"
    Tier = "web"
  })
}

# Tier app (private), us-west-2a.
resource "aws_subnet" "app_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.10.0/24"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-a"
    Tier = "app"
  })
}

# Tier app (private), us-west-2b.
resource "aws_subnet" "app_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.11.0/24"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-b"
    Tier = "app"
  })
}

# Tier app (private), us-west-2c.
resource "aws_subnet" "app_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.12.0/24"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-c"
    Tier = "app"
  })
}

# Tier db (isolated), us-west-2a.
resource "aws_subnet" "db_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.20.0/24"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-a"
    Tier = "db"
  })
}

# Tier db (isolated), us-west-2b.
resource "aws_subnet" "db_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.21.0/24"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-b"
    Tier = "db"
  })
}

# Tier db (isolated), us-west-2c.
resource "aws_subnet" "db_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.22.0/24"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-c"
    Tier = "db"
  })
}

# Tier mgmt (private), us-west-2a.
resource "aws_subnet" "mgmt_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.30.0/26"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-a"
    Tier = "mgmt"
  })
}

# Tier mgmt (private), us-west-2b.
resource "aws_subnet" "mgmt_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.30.64/26"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-b"
    Tier = "mgmt"
  })
}

# Tier mgmt (private), us-west-2c.
resource "aws_subnet" "mgmt_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.30.128/26"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-c"
    Tier = "mgmt"
  })
}

# Tier vpce (isolated), us-west-2a.
resource "aws_subnet" "vpce_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.40.0/28"
  availability_zone       = "us-west-2a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-a"
    Tier = "vpce"
  })
}

# Tier vpce (isolated), us-west-2b.
resource "aws_subnet" "vpce_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.40.16/28"
  availability_zone       = "us-west-2b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-b"
    Tier = "vpce"
  })
}

# Tier vpce (isolated), us-west-2c.
resource "aws_subnet" "vpce_c" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.40.40.32/28"
  availability_zone       = "us-west-2c"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-c"
    Tier = "vpce"
  })
}
