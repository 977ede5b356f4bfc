locals {
  # The blueprint's tags; var.tags is merged over them.
  blueprint_tags = {
    Environment = "Production"
  }
  tags = merge(local.blueprint_tags, var.tags)
}

resource "aws_vpc" "this" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

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
