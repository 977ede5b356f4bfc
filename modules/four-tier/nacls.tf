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

resource "aws_network_acl_association" "web_c" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_c.id
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_in_10000" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.30.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_in_10001" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10001
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow 1: internet to web tcp 443
resource "aws_network_acl_rule" "web_in_10100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_out_10000" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.30.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks (from flow 1)
resource "aws_network_acl_rule" "web_out_10001" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10001
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
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

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "web_out_100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "web_out_101" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 101
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "web_out_102" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 102
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
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
  cidr_block     = "10.30.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_102" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 102
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 4 via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_in_200" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 443
  to_port        = 443
}

# flow 4 via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_in_201" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 443
  to_port        = 443
}

# flow 4 via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_in_202" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 202
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 443
  to_port        = 443
}

# flow 4 via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_out_10200" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# flow 4 via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_in_10200" {
  #checkov:skip=CKV_AWS_231:Return leg of blueprint flow 4: a stateless ACL must admit replies on ephemeral ports from the internet; the tier's security group admits no inbound connections on them.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 10200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow 4 via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_out_200" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 4 via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_out_201" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 4 via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_out_202" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 202
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "web_in_300" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 300
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 22
  to_port        = 22
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "web_in_301" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 301
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 22
  to_port        = 22
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "web_in_302" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 302
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "web_out_300" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 300
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "web_out_301" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 301
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "web_out_302" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 302
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
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

resource "aws_network_acl_association" "app_c" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_c.id
}

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "app_in_100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.0.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "app_in_101" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 101
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.1.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2: web to app tcp 8443
resource "aws_network_acl_rule" "app_in_102" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 102
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.2.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.0.0/24"
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
  cidr_block     = "10.30.1.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 2 return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_102" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 102
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "app_out_200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.20.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "app_out_201" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.21.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "app_out_202" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 202
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.22.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.20.0/24"
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
  cidr_block     = "10.30.21.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_202" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 202
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.22.0/24"
  from_port      = 1024
  to_port        = 65535
}

# deny: internet rules below exclude the VPC and named networks (from flow 4)
resource "aws_network_acl_rule" "app_out_10000" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.30.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks (from flow 4)
resource "aws_network_acl_rule" "app_out_10001" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10001
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow 4: app to internet tcp 443
resource "aws_network_acl_rule" "app_out_10100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# deny: internet rules below exclude the VPC and named networks (from flow 4)
resource "aws_network_acl_rule" "app_in_10000" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.30.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks (from flow 4)
resource "aws_network_acl_rule" "app_in_10001" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10001
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow 4 return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_10100" {
  #checkov:skip=CKV_AWS_231:Return leg of blueprint flow 4: a stateless ACL must admit replies on ephemeral ports from the internet; the tier's security group admits no inbound connections on them.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "app_in_300" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 300
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 22
  to_port        = 22
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "app_in_301" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 301
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 22
  to_port        = 22
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "app_in_302" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 302
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "app_out_300" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 300
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "app_out_301" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 301
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "app_out_302" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 302
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
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

resource "aws_network_acl_association" "db_c" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_c.id
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "db_in_100" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "db_in_101" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 101
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3: app to db tcp 5432
resource "aws_network_acl_rule" "db_in_102" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 102
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_100" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
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
  cidr_block     = "10.30.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 3 return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_102" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 102
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "db_in_200" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 22
  to_port        = 22
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "db_in_201" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 22
  to_port        = 22
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "db_in_202" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 202
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "db_out_200" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.0/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "db_out_201" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.64/26"
  from_port      = 1024
  to_port        = 65535
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "db_out_202" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 202
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.30.128/26"
  from_port      = 1024
  to_port        = 65535
}

# Tier mgmt: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 10000 name
# tiers and named networks; from 10000 on, the VPC and named networks are denied
# before the 0.0.0.0/0 allows, so those admit the internet only (first match wins).
resource "aws_network_acl" "mgmt" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt"
    Tier = "mgmt"
  })
}

resource "aws_network_acl_association" "mgmt_a" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_a.id
}

resource "aws_network_acl_association" "mgmt_b" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_b.id
}

resource "aws_network_acl_association" "mgmt_c" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_c.id
}

# flow 5: corp to mgmt tcp 22
resource "aws_network_acl_rule" "mgmt_in_100" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
  from_port      = 22
  to_port        = 22
}

# flow 5 return: mgmt to corp tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_out_100" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
  from_port      = 1024
  to_port        = 65535
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "mgmt_out_200" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.0.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "mgmt_out_201" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.1.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 6: mgmt to web tcp 22
resource "aws_network_acl_rule" "mgmt_out_202" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 202
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.2.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_200" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.0.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_201" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.1.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 6 return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_202" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 202
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "mgmt_out_300" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 300
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "mgmt_out_301" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 301
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 7: mgmt to app tcp 22
resource "aws_network_acl_rule" "mgmt_out_302" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 302
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_300" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 300
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.10.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_301" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 301
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 7 return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_302" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 302
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "mgmt_out_400" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 400
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.20.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "mgmt_out_401" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 401
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.21.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 8: mgmt to db tcp 22
resource "aws_network_acl_rule" "mgmt_out_402" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 402
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.22.0/24"
  from_port      = 22
  to_port        = 22
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_400" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 400
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.20.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_401" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 401
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.21.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow 8 return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_402" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 402
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.30.22.0/24"
  from_port      = 1024
  to_port        = 65535
}
