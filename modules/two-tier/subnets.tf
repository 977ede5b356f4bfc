# Tier web (public), eu-west-1a.
resource "aws_subnet" "web_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.20.0.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-a"
    Tier = "web"
  })
}

# Tier web (public), eu-west-1b.
resource "aws_subnet" "web_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.20.1.0/24"
  availability_zone       = "eu-west-1b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-b"
    Tier = "web"
  })
}

# Tier db (isolated), eu-west-1a.
resource "aws_subnet" "db_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.20.4.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-a"
    Tier = "db"
  })
}

# Tier db (isolated), eu-west-1b.
resource "aws_subnet" "db_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.20.5.0/24"
  availability_zone       = "eu-west-1b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-b"
    Tier = "db"
  })
}
