locals {
  # The blueprint's tags; var.tags is merged over them.
  blueprint_tags = {
    Environment = "Production"
  }
  tags = merge(local.blueprint_tags, var.tags)
}

# Dual-stack (vpc.ipv6: amazon): AWS assigns a /56, unknown until apply; each subnet takes
# /64 number k of it (cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, k), k = 8 * tier + zone).
resource "aws_vpc" "this" {
  cidr_block                       = "10.0.0.0/16"
  enable_dns_support               = true
  enable_dns_hostnames             = true
  assign_generated_ipv6_cidr_block = true

  tags = merge(local.tags, {
    Name = var.name_prefix
  })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-igw"
  })
}

# Egress-only internet gateway: private tiers' IPv6 goes out (and replies come back) but
# nothing from the internet can open a connection in (NAT stays IPv4 only).
resource "aws_egress_only_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-eigw"
  })
}
