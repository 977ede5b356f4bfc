# The default network ACL is managed with no rules: a subnet left on it passes no traffic.
# (ingress/egress are blocks on this resource; with none written, Terraform removes
# every rule AWS created, and the plan shows ingress = [] and egress = [].)
resource "aws_default_network_acl" "this" {
  default_network_acl_id = aws_vpc.this.default_network_acl_id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-default"
  })

  lifecycle {
    # AWS moves subnets here when their own association goes away; every subnet of
    # this module is associated with its tier's ACL below.
    ignore_changes = [subnet_ids]
  }
}

# Tier web: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 10000 name
# tiers and named networks; from 10000 on, the VPC and named networks are denied
# before the 0.0.0.0/0 allows, so those admit the internet only (first match wins).
resource "aws_network_acl" "web" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web"
    Tier = "web"
  })
}

resource "aws_network_acl_association" "web_a" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_a.id
}

resource "aws_network_acl_association" "web_b" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_b.id
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_in_10000" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.0.0.0/16"
}

# flow 1: internet to web tcp 80
resource "aws_network_acl_rule" "web_in_10100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 80
  to_port        = 80
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_out_10000" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.0.0.0/16"
}

# flow 1 return: web to internet tcp 1024-65535
resource "aws_network_acl_rule" "web_out_10100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow 1: internet to web tcp 443
resource "aws_network_acl_rule" "web_in_10200" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# flow 2: web to app tcp 8080
resource "aws_network_acl_rule" "web_out_100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 8080
  to_port        = 8080
}

# flow 2: web to app tcp 8080
resource "aws_network_acl_rule" "web_out_101" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 101
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
  from_port      = 8080
  to_port        = 8080
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_101" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 101
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# Tier app: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 10000 name
# tiers and named networks; from 10000 on, the VPC and named networks are denied
# before the 0.0.0.0/0 allows, so those admit the internet only (first match wins).
resource "aws_network_acl" "app" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app"
    Tier = "app"
  })
}

resource "aws_network_acl_association" "app_a" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_a.id
}

resource "aws_network_acl_association" "app_b" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_b.id
}

# flow 2: web to app tcp 8080
resource "aws_network_acl_rule" "app_in_100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.1.0/24"
  from_port      = 8080
  to_port        = 8080
}

# flow 2: web to app tcp 8080
resource "aws_network_acl_rule" "app_in_101" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 101
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.2.0/24"
  from_port      = 8080
  to_port        = 8080
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.1.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_101" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 101
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3: app to db tcp 3306
resource "aws_network_acl_rule" "app_out_200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.21.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow 3: app to db tcp 3306
resource "aws_network_acl_rule" "app_out_201" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.22.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.21.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_201" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.22.0/24"
  from_port      = 1024
  to_port        = 65535
}

# Tier db: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 10000 name
# tiers and named networks; from 10000 on, the VPC and named networks are denied
# before the 0.0.0.0/0 allows, so those admit the internet only (first match wins).
resource "aws_network_acl" "db" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db"
    Tier = "db"
  })
}

resource "aws_network_acl_association" "db_a" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_a.id
}

resource "aws_network_acl_association" "db_b" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_b.id
}

# flow 3: app to db tcp 3306
resource "aws_network_acl_rule" "db_in_100" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow 3: app to db tcp 3306
resource "aws_network_acl_rule" "db_in_101" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 101
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_100" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_101" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 101
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
  from_port      = 1024
  to_port        = 65535
}
