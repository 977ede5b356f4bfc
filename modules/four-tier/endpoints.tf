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

# Gateway endpoint: dynamodb traffic from private and isolated tiers stays on the AWS network.
resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.us-west-2.dynamodb"
  vpc_endpoint_type = "Gateway"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-dynamodb"
  })
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_app_a" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.app_a.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_app_b" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.app_b.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_app_c" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.app_c.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_db_a" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.db_a.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_db_b" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.db_b.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_db_c" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.db_c.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_mgmt_a" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.mgmt_a.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_mgmt_b" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.mgmt_b.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_mgmt_c" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.mgmt_c.id
}
